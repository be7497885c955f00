from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from expo.models import Buyer
        from matching import cache, receivers  # noqa: F401 (connects the one receiver module)
        from matching.models import MatchFeedback, MatchRun

        # Cache upkeep only (no domain flow): cached matches lists follow every ORM write to what
        # they show (matching/cache.py); rescoring replaces rows in bulk and says so itself.
        signals.post_save.connect(
            cache.on_buyer_saved, sender=Buyer, dispatch_uid="matches-cache-buyer-saved"
        )
        signals.post_delete.connect(
            cache.on_buyer_deleted, sender=Buyer, dispatch_uid="matches-cache-buyer-deleted"
        )
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(cache.on_feedback_row, sender=MatchFeedback, dispatch_uid="matches-cache-feedback")
        signals.post_save.connect(cache.on_run_saved, sender=MatchRun, dispatch_uid="matches-cache-run-saved")
        signals.post_delete.connect(
            cache.on_run_deleted, sender=MatchRun, dispatch_uid="matches-cache-run-deleted"
        )
