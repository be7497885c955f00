"""Sign-in (API token and web), email confirmation and the Django auth pages' tweaks."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import ThrottledAuthenticationForm
from accounts.serializers import (
    EmailConfirmInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserSerializer,
)
from accounts.throttles import WINDOW_SECONDS, client_address, login_blocked, login_failed, login_succeeded
from accounts.tokens import email_confirm, email_confirmation_send


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

    @extend_schema(request=EmailConfirmInputSerializer, responses={200: UserSerializer})
    def post(self, request):
        data = EmailConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = email_confirm(token=data.validated_data["token"])
        return Response(
            {"detail": _("Your email address is confirmed."), "email_confirmed": user.email_confirmed}
        )


class EmailConfirmResendApi(APIView):
    """Send the signed-in user a new confirmation link."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: None})
    def post(self, request):
        if request.user.email_confirmed:
            return Response({"detail": _("Your email address is already confirmed.")})
        email_confirmation_send(user=request.user, base_url=request.build_absolute_uri("/"))
        return Response(
            {"detail": _("A new confirmation link is on its way.")}, status=status.HTTP_202_ACCEPTED
        )


# --- Pages ------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in page with failed-attempt throttling; switches to the user's language."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


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
    else:
        email_confirmation_send(user=request.user, base_url=request.build_absolute_uri("/"))
        messages.success(
            request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)
