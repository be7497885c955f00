from django.urls import path

from expo.views.api import calendars as calendars_api
from expo.views.api import deals as deals_api
from expo.views.api import meetings as meetings_api
from expo.views.api import profiles as profiles_api
from expo.views.api import reports as reports_api
from expo.views.api import taxonomy as taxonomy_api
from expo.views.pages import dashboard as dashboard_pages
from expo.views.pages import deals as deals_pages
from expo.views.pages import meetings as meetings_pages
from expo.views.pages import profiles as profiles_pages

app_name = "expo"

urlpatterns = [
    path("taxonomy/", taxonomy_api.TaxonomyListApi.as_view(), name="taxonomy"),
    path("auth/register/", profiles_api.BuyerRegisterApi.as_view(), name="register"),
    path("buyers/me/", profiles_api.BuyerMeApi.as_view(), name="buyer-me"),
    path("exhibitors/", profiles_api.ExhibitorListApi.as_view(), name="exhibitor-list"),
    path("exhibitors/<int:pk>/", profiles_api.ExhibitorDetailApi.as_view(), name="exhibitor-detail"),
    path("exhibitors/<int:pk>/slots/", meetings_api.ExhibitorFreeSlotsApi.as_view(), name="exhibitor-slots"),
    path("meetings/", meetings_api.MeetingListApi.as_view(), name="meeting-list"),
    path("meetings/calendar.ics", calendars_api.MeetingCalendarApi.as_view(), name="meeting-calendar"),
    path(
        "meetings/calendar/subscription/",
        calendars_api.CalendarSubscriptionApi.as_view(),
        name="meeting-calendar-subscription",
    ),
    path(
        "meetings/calendar/<str:token>.ics",
        calendars_api.MeetingCalendarFeedApi.as_view(),
        name="meeting-calendar-feed",
    ),
    path("meetings/<int:pk>/accept/", meetings_api.MeetingAcceptApi.as_view(), name="meeting-accept"),
    path("meetings/<int:pk>/decline/", meetings_api.MeetingDeclineApi.as_view(), name="meeting-decline"),
    path("meetings/<int:pk>/cancel/", meetings_api.MeetingCancelApi.as_view(), name="meeting-cancel"),
    path(
        "meetings/<int:pk>/reschedule/",
        meetings_api.MeetingRescheduleApi.as_view(),
        name="meeting-reschedule",
    ),
    path("meetings/<int:pk>/check-in/", meetings_api.MeetingCheckInApi.as_view(), name="meeting-check-in"),
    path("meetings/<int:pk>/no-show/", meetings_api.MeetingNoShowApi.as_view(), name="meeting-no-show"),
    path("meetings/<int:pk>/owner/", meetings_api.MeetingOwnerApi.as_view(), name="meeting-owner"),
    path("deals/", deals_api.DealListApi.as_view(), name="deal-list"),
    path("deals/<int:pk>/", deals_api.DealDetailApi.as_view(), name="deal-detail"),
    path("samples/", deals_api.SampleListApi.as_view(), name="sample-list"),
    path("samples/<int:pk>/", deals_api.SampleDetailApi.as_view(), name="sample-detail"),
    path("meetings/<int:pk>/feedback/", deals_api.MeetingFeedbackApi.as_view(), name="meeting-feedback"),
    path("reports/deal-totals/", reports_api.DealTotalsApi.as_view(), name="deal-totals"),
]

page_urlpatterns = [
    path("", profiles_pages.home_page, name="home"),
    path("accounts/register/", profiles_pages.register_page, name="register"),
    path("start/", profiles_pages.start_page, name="start"),
    path("profile/", profiles_pages.profile_page, name="profile"),
    path("exhibitors/", profiles_pages.directory_page, name="directory"),
    path("exhibitors/<int:pk>/", profiles_pages.exhibitor_page, name="exhibitor"),
    path("organiser/dashboard/", dashboard_pages.dashboard_page, name="dashboard"),
    path("organiser/summary/", dashboard_pages.summary_page, name="summary"),
    path("exhibitor/figures/", dashboard_pages.exhibitor_figures_page, name="exhibitor-figures"),
    path("exhibitor/figures.xlsx", dashboard_pages.exhibitor_figures_download, name="exhibitor-figures-xlsx"),
    path("exhibitors/<int:pk>/book/", meetings_pages.meeting_book_page, name="meeting-book"),
    path("meetings/", meetings_pages.schedule_page, name="schedule"),
    path("meetings/<int:pk>/cancel/", meetings_pages.meeting_cancel_page, name="meeting-cancel"),
    path("meetings/<int:pk>/answer/", meetings_pages.meeting_answer_page, name="meeting-answer"),
    path("meetings/<int:pk>/reschedule/", meetings_pages.meeting_reschedule_page, name="meeting-reschedule"),
    path("meetings/calendar/", meetings_pages.calendar_subscription_page, name="calendar-subscription"),
    path("meetings/<int:pk>/deal/", deals_pages.meeting_deal_page, name="meeting-deal"),
    path("meetings/<int:pk>/samples/", deals_pages.meeting_sample_page, name="meeting-sample"),
    path("meetings/<int:pk>/feedback/", deals_pages.meeting_feedback_page, name="meeting-feedback"),
    path("meetings/samples/<int:pk>/", deals_pages.sample_status_page, name="sample-status"),
    path("floor/", meetings_pages.floor_page, name="floor"),
    path("floor/check-in/", meetings_pages.floor_check_in_page, name="floor-check-in"),
]
