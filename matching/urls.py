"""API routes of the matching app (included under /api/v1/); pages are in `page_urlpatterns`."""

from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("matches/", views.MatchListApi.as_view(), name="match-list"),
    path("matches/<int:pk>/feedback/", views.MatchFeedbackApi.as_view(), name="match-feedback"),
    path("match-runs/", views.MatchRunListApi.as_view(), name="match-runs"),
    path("match-runs/<int:pk>/", views.MatchRunDetailApi.as_view(), name="match-run-detail"),
]

page_urlpatterns = [
    path("recommendations/", views.recommendations_page, name="recommendations"),
    path(
        "recommendations/<int:pk>/feedback/",
        views.recommendation_feedback_page,
        name="recommendation-feedback",
    ),
    path("organiser/matching/", views.organiser_matching_page, name="organiser"),
    path("organiser/matching/runs/<int:pk>/progress/", views.run_progress_partial, name="run-progress"),
]
