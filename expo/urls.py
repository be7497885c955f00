from django.urls import path

from expo import views

app_name = "expo"

urlpatterns = [
    path("taxonomy/", views.TaxonomyListApi.as_view(), name="taxonomy"),
    path("auth/register/", views.BuyerRegisterApi.as_view(), name="register"),
    path("buyers/me/", views.BuyerMeApi.as_view(), name="buyer-me"),
    path("exhibitors/", views.ExhibitorListApi.as_view(), name="exhibitor-list"),
    path("exhibitors/<int:pk>/", views.ExhibitorDetailApi.as_view(), name="exhibitor-detail"),
]

page_urlpatterns = [
    path("", views.home_page, name="home"),
    path("accounts/register/", views.register_page, name="register"),
    path("profile/", views.profile_page, name="profile"),
    path("exhibitors/", views.directory_page, name="directory"),
    path("exhibitors/<int:pk>/", views.exhibitor_page, name="exhibitor"),
]
