from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.throttles import WINDOW_SECONDS, client_address, login_blocked, login_failed, login_succeeded


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts once an account or address failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. Please wait %(minutes)s minutes, or reset your password."
        ),
    }

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
    """Setting a new password through a reset link lifts the account's sign-in lock.

    Only the owner of the mailbox can do this, so a stranger who locks an account by guessing
    cannot keep its owner out.
    """

    def save(self, commit=True):
        user = super().save(commit=commit)
        login_succeeded(email=user.email)
        return user


class RegistrationForm(forms.Form):
    """Input of the registration page; the service does the checks shared with the API."""

    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
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
