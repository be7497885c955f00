from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expo"
    verbose_name = _("Expo")
