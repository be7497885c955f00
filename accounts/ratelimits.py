"""Request rate limits for actions that send email or create accounts, shared by pages and API.

A fixed window per key in Django's cache (Redis in production): the window opens at the first
request and lasts `window` seconds; `rate_limit_hit` counts one request and says whether it is
over the limit. Keys are hashed, so no address is stored in the cache in clear.

| action | per | limit |
|---|---|---|
| registration | client address | 10 an hour |
| password reset | address asked for (normal form) | 3 an hour |
| password reset | client address | 20 an hour |
| confirmation resend | account | 3 an hour |
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds

    @property
    def minutes(self) -> int:
        return self.window // 60


REGISTER_PER_ADDRESS = Limit("register-address", 10, 3600)
RESET_PER_EMAIL = Limit("reset-email", 3, 3600)
RESET_PER_ADDRESS = Limit("reset-address", 20, 3600)
CONFIRM_RESEND_PER_USER = Limit("confirm-resend-user", 3, 3600)


def _key(limit: Limit, value: str) -> str:
    return f"rate:{limit.scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def rate_limit_hit(limit: Limit, value: str) -> bool:
    """Count one request for `value`; True when it is beyond the limit (refuse it)."""
    key = _key(limit, value)
    if cache.add(key, 1, timeout=limit.window):
        return limit.limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(key, 1, timeout=limit.window)
        count = 1
    return count > limit.limit
