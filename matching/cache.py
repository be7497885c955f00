"""A buyer's matches list (`GET matches/`), cached per buyer and dropped the moment it changes.

The list is the buyer's own, so each entry is keyed by the buyer and by who asks (the buyer's
own account, or "an organiser" for `?buyer=ID`), plus everything it shows depends on, each as a
version token that a write replaces (as the directory's, `expo.cache`):

- the buyer's version (`shuttle:matches:buyer:<id>`): replaced when the buyer is rescored
  (`incremental`), gives or takes back feedback, or their profile row is saved or deleted;
- the expo's served-run version: replaced when a full run is published (or a run deleted);
- the expo's directory version and the taxonomy version (`expo.cache`): an exhibitor, booth, hall
  or term changed (names, booths, reasons' figures and terms);
- the language, the time zone and the absolute URL (page, filters, `?buyer=`, `?expo=`).

Which buyer profile a user has at an expo is kept too (`shuttle:matches:buyer-of:<user>:<expo>`),
so a repeated request costs the token's query alone, and two round trips to the cache (the expo's
versions with that hint, then the buyer's version with the entry, which holds the versions it was
built under and is served only while all are current). That entry is only a hint: a saved
profile names itself in it (so the read after a profile save needs no query for it), a deleted
one drops it, and an answer is stored only after the database confirmed the buyer belongs to the
user (and to the expo); since a saved profile also replaces its version, a stale hint (a profile
given to another user) can never show another buyer's list.

The cache is on exactly when the directory's is (`SHUTTLE_DIRECTORY_CACHE`, default: whether
`REDIS_URL` is set): several processes need the shared cache to see each other's writes. With the
cache server unreachable, the list is answered from the database.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache as once
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from expo.cache import (
    ENTRY_TIMEOUT,
    TAXONOMY_KEY,
    expo_version_key,
    expo_with_values,
    versions_bump,
    versions_get,
)

logger = logging.getLogger(__name__)

NO_BUYER = 0  # the hint's value for "no buyer profile at this expo"


@once
def _code_version() -> str:
    """A digest of the code that shapes the list: a deploy never reads what older code stored."""
    import expo.cache
    import matching.cache
    import matching.filters
    import matching.reasons
    import matching.selectors
    import matching.serializers
    import matching.views.common
    import matching.views.matches

    digest = hashlib.sha256()
    for module in (
        expo.cache,
        matching.cache,
        matching.filters,
        matching.reasons,
        matching.selectors,
        matching.serializers,
        matching.views.common,
        matching.views.matches,
    ):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def _buyer_key(buyer_id: int) -> str:
    return f"shuttle:matches:buyer:{buyer_id}"


def _served_key(expo_id: int) -> str:
    return f"shuttle:matches:served:{expo_id}"


def _buyer_of_key(user_id: int, expo_id: int) -> str:
    return f"shuttle:matches:buyer-of:{user_id}:{expo_id}"


def _enabled() -> bool:
    return bool(settings.SHUTTLE_DIRECTORY_CACHE)


def matches_buyers_changed(*, buyer_ids: Iterable[int]) -> None:
    """The lists of these buyers changed (rescored, feedback): their cached answers are dropped."""
    if _enabled():
        versions_bump([_buyer_key(pk) for pk in sorted(set(buyer_ids))])


def matches_served_changed(*, expo_id: int) -> None:
    """Another run is served at the expo: every buyer's cached list there is dropped."""
    if _enabled():
        versions_bump([_served_key(expo_id)])


@dataclass
class MatchesLookup:
    """What the first round trip of a request found: its expo, the version tokens it read and the
    remembered buyer of the user (`hint`: None unknown, NO_BUYER none)."""

    expo: Any
    values: dict[str, Any] = field(default_factory=dict)
    hint: int | None = None


def matches_lookup(*, slug: str | None, user_id: int | None) -> MatchesLookup:
    """The request's expo with, in the same round trip, the versions every answer at that expo
    depends on and (for a buyer's own request, `user_id`) the remembered buyer profile."""

    def keys_for(expo_id: int) -> list[str]:
        keys = [_served_key(expo_id), expo_version_key(expo_id), TAXONOMY_KEY]
        return [*keys, _buyer_of_key(user_id, expo_id)] if user_id is not None else keys

    expo, values = expo_with_values(slug, keys_for)
    hint = values.get(_buyer_of_key(user_id, expo.pk)) if (expo is not None and user_id is not None) else None
    return MatchesLookup(expo=expo, values=values, hint=hint)


def matches_buyer_remember(*, user_id: int, expo_id: int, buyer_id: int | None) -> None:
    """Remember what the database said about the user's buyer profile at the expo."""
    if not _enabled():
        return
    try:
        cache.set(_buyer_of_key(user_id, expo_id), buyer_id or NO_BUYER, timeout=ENTRY_TIMEOUT)
    except Exception:
        logger.warning("matches cache unavailable; buyer not remembered", exc_info=True)


def _entry_key(request, *, expo_id: int, buyer_id: int, viewer: str) -> str:
    parts = [
        _code_version(),
        str(expo_id),
        str(buyer_id),
        viewer,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        request.build_absolute_uri(),
    ]
    return "shuttle:matches:list:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def matches_cached(
    request, *, lookup: MatchesLookup, buyer_id: int, viewer: str, build: Callable[[], Any]
) -> tuple[Any, bool]:
    """`(data, cached)`: the list `build()` returns for this request, from the cache when an equal
    request built it since the last change to what it shows (`cached` True), else built now.

    An entry holds the version tokens read *before* its data was built, and is served only while
    every one of them is still current: a write replaces a token at once and again on commit, so
    data read before a write's commit never passes for newer. `build` must check against the
    database that the buyer is `buyer_id`, at the expo, and may be seen by `viewer`, raising
    otherwise (nothing is stored then).
    """
    if not _enabled():
        return build(), False
    expo_id = lookup.expo.pk
    version_keys = [_buyer_key(buyer_id), _served_key(expo_id), expo_version_key(expo_id), TAXONOMY_KEY]
    key = _entry_key(request, expo_id=expo_id, buyer_id=buyer_id, viewer=viewer)
    try:
        found = {**lookup.values, **cache.get_many([_buyer_key(buyer_id), key])}
        if any(k not in found for k in version_keys):  # first use or evicted: fresh tokens
            found.update(zip(version_keys, versions_get(version_keys), strict=True))
    except Exception:
        logger.warning("matches cache unavailable; answering uncached", exc_info=True)
        return build(), False
    versions = [found[k] for k in version_keys]
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1], True
    data = build()
    try:
        cache.set(key, (versions, data), timeout=ENTRY_TIMEOUT)
    except Exception:
        logger.warning("matches cache unavailable; answer not stored", exc_info=True)
    return data, False


# --- Receivers of model signals (wired in matching.apps); cache bookkeeping only ------------------


def on_buyer_saved(sender, instance, **kwargs) -> None:
    """A buyer profile saved: its list (reasons quote its order and lead time) is dropped, and the
    user's hint names it (a hint only: answers are stored after the database confirmed it)."""
    if not _enabled():
        return
    matches_buyers_changed(buyer_ids=[instance.pk])
    matches_buyer_remember(user_id=instance.user_id, expo_id=instance.expo_id, buyer_id=instance.pk)


def on_buyer_deleted(sender, instance, **kwargs) -> None:
    """A buyer profile deleted: its list and the user's hint are dropped."""
    if not _enabled():
        return
    matches_buyers_changed(buyer_ids=[instance.pk])
    try:
        cache.delete(_buyer_of_key(instance.user_id, instance.expo_id))
    except Exception:
        logger.warning("matches cache unavailable; buyer hint not dropped", exc_info=True)


def on_feedback_row(sender, instance, **kwargs) -> None:
    """Feedback given, changed or taken back (API, pages, admin): the buyer's list shows it."""
    matches_buyers_changed(buyer_ids=[instance.buyer_id])


def on_run_saved(sender, instance, **kwargs) -> None:
    """A run published (saved completed): the served lists changed. Saves of pending, running or
    failed runs change none (runs are superseded only by the publishing of another)."""
    from matching.models import RunStatus

    if instance.status == RunStatus.COMPLETED:
        matches_served_changed(expo_id=instance.expo_id)


def on_run_deleted(sender, instance, **kwargs) -> None:
    matches_served_changed(expo_id=instance.expo_id)
