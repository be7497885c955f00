"""Calendar subscriptions: one secret feed address per person, revocable and regenerable.

A phone calendar subscribes to `/api/v1/meetings/calendar/<token>.ics` and follows every change
without signing in; the token is the only credential, so it is long, random and unique, and
revoking deletes the row (the old address answers 404 at once).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_calendar_token() -> str:
    """About 256 bits, URL-safe: the whole secret of a subscription address."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return str(self.user)
