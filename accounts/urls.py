"""API routes of the accounts app (included under /api/v1/); pages are in `page_urlpatterns`.

Registration lives in the expo app (`auth/register/`), since it also creates the buyer profile.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeApi.as_view(), name="token-revoke"),
    path("auth/me/", views.MeApi.as_view(), name="me"),
    path("auth/confirm-email/", views.EmailConfirmApi.as_view(), name="confirm-email"),
    path("auth/confirm-email/resend/", views.EmailConfirmResendApi.as_view(), name="confirm-email-resend"),
]

page_urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation"),
    path("accounts/account/", views.account_page, name="account"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/confirm/<str:token>/", views.email_confirm_page, name="confirm-email"),
    path("accounts/confirm-resend/", views.email_confirm_resend_page, name="confirm-email-resend"),
]
