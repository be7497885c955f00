"""Directory responses that every visitor sees alike, cached, and dropped the moment their data changes.

The exhibitor directory list and an exhibitor's page are the same for every visitor of one expo in
one language (the detail differs only by the serializer the view picks, which is part of the key).
Their serialised data is kept in Django's cache (Redis when `REDIS_URL` is set, so every worker
shares it; each process's own memory otherwise, which suits the single-process embedded server).

Invalidation is by version, never by expiry: every key carries the expo's *directory version* and
the *taxonomy version* (terms are shared by every expo). A write to what the directory shows (an
exhibitor, a booth, a hall, an exhibitor's facet links, a term, the expo itself) replaces the
version with a new random token at once and again when its transaction commits, so the next
request after the commit builds the response afresh and the old entries simply age out. A version is never reused, so an entry built
from old data can never be read again, even if the version key itself is evicted.

The cache is on when Redis is (`SHUTTLE_DIRECTORY_CACHE`, default: whether `REDIS_URL` is set): a
process's own memory would not see a change made through another process (gunicorn's other
workers, a Celery worker importing), so several processes need the shared cache to stay correct.
With Redis unreachable, reads answer from the database; a write then fails before it commits
(its version cannot be replaced), so nothing is changed that a cached answer would hide.

Keys also carry a digest of the code that shapes the answers (a deploy never reads what older
code stored), and `migrate` replaces the taxonomy version (data migrations send no signals).

Two kinds of writer bump: row saves and deletes through the ORM (admin, services, shell) via the
model signals wired in `expo.apps` (cache bookkeeping only, no domain flow), and bulk writes that
send no signals (imports, demo data), which call `directory_changed` themselves.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


@once
def _code_version() -> str:
    """A digest of the code that shapes the cached answers: a deploy that changes it never reads
    answers the previous code stored (Redis outlives deploys). Same code, same digest in every
    worker, so they share entries."""
    import expo.filters
    import expo.selectors.profiles
    import expo.serializers.profiles
    import expo.views.api.profiles

    digest = hashlib.sha256()
    for module in (expo.filters, expo.selectors.profiles, expo.serializers.profiles, expo.views.api.profiles):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


TAXONOMY_KEY = "shuttle:directory:taxonomy"
# Replaced by every write to any expo's row or directory: the per-process table of expos follows it.
EXPOS_KEY = "shuttle:directory:expos"
# Entries outlive any realistic gap between two writes; a new version makes them unreachable anyway.
ENTRY_TIMEOUT = 24 * 3600


def _expo_key(expo_id: int) -> str:
    return f"shuttle:directory:expo:{expo_id}"


def expo_version_key(expo_id: int) -> str:
    """The key of the expo's directory version (other caches of what the directory shows use it)."""
    return _expo_key(expo_id)


def _versions_of(keys: list[str]) -> list[str]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # First use (or evicted): a fresh token, never a reused one. `add` keeps a concurrent
            # request's token if it won the race, and the `get` reads whichever stayed.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key) or uuid.uuid4().hex
    return [found[key] for key in keys]


def _versions(expo_id: int) -> tuple[str, str]:
    expo_version, taxonomy_version = _versions_of([_expo_key(expo_id), TAXONOMY_KEY])
    return expo_version, taxonomy_version


def versions_get(keys: list[str]) -> list[str]:
    """The current tokens of version keys (one round trip when all exist); made on first use."""
    return _versions_of(keys)


def _fresh(keys) -> dict[str, str]:
    return {key: uuid.uuid4().hex for key in keys}


def versions_bump(keys: list[str]) -> None:
    """Replace the tokens of `keys` at once and again when the transaction commits.

    At once, so this transaction's own later reads see its writes, and again on commit: a request
    that read the first new version but the old rows (not yet committed) stored them under a
    version that the second bump retires.
    """
    keys = list(keys)
    if not keys:
        return
    cache.set_many(_fresh(keys), timeout=None)
    transaction.on_commit(lambda: cache.set_many(_fresh(keys), timeout=None))


def _bump(key: str) -> None:
    versions_bump([key])


def directory_changed(*, expo_id: int) -> None:
    """What the directory of `expo_id` shows changed: its cached responses are dropped on commit."""
    versions_bump([_expo_key(expo_id), EXPOS_KEY])


def expos_changed() -> None:
    """Which expo is current changed (a set-based update, no signal): the expo table is read again."""
    versions_bump([EXPOS_KEY])


_expos: dict = {"version": None, "by_slug": {}}


def expo_cached(slug: str | None):
    """The expo named by `slug`, or the current one (None when there is none), without a query
    while no expo has changed: a per-process table that follows EXPOS_KEY.

    The instance is shared by the requests of the process: read it, never change it. Without the
    shared cache it is read each time, as `expo_current` does.
    """
    from expo.selectors import expo_current

    if not settings.SHUTTLE_DIRECTORY_CACHE:
        return expo_current(slug=slug or None)
    try:
        version = _versions_of([EXPOS_KEY])[0]
    except Exception:
        logger.warning("directory cache unavailable; expo read from the database", exc_info=True)
        return expo_current(slug=slug or None)
    if _expos["version"] != version:
        _expos.update(version=version, by_slug={})
    found = _expos["by_slug"]
    if len(found) > 100:  # unknown slugs are remembered too (as None): keep the table small
        found.clear()
    if (slug or "") not in found:
        found[slug or ""] = expo_current(slug=slug or None)
    return found[slug or ""]


def taxonomy_changed() -> None:
    """A term changed: every expo's cached directory responses are dropped on commit."""
    _bump(TAXONOMY_KEY)


_term_names: dict = {"version": None, "names": {}}


def term_names(ids) -> dict[int, str]:
    """Term id → its name in the active language, for the given ids.

    Every term's names are read once per process and taxonomy version (a few hundred rows), not
    per request: a term's write replaces the version as for the directory. Without the shared
    cache (another process's write would go unseen), the names are read each time.
    """
    from expo.models import Term

    chinese = (translation.get_language() or "").startswith("zh")
    if not settings.SHUTTLE_DIRECTORY_CACHE:
        return {
            pk: (zh if chinese else en)
            for pk, en, zh in Term.objects.filter(pk__in=ids).values_list("pk", "name_en", "name_zh")
        }
    version = _versions_of([TAXONOMY_KEY])[0]
    if _term_names["version"] != version:
        names = {pk: (en, zh) for pk, en, zh in Term.objects.values_list("pk", "name_en", "name_zh")}
        _term_names.update(version=version, names=names)
    names = _term_names["names"]
    return {pk: names[pk][1 if chinese else 0] for pk in ids if pk in names}


def directory_cached(request, *, expo_id: int, variant: str, build: Callable[[], Any]) -> Any:
    """The data `build()` returns for this request, from the cache when an equal request built it.

    The key holds the expo's and the taxonomy's versions, the active language and time zone,
    `variant` (what else the view's answer depends on) and the absolute URL (pagination links carry
    the scheme and host). Only data is cached: an exception raised by `build` (a 400, a 404)
    propagates and nothing is stored.
    """
    if not settings.SHUTTLE_DIRECTORY_CACHE:
        return build()
    try:
        expo_version, taxonomy_version = _versions(expo_id)
    except Exception:  # the cache server unreachable: answer from the database, as without a cache
        logger.warning("directory cache unavailable; answering uncached", exc_info=True)
        return build()
    url = request.build_absolute_uri()
    parts = [
        _code_version(),
        str(expo_id),
        expo_version,
        taxonomy_version,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        variant,
        url,
    ]
    key = "shuttle:directory:response:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
    try:
        data = cache.get(key)
    except Exception:
        logger.warning("directory cache unavailable; answering uncached", exc_info=True)
        return build()
    if data is None:
        data = build()
        try:
            cache.set(key, data, timeout=ENTRY_TIMEOUT)
        except Exception:
            logger.warning("directory cache unavailable; answer not stored", exc_info=True)
    return data


def expo_with_values(slug: str | None, keys_for: Callable[[int], list[str]]):
    """`(expo, values)`: the expo as `expo_cached` gives it and the cache's values of
    `keys_for(expo.pk)` (absent keys left out), in one round trip while no expo changed.

    The expo of the last request for `slug` is taken as a guess; when the expo table changed
    meanwhile (or the slug is new to this process), the expo is read again and so are the keys.
    With the cache off or unreachable: `(expo_current(...), {})`.
    """
    from expo.selectors import expo_current

    if not settings.SHUTTLE_DIRECTORY_CACHE:
        return expo_current(slug=slug or None), {}
    guess = _expos["by_slug"].get(slug or "")
    try:
        found = cache.get_many([EXPOS_KEY, *(keys_for(guess.pk) if guess is not None else [])])
        if guess is not None and found.get(EXPOS_KEY) == _expos["version"]:
            found.pop(EXPOS_KEY)
            return guess, found
        expo = expo_cached(slug)
        return expo, (cache.get_many(keys_for(expo.pk)) if expo is not None else {})
    except Exception:
        logger.warning("directory cache unavailable; expo read from the database", exc_info=True)
        return expo_current(slug=slug or None), {}


# --- Receivers of model signals (wired in expo.apps); bookkeeping only --------------------------------


def _cache_receiver(function: Callable) -> Callable:
    # Marks the receiver as cache bookkeeping: a set-based delete that bumps the versions itself
    # may ignore it (expo.services.demo.reset).
    function.cache_only = True
    return function


def on_migrate(**kwargs) -> None:
    """Migrations may rewrite any row (data migrations send no model signals): drop every answer."""
    try:
        cache.set_many(_fresh([TAXONOMY_KEY, EXPOS_KEY]), timeout=None)
    except Exception:
        logger.warning(
            "directory cache unavailable after migrate; its answers were not dropped", exc_info=True
        )


@_cache_receiver
def on_expo_row(sender, instance, **kwargs) -> None:
    directory_changed(expo_id=instance.pk)


@_cache_receiver
def on_expo_part(sender, instance, **kwargs) -> None:
    """An exhibitor, booth or hall saved or deleted."""
    if instance.expo_id is not None:
        directory_changed(expo_id=instance.expo_id)


@_cache_receiver
def on_term(sender, instance, **kwargs) -> None:
    taxonomy_changed()


@_cache_receiver
def on_facet_links(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """An exhibitor's facet links changed (either side of the relation)."""
    if not action.startswith("post_"):
        return
    if not reverse:
        directory_changed(expo_id=instance.expo_id)
        return
    # From the term's side: the exhibitors concerned may span expos.
    from expo.models import Exhibitor

    expo_ids = Exhibitor.objects.filter(pk__in=pk_set or ()).values_list("expo_id", flat=True).distinct()
    if action == "post_clear" or not pk_set:
        expo_ids = Exhibitor.objects.values_list("expo_id", flat=True).distinct()
    for expo_id in expo_ids:
        directory_changed(expo_id=expo_id)
