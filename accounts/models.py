import unicodedata

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def email_normal(email: str) -> str:
    """The one normal form of an email address: Unicode NFKC, then case-folded, trimmed.

    Lookup, uniqueness and the sign-in throttle all compare this form, so look-alike spellings that
    fold together (`ſ` and `s`, full-width letters, `ß` and `ss`) are one account and one counter,
    and spellings that do not (a dotless `ı`) are neither the account nor its counter.
    """
    return unicodedata.normalize("NFKC", (email or "").strip()).casefold()


class EmailKeyField(models.CharField):
    """`User.email_key`: always `email_normal(email)`, computed on every write, bulk inserts included."""

    def pre_save(self, model_instance, add):
        value = email_normal(model_instance.email)
        setattr(model_instance, self.attname, value)
        return value


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    EXHIBITOR_STAFF = "exhibitor_staff", _("Exhibitor staff")
    ORGANISER = "organiser", _("Organiser")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email.strip()), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ORGANISER)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email_key=email_normal(username))

    def by_email(self, email: str):
        """The account with this address in any spelling that folds to the same normal form."""
        return self.filter(email_key=email_normal(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address: a buyer, an exhibitor's staff, an organiser."""

    # As typed, for delivery; `email_key` is what is compared. `unique` stays because Django's
    # auth checks demand it of USERNAME_FIELD; the normal form is the stricter rule.
    email = models.EmailField(_("email address"), unique=True)
    email_key = EmailKeyField(
        _("email address (normal form)"),
        max_length=254,
        unique=True,
        blank=True,  # filled in by clean() and on save, never typed
        editable=False,
        error_messages={"unique": _("A user with this email address already exists.")},
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BUYER)
    email_confirmed = models.BooleanField(_("email confirmed"), default=False)
    invited_at = models.DateTimeField(
        _("invited"),
        null=True,
        blank=True,
        help_text=_("When the last invitation to set a password was sent."),
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can sign in to the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        # Before validate_unique, so full_clean() reports a look-alike of a taken address.
        self.email_key = email_normal(self.email)

    @property
    def is_organiser(self) -> bool:
        return self.is_superuser or self.role == Role.ORGANISER

    @property
    def is_exhibitor_staff(self) -> bool:
        """Staff of an exhibitor; which one is `expo.ExhibitorStaff` (accounts never imports expo)."""
        return self.role == Role.EXHIBITOR_STAFF

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER
