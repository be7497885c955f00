"""Failed sign-in throttling, per account and per client address, shared by the web and the API.

Counters live in Django's cache (Redis in production, so every web process sees the same count;
locmem in tests and the embedded setup). A window opens at the first failure and lasts
`WINDOW_SECONDS`; once either counter reaches its limit, sign-in is refused for that account or
address until the window expires, even with the right password, so guessing gains nothing.
A successful sign-in clears the account's counter (not the address's: one shared office NAT
must not let an attacker reset its count by signing in to their own account).

We keep this small module instead of a library such as django-axes because the two sign-in
paths (Django's LoginView and the DRF token endpoint) call it explicitly with the same rule,
without extra authentication backends, middleware or database tables.
"""

import hashlib

from django.core.cache import cache
from rest_framework.settings import api_settings

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
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
    counts = cache.get_many([_key("account", email), _key("address", address)])
    return (
        counts.get(_key("account", email), 0) >= ACCOUNT_LIMIT
        or counts.get(_key("address", address), 0) >= ADDRESS_LIMIT
    )


def _increment(key: str) -> None:
    # add() opens the window only if none is open; incr() keeps the window's original expiry.
    if not cache.add(key, 1, timeout=WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=WINDOW_SECONDS)


def login_failed(*, email: str, address: str) -> None:
    """Count one failed sign-in against the account and the address."""
    _increment(_key("account", email))
    _increment(_key("address", address))


def login_succeeded(*, email: str) -> None:
    cache.delete(_key("account", email))
