"""What a process loads on first use, loaded when it starts instead (web and Celery workers).

A fresh gunicorn worker used to spend its first request importing the views, reading the
translation catalogues, opening the database and cache connections, reading the term table and
encoding the current expo's exhibitors (about 700 ms at 5,000 exhibitors, against ~50 ms warm).
`gunicorn.conf.py` calls `process_warm()` once per worker after the application is loaded, and
Celery's `worker_process_init` once per worker process (with the compiled kernel, which full runs
use). Never at import time: `manage.py` commands do not pay for it.

Warming never stops a process from starting: a step that fails is logged and skipped (the first
request then loads it as before).
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def _current_expo_exhibitors() -> None:
    from expo.models import Expo
    from matching import scoring
    from matching.selectors import match_run_served
    from matching.services import loading

    expo = Expo.objects.current()
    run = match_run_served(expo=expo) if expo is not None else None
    if run is not None:
        loading.exhibitors_encode_cached(expo=expo, layout=scoring.Layout.from_json(run.layout))


def _urls() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view module  # noqa: B018


def _languages() -> None:
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Makes the fabrics you want: %(terms)s")


def _connections() -> None:
    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()
    try:
        cache.get("shuttle:warm")
    except Exception:  # the cache is optional at start; requests fall back without it
        logger.warning("cache unreachable while warming", exc_info=True)


def _tables() -> None:
    from expo.cache import expo_cached, term_names

    expo_cached(None)
    term_names([])


def _kernel() -> None:
    from matching import scoring

    if scoring.default_engine() == "numba":
        scoring._get_kernel()  # from numba's on-disk cache when compiled before


def process_warm(*, kernel: bool = False) -> dict[str, float]:
    """Load what the first request (or task) would; returns seconds per step, for the log."""
    steps = [
        ("connections", _connections),
        ("urls", _urls),
        ("languages", _languages),
        ("tables", _tables),
        ("exhibitors", _current_expo_exhibitors),
    ]
    if kernel:
        steps.append(("kernel", _kernel))
    took: dict[str, float] = {}
    for name, step in steps:
        started = time.perf_counter()
        try:
            step()
        except Exception:
            logger.warning("warming %s failed; the first use loads it", name, exc_info=True)
        took[name] = round(time.perf_counter() - started, 4)
    logger.info("process warmed in %.3f s: %s", sum(took.values()), took)
    return took
