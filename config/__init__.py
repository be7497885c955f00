from . import checks  # noqa: F401  (registers the project's system checks)
from .celery_app import app as celery_app

__all__ = ("celery_app",)
