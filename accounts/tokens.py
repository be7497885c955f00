"""Email confirmation: a signed, expiring token bound to the user and the address it was sent to.

The token carries the user id and the email address, signed with SECRET_KEY (django.core.signing),
so it needs no table, and changing the address invalidates links sent to the old one.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext_lazy as _

from accounts.models import email_normal

SALT = "accounts.email-confirmation"
MAX_AGE_SECONDS = 7 * 24 * 3600


def email_confirmation_token(*, user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT, compress=True)


def email_confirmation_user(*, token: str):
    """The user a valid, unexpired token was issued to; ValidationError naming `token` otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise ValidationError({"token": _("This confirmation link has expired.")}) from exc
    except signing.BadSignature as exc:
        raise ValidationError({"token": _("This confirmation link is not valid.")}) from exc
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.email_key != email_normal(str(data.get("email", ""))):
        raise ValidationError({"token": _("This confirmation link is not valid.")})
    return user


def email_confirm(*, token: str):
    """Mark the token's user as having confirmed their address; returns the user."""
    user = email_confirmation_user(token=token)
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
    return user


def email_confirmation_send(*, user, base_url: str) -> None:
    """Send the confirmation link, in the user's preferred language, through Django's mail API.

    `base_url` is scheme and host, e.g. "https://expo.example.com" (request.build_absolute_uri("/")).
    """
    path = reverse("accounts:confirm-email", kwargs={"token": email_confirmation_token(user=user)})
    context = {
        "user": user,
        "url": base_url.rstrip("/") + path,
        "days": MAX_AGE_SECONDS // 86400,
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/confirm_subject.txt", context).strip()
        body = render_to_string("accounts/email/confirm_body.txt", context)
    send_mail(subject, body, None, [user.email])


# --- Invitations ---------------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Set-password links of invitations: Django's reset tokens, with their own salt and lifetime.

    Invitations go out weeks before the expo, so they last `INVITATION_DAYS` (reset links last
    settings.PASSWORD_RESET_TIMEOUT). Like reset links they work once: the token hashes the
    password and the last sign-in, which setting the password changes. A reset token is not an
    invitation token nor the other way round (different salts).
    """

    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= INVITATION_DAYS * 24 * 3600


INVITATION_DAYS = 14
invitation_token_generator = InvitationTokenGenerator()
