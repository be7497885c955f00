"""API routes of the matching app (included under /api/v1/); pages are in `page_urlpatterns`."""

from django.urls import path

from config.api import route_by_method
from matching import views

app_name = "matching"

urlpatterns = [
    path("matches/", views.MatchListApi.as_view(), name="match-list"),
    path("matches/<int:pk>/feedback/", views.MatchFeedbackApi.as_view(), name="match-feedback"),
    # One path, a view per command: GET lists, POST starts a run. The two routes after it are never
    # reached by a request; they show each view to the schema generator under the same path.
    path(
        "match-runs/",
        route_by_method(GET=views.MatchRunListApi, POST=views.MatchRunStartApi),
        name="match-runs",
    ),
    path("match-runs/", views.MatchRunListApi.as_view(), name="match-run-list"),
    path("match-runs/", views.MatchRunStartApi.as_view(), name="match-run-start"),
    path("match-runs/<int:pk>/", views.MatchRunDetailApi.as_view(), name="match-run-detail"),
    path("exhibitors/me/leads/", views.ExhibitorLeadListApi.as_view(), name="exhibitor-leads"),
]

page_urlpatterns = [
    path("recommendations/", views.recommendations_page, name="recommendations"),
    path(
        "recommendations/<int:pk>/feedback/",
        views.recommendation_feedback_page,
        name="recommendation-feedback",
    ),
    path("recommendations/not-interested/", views.not_interested_page, name="not-interested"),
    path(
        "recommendations/not-interested/<int:exhibitor_id>/restore/",
        views.not_interested_restore_page,
        name="not-interested-restore",
    ),
    path("leads/", views.leads_page, name="leads"),
    path("leads/<int:buyer_id>/invite/", views.lead_invite_page, name="lead-invite"),
    path("organiser/matching/", views.organiser_matching_page, name="organiser"),
    path("organiser/matching/runs/<int:pk>/progress/", views.run_progress_partial, name="run-progress"),
]
