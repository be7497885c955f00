from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    EXHIBITOR_STAFF = "exhibitor_staff", _("Exhibitor staff")
    ORGANISER = "organiser", _("Organiser")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
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
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address: a buyer, an exhibitor's staff, an organiser."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BUYER)
    email_confirmed = models.BooleanField(_("email confirmed"), default=False)
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
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

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
