"""Sign-in (API token and web), email confirmation and the Django auth pages' tweaks."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import (
    AccountPasswordResetForm,
    LanguageForm,
    ThrottleClearingSetPasswordForm,
    ThrottledAuthenticationForm,
    TokenRevokingPasswordChangeForm,
)
from accounts.languages import language_valid
from accounts.models import email_normal
from accounts.ratelimits import (
    CONFIRM_RESEND_PER_USER,
    RESET_PER_ADDRESS,
    RESET_PER_EMAIL,
    Limit,
    rate_limit_hit,
)
from accounts.serializers import (
    EmailConfirmInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserSerializer,
)
from accounts.services import api_tokens_revoke, user_language_set
from accounts.throttles import WINDOW_SECONDS, client_address, login_blocked, login_failed, login_succeeded
from accounts.tokens import email_confirm, email_confirmation_send, invitation_token_generator

# The language a visitor picked before signing in (the switcher on the sign-in page): it wins
# over the one saved on their account, and is saved there when they sign in.
SESSION_LANGUAGE_CHOSEN = "language_chosen"


class RateLimited(exceptions.APIException):
    """429 with Retry-After, naming the action that was refused."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, *, limit: Limit, detail: str | None = None):
        self.wait = limit.window
        super().__init__(
            detail=detail
            or _("Too many requests. Please try again in %(minutes)s minutes.") % {"minutes": limit.minutes}
        )


class LoginThrottled(exceptions.APIException):
    """429 with Retry-After (DRF's handler adds the header from `wait`)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, *, wait: int, detail: str):
        self.wait = wait
        super().__init__(detail=detail)


class TokenObtainApi(APIView):
    """Exchange email and password for an API token (the same token on every call)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email, password = data.validated_data["email"], data.validated_data["password"]
        address = client_address(request)
        if login_blocked(email=email, address=address):
            raise LoginThrottled(
                wait=WINDOW_SECONDS,
                detail=_("Too many failed sign-in attempts. Please wait %(minutes)s minutes.")
                % {"minutes": WINDOW_SECONDS // 60},
            )
        user = authenticate(request, email=email, password=password)
        if user is None:
            login_failed(email=email, address=address)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to sign in with this email address and password.")]}
            )
        login_succeeded(email=email)
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenOutputSerializer({"token": token.key}).data)


class MeApi(APIView):
    """The signed-in user's account."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class EmailConfirmApi(APIView):
    """Confirm an email address with the token from the emailed link."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=EmailConfirmInputSerializer,
        responses={
            200: inline_serializer(
                "EmailConfirmed",
                {"detail": serializers.CharField(), "email_confirmed": serializers.BooleanField()},
            )
        },
    )
    def post(self, request):
        data = EmailConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = email_confirm(token=data.validated_data["token"])
        return Response(
            {"detail": _("Your email address is confirmed."), "email_confirmed": user.email_confirmed}
        )


class TokenRevokeApi(APIView):
    """Revoke the caller's own API token (sign out of the app); sign in again for a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


class EmailConfirmResendApi(APIView):
    """Send the signed-in user a new confirmation link (at most 3 an hour)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: _DETAIL, 202: _DETAIL},
        description="202 when a new link is sent; 200 when the address is already confirmed.",
    )
    def post(self, request):
        if request.user.email_confirmed:
            return Response({"detail": _("Your email address is already confirmed.")})
        if rate_limit_hit(CONFIRM_RESEND_PER_USER, str(request.user.pk)):
            raise RateLimited(limit=CONFIRM_RESEND_PER_USER)
        email_confirmation_send(user=request.user, base_url=request.build_absolute_uri("/"))
        return Response(
            {"detail": _("A new confirmation link is on its way.")}, status=status.HTTP_202_ACCEPTED
        )


# --- Pages ------------------------------------------------------------------------------------


def _language_cookie(response, language: str):
    """Keep `language` in the cookie too, so pages stay in it after signing out."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in page with failed-attempt throttling, in the language the person chose.

    A language picked on the page before signing in wins and is saved on the account; otherwise
    the account's saved language applies from now on.
    """

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        chosen = self.request.session.get(SESSION_LANGUAGE_CHOSEN)
        user = form.get_user()
        if chosen and language_valid(chosen):
            user_language_set(user=user, language=chosen)
        response = super().form_valid(form)
        self.request.session.pop(SESSION_LANGUAGE_CHOSEN, None)
        translation.activate(user.preferred_language)
        return _language_cookie(response, user.preferred_language)


def language_set(request):
    """The header's language switcher (Django's `set_language`), remembering the choice.

    Signed in, the choice is saved on the account; signed out, it is kept in the session until
    the person signs in, when it is saved (LoginView).
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and language_valid(language):
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        else:
            request.session[SESSION_LANGUAGE_CHOSEN] = language
    return response


RESET_REFUSED = gettext_lazy(
    "We already sent several links. The last one still works: check your email, or try again in %(minutes)s minutes."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page for every active account, rate-limited, honest about delivery.

    Says "sent" whether or not an account uses the address (no probing), but when mail to an
    existing account could not be sent it says so (503), and past the limits it refuses (429).
    """

    form_class = AccountPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        for limit, key in (
            (RESET_PER_ADDRESS, client_address(self.request)),
            (RESET_PER_EMAIL, email_normal(email)),
        ):
            if rate_limit_hit(limit, key):
                form.add_error("email", RESET_REFUSED % {"minutes": limit.minutes})
                return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().form_valid(form)
        if form.failed:
            form.add_error(
                None, _("We could not send the email just now. Please try again in a few minutes.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=503)
        return response


class InPersonsLanguageMixin:
    """A page reached by a valid emailed link, in the language of the person it was sent to."""

    def dispatch(self, *args, **kwargs):
        user = self.get_user(kwargs["uidb64"])
        token = kwargs["token"]
        if token == self.reset_url_token:
            token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        if user is not None and self.token_generator.check_token(user, token):
            translation.activate(user.preferred_language)
            self.request.LANGUAGE_CODE = user.preferred_language
        return super().dispatch(*args, **kwargs)


class PasswordResetConfirmView(InPersonsLanguageMixin, auth_views.PasswordResetConfirmView):
    form_class = ThrottleClearingSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class InvitationAcceptView(InPersonsLanguageMixin, auth_views.PasswordResetConfirmView):
    """The link of an invitation: choose a password, which confirms the address and signs in.

    Then the person lands where their role starts (`expo:start`).
    """

    token_generator = invitation_token_generator
    form_class = ThrottleClearingSetPasswordForm
    template_name = "accounts/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def get_success_url(self):
        return reverse("expo:start")

    def form_valid(self, form):
        response = super().form_valid(form)
        translation.activate(form.user.preferred_language)
        return _language_cookie(response, form.user.preferred_language)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = TokenRevokingPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Your new password is set. Apps signed in with the old one must sign in again.")
        )
        return response


@login_required
def account_page(request):
    """The signed-in person's account: language, password, address confirmation."""
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"preferred_language": request.user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        user_language_set(user=request.user, language=form.cleaned_data["preferred_language"])
        translation.activate(request.user.preferred_language)
        messages.success(request, _("Your language is saved."))
        return _language_cookie(redirect("accounts:account"), request.user.preferred_language)
    return render(request, "accounts/account.html", {"form": form}, status=400 if form.errors else 200)


def email_confirm_page(request, token: str):
    try:
        email_confirm(token=token)
    except ValidationError as exc:
        return render(
            request, "accounts/email_confirm.html", {"error": exc.message_dict["token"][0]}, status=400
        )
    return render(request, "accounts/email_confirm.html", {"error": None})


@require_POST
@login_required
def email_confirm_resend_page(request):
    if request.user.email_confirmed:
        messages.info(request, _("Your email address is already confirmed."))
    elif rate_limit_hit(CONFIRM_RESEND_PER_USER, str(request.user.pk)):
        messages.error(
            request,
            _("We already sent several links. Please check your email, or try again in %(minutes)s minutes.")
            % {"minutes": CONFIRM_RESEND_PER_USER.minutes},
        )
    else:
        email_confirmation_send(user=request.user, base_url=request.build_absolute_uri("/"))
        messages.success(
            request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)
