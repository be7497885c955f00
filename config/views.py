"""Infrastructure endpoints that belong to no domain app."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not ok"; the log keeps the reason
        logger.exception("Health check: database unreachable")
        return "error"
    return "ok"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker unreachable")
        return "error"
    return "ok"


class HealthApi(APIView):
    """Liveness of the web process, its database and its Celery broker (no sign-in needed)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(["ok", "error"]),
                "database": serializers.ChoiceField(["ok", "error"]),
                "broker": serializers.ChoiceField(["ok", "eager", "error"]),
            },
        ),
    )
    def get(self, request):
        database, broker = _database_status(), _broker_status()
        healthy = database == "ok" and broker in ("ok", "eager")
        body = {"status": "ok" if healthy else "error", "database": database, "broker": broker}
        return Response(body, status=200 if healthy else 503)


def bad_request(request, exception=None):
    """400 for a request Django refused before any view (bad Host, too many fields…); a body over
    `DATA_UPLOAD_MAX_MEMORY_SIZE` is 413. JSON with `detail` under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": _("The request body is too large.")}, status=413)
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    try:
        return render(request, "400.html", status=400)
    except Exception:  # a request refused for its Host header can break the page's own links
        logger.exception("The 400 page could not be rendered with its request")
        return defaults.bad_request(request, exception)


def server_error(request):
    """500: JSON with `detail` under /api/ (never an HTML page to an API client), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request)


def not_found(request, exception=None):
    """404 for any path: JSON with `detail` under /api/ (the API's error format), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def favicon(request):
    """/favicon.ico, where browsers and feed readers look first: the static icon (hashed in production)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
