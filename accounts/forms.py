import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.mail import EmailMultiAlternatives
from django.core.validators import MaxLengthValidator
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import User
from accounts.services import api_tokens_revoke, user_password_set
from accounts.throttles import WINDOW_SECONDS, client_address, login_blocked, login_failed, login_succeeded
from accounts.validators import PASSWORD_MAX_LENGTH

logger = logging.getLogger(__name__)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts once an account or address failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. Please wait %(minutes)s minutes, or reset your password."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Refused before hashing: a megabyte "password" would tie up a worker in the slow hasher.
        self.fields["password"].max_length = PASSWORD_MAX_LENGTH
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if login_blocked(email=email, address=address):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": WINDOW_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(email=email, address=address)
            raise
        login_succeeded(email=email)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in form (staff only) under the same per-account and per-address limits."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": ThrottledAuthenticationForm.error_messages["throttled"],
    }


class ThrottleClearingSetPasswordForm(SetPasswordForm):
    """A new password through a link mailed to the address (reset or invitation).

    Only the owner of the mailbox can do this, so it lifts the account's sign-in lock (a stranger
    who locks an account by guessing cannot keep its owner out), confirms the address, and
    revokes the API tokens (`user_password_set`).
    """

    def save(self, commit=True):
        return user_password_set(
            user=self.user, password=self.cleaned_data["new_password1"], confirms_email=True
        )


class TokenRevokingPasswordChangeForm(PasswordChangeForm):
    """A signed-in person changes their password: their API tokens stop working."""

    def save(self, commit=True):
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class TokenRevokingAdminPasswordChangeForm(AdminPasswordChangeForm):
    """An organiser sets someone's password in the admin: that person's API tokens stop working."""

    def save(self, commit=True):
        user = super().save(commit=commit)  # a new password, or none (unusable)
        api_tokens_revoke(user=user)
        return user


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset form for every active account, invited (no password yet) or not.

    Django skips accounts without a usable password, so an imported person who never set one was
    told "sent" and got nothing. The address is looked up by its normal form, the email goes out
    in the person's language, and a failed delivery is recorded (`failed`) instead of only logged,
    so the page never claims to have sent what it could not.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = 0
        self.failed = 0

    def get_users(self, email):
        return User.objects.by_email(email).filter(is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        try:
            EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
        except Exception:  # any backend error: the page must say it was not sent
            logger.exception("Failed to send the password reset email to user %s", user.pk)
            self.failed += 1
        else:
            self.sent += 1


class LanguageForm(forms.Form):
    """The account page's language choice."""

    preferred_language = forms.ChoiceField(
        label=_("Language for pages and email"),
        choices=[(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
        widget=forms.RadioSelect,
    )


class RegistrationForm(forms.Form):
    """Input of the registration page; the service does the checks shared with the API."""

    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    company = forms.CharField(
        label=_("Company"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [("", "—"), *countries])
    # Each language named in itself, so a reader finds theirs whatever the page's language.
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
    )
