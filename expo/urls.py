from django.urls import path

from expo.views.api import profiles as profiles_api
from expo.views.api import taxonomy as taxonomy_api
from expo.views.pages import profiles as profiles_pages

app_name = "expo"

urlpatterns = [
    path("taxonomy/", taxonomy_api.TaxonomyListApi.as_view(), name="taxonomy"),
    path("auth/register/", profiles_api.BuyerRegisterApi.as_view(), name="register"),
    path("buyers/me/", profiles_api.BuyerMeApi.as_view(), name="buyer-me"),
    path("exhibitors/", profiles_api.ExhibitorListApi.as_view(), name="exhibitor-list"),
    path("exhibitors/<int:pk>/", profiles_api.ExhibitorDetailApi.as_view(), name="exhibitor-detail"),
]

page_urlpatterns = [
    path("", profiles_pages.home_page, name="home"),
    path("accounts/register/", profiles_pages.register_page, name="register"),
    path("profile/", profiles_pages.profile_page, name="profile"),
    path("exhibitors/", profiles_pages.directory_page, name="directory"),
    path("exhibitors/<int:pk>/", profiles_pages.exhibitor_page, name="exhibitor"),
]
