"""Celery app: Redis broker when REDIS_URL is set, tasks run eagerly in-process otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shuttle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
