"""Failed sign-in throttling, per account and per client address, shared by the web and the API.

Counters live in Django's cache (Redis in production, so every web process sees the same count;
locmem in tests and the embedded setup). A window opens at the first failure and lasts
`WINDOW_SECONDS`; once either counter reaches its limit, sign-in is refused for that account or
address until the window expires, even with the right password, so guessing gains nothing.
A successful sign-in clears the account's counter (not the address's: one shared office NAT
must not let an attacker reset its count by signing in to their own account).

If the shared cache cannot be reached (Redis down), sign-in keeps working and the rule still
holds: failures are then counted in a local-memory cache of each web process, which is also
consulted on every check, so failures counted during an outage keep counting once Redis is back.
During an outage an attacker spread over N web processes gets at most N times the limit, never
an open door.

We keep this small module instead of a library such as django-axes because the two sign-in
paths (Django's LoginView and the DRF token endpoint) call it explicitly with the same rule,
without extra authentication backends, middleware or database tables.
"""

import hashlib
import logging

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings

from accounts.models import email_normal

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20

logger = logging.getLogger(__name__)
# What the shared cache raises when it cannot be reached (Redis errors; socket errors of others).
UNREACHABLE = (RedisError, OSError)
# This process's own counters, used while the shared cache is unreachable.
local_counts = LocMemCache(
    "accounts.throttles", {"TIMEOUT": WINDOW_SECONDS, "OPTIONS": {"MAX_ENTRIES": 100_000}}
)


def _unreachable(action: str, exc: Exception) -> None:
    logger.warning(
        "Sign-in throttle: the shared cache is unreachable (%s: %s); counting in this process.", action, exc
    )


def _key(scope: str, value: str) -> str:
    # Accounts count under the address's normal form, the same key the database looks them up by.
    value = email_normal(value) if scope == "account" else value.strip().lower()
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"login-failures:{scope}:{digest}"


def client_address(request) -> str:
    """The client's address.

    REMOTE_ADDR, unless REST_FRAMEWORK["NUM_PROXIES"] says how many reverse proxies stand in
    front: then the address that many hops from the right of X-Forwarded-For (the one the outermost
    trusted proxy saw). The header is never trusted without that setting, since clients can
    forge it to dodge the per-address count.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def login_blocked(*, email: str, address: str) -> bool:
    """Whether sign-in attempts for this account or from this address are refused for now."""
    keys = [_key("account", email), _key("address", address)]
    counts = local_counts.get_many(keys)
    try:
        shared = cache.get_many(keys)
    except UNREACHABLE as exc:
        _unreachable("read", exc)
    else:
        counts = {key: max(counts.get(key, 0), shared.get(key, 0)) for key in keys}
    return counts.get(keys[0], 0) >= ACCOUNT_LIMIT or counts.get(keys[1], 0) >= ADDRESS_LIMIT


def _increment_in(store, key: str) -> None:
    # add() opens the window only if none is open; incr() keeps the window's original expiry.
    if not store.add(key, 1, timeout=WINDOW_SECONDS):
        try:
            store.incr(key)
        except ValueError:  # expired between add() and incr()
            store.add(key, 1, timeout=WINDOW_SECONDS)


def _increment(key: str) -> None:
    try:
        _increment_in(cache, key)
    except UNREACHABLE as exc:
        _unreachable("count", exc)
        _increment_in(local_counts, key)


def login_failed(*, email: str, address: str) -> None:
    """Count one failed sign-in against the account and the address."""
    _increment(_key("account", email))
    _increment(_key("address", address))


def login_succeeded(*, email: str) -> None:
    local_counts.delete(_key("account", email))
    try:
        cache.delete(_key("account", email))
    except UNREACHABLE as exc:
        _unreachable("clear", exc)
