"""Reads of the expo and its floor."""

from django.db.models import QuerySet

from expo.models import Expo, Hall


def expo_current(*, slug: str | None = None) -> Expo | None:
    """The expo named by `slug`, or the current one."""
    if slug:
        return Expo.objects.filter(slug=slug).first()
    return Expo.objects.current()


def hall_list(*, expo: Expo) -> QuerySet[Hall]:
    return Hall.objects.filter(expo=expo).order_by("code")


# --- Admin scoping -----------------------------------------------------------------------------
