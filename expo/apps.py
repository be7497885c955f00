from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class ExpoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expo"
    verbose_name = _("Expo")

    def ready(self) -> None:
        from expo import cache
        from expo.models import EXHIBITOR_FACETS, Booth, Exhibitor, Expo, Hall, Term
        from expo.timezones import expo_deleted, expo_saved

        # Cache upkeep only (no domain flow): the middleware reads each expo's zone from the cache.
        signals.post_save.connect(expo_saved, sender=Expo, dispatch_uid="expo-time-zone-saved")
        signals.post_delete.connect(expo_deleted, sender=Expo, dispatch_uid="expo-time-zone-deleted")
        # Cached directory responses follow every ORM write to what they show (expo/cache.py).
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(cache.on_expo_row, sender=Expo, dispatch_uid="directory-cache-expo")
            signal.connect(cache.on_term, sender=Term, dispatch_uid="directory-cache-term")
            for model in (Exhibitor, Booth, Hall):
                signal.connect(
                    cache.on_expo_part, sender=model, dispatch_uid=f"directory-cache-{model.__name__}"
                )
        signals.post_migrate.connect(cache.on_migrate, sender=self, dispatch_uid="directory-cache-migrate")
        for facet in EXHIBITOR_FACETS:
            through = getattr(Exhibitor, facet).through
            signals.m2m_changed.connect(
                cache.on_facet_links, sender=through, dispatch_uid=f"directory-cache-{facet}"
            )
