"""Refusals that belong to serving, not to loading settings, so offline commands still run.

`check --deploy` reports a missing SECRET_KEY; the WSGI and ASGI entry points (gunicorn,
runserver) refuse to start without one.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MESSAGE = "SECRET_KEY is required when DJANGO_DEBUG is off."


@checks.register(checks.Tags.security, deploy=True)
def secret_key_set(app_configs, **kwargs) -> list[checks.Error]:
    if settings.SECRET_KEY_MISSING:
        return [
            checks.Error(
                SECRET_KEY_MESSAGE, hint="Set SECRET_KEY in the environment or .env.", id="shuttle.E001"
            )
        ]
    return []


def require_secret_key() -> None:
    """Called by the WSGI and ASGI entry points: a server never starts on a throwaway key."""
    if settings.SECRET_KEY_MISSING:
        raise ImproperlyConfigured(SECRET_KEY_MESSAGE)
