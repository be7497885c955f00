"""Times in the expo's own zone: which zone a request, an email or a report works in.

Times are stored in UTC (USE_TZ). Every page, API response, `__date` filter and day grouping uses
Django's *current* time zone, so activating the expo's zone is all it takes: the middleware
below does it per request, for the expo of `?expo=SLUG` or the current expo, and
`expo_time_zone_override(expo)` does it where no request is (emails, tasks, commands).

The zone name of an expo is cached (no query per request): saving an expo refreshes its entry,
`expo_make_current` refreshes the current one, and entries expire after CACHE_SECONDS.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zoneinfo
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.throttles import UNREACHABLE

if TYPE_CHECKING:
    from expo.models import Expo

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")
CURRENT_KEY = "expo-tz:current"


def _slug_key(slug: str) -> str:
    return f"expo-tz:slug:{slug}"


def expo_time_zone_name(*, slug: str | None = None) -> str:
    """The zone name of the expo `slug` (or of the current expo); settings.TIME_ZONE if there is none."""
    from expo.models import Expo

    key = _slug_key(slug) if slug else CURRENT_KEY
    name = _cache_call(cache.get, key)
    if name is None:
        expos = Expo.objects.filter(slug=slug) if slug else Expo.objects.filter(is_current=True)
        name = expos.values_list("time_zone", flat=True).first() or ""
        _cache_call(cache.set, key, name, CACHE_SECONDS)
    return name or settings.TIME_ZONE


def _cache_call(method, *args):
    """A cache call that an unreachable cache (Redis down) turns into a miss: the database answers."""
    try:
        return method(*args)
    except UNREACHABLE:
        logger.warning("Cache unreachable: the expo's time zone is read from the database")
        return None


def expo_time_zone_remember(expo: Expo) -> None:
    """Refresh the cached zone of `expo` (and of "the current expo" when it is current)."""
    values = {_slug_key(expo.slug): expo.time_zone}
    if expo.is_current:
        values[CURRENT_KEY] = expo.time_zone
    _cache_call(cache.set_many, values, CACHE_SECONDS)


def expo_time_zone_forget(expo: Expo | None = None) -> None:
    """Drop cached zones: the current expo's, and `expo`'s own when given."""
    _cache_call(cache.delete_many, [CURRENT_KEY, *([_slug_key(expo.slug)] if expo is not None else [])])


def expo_saved(sender, instance, **kwargs) -> None:
    """post_save of Expo (connected in ExpoConfig.ready): cache the zone as saved."""
    expo_time_zone_remember(instance)


def expo_deleted(sender, instance, **kwargs) -> None:
    expo_time_zone_forget(instance)


@contextlib.contextmanager
def expo_time_zone_override(expo: Expo) -> Iterator[None]:
    """Render, filter by `__date` and group by day in `expo`'s zone inside the block (emails, tasks)."""
    with timezone.override(expo.tzinfo):
        yield


class ExpoTimeZoneMiddleware:
    """Activate the time zone of the request's expo (`?expo=SLUG`, else the current expo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        slug = request.GET.get("expo") or ""
        if not _SLUG.fullmatch(slug):
            slug = ""  # not a slug: no expo has it (the view says so); the current expo's zone meanwhile
        try:
            zone = zoneinfo.ZoneInfo(expo_time_zone_name(slug=slug or None))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
