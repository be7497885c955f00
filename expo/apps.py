from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expo"
    verbose_name = _("Expo")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from expo.models import Expo
        from expo.timezones import expo_deleted, expo_saved

        # Cache upkeep only (no domain flow): the middleware reads each expo's zone from the cache.
        post_save.connect(expo_saved, sender=Expo, dispatch_uid="expo-time-zone-saved")
        post_delete.connect(expo_deleted, sender=Expo, dispatch_uid="expo-time-zone-deleted")
