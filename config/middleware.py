"""Request guards that belong to no app: text the database cannot store, and the page security policy.

PostgreSQL refuses a NUL character in any text value, and UTF-8 cannot encode a lone surrogate
(JSON can carry one as "\\ud800"); either would surface as a 500 wherever the value reaches a query.
They are refused once, here, for query strings and forms, and in `config.parsers` for API
bodies: a 400 naming the field, before any view runs.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_SURROGATE = re.compile("[\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def unstorable_reason(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None if it can."""
    if "\x00" in value:
        return _("Null characters are not allowed.")
    if _SURROGATE.search(value):
        return _("Text must be valid Unicode: lone surrogate characters are not allowed.")
    return None


def _printable(name: str) -> str:
    return name.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def unstorable_field(items: Iterable[tuple[str, object]]) -> tuple[str, str] | None:
    """The first (field name, reason) whose name or value, at any depth, cannot be stored; else None.

    `items` are (name, value) pairs: a dict's items, or a QueryDict's lists(). Nested values
    (lists, dicts) are reported under their top-level field.
    """
    for name, value in items:
        reason = unstorable_reason(name) if isinstance(name, str) else None
        if reason is None:
            reason = _nested_reason(value)
        if reason is not None:
            return _printable(str(name)), reason
    return None


def _nested_reason(value) -> str | None:
    if isinstance(value, str):
        return unstorable_reason(value)
    if isinstance(value, dict):
        found = unstorable_field(value.items())
        return found[1] if found else None
    if isinstance(value, list | tuple):
        for item in value:
            reason = _nested_reason(item)
            if reason is not None:
                return reason
    return None


def unstorable_response(request, field: str, reason: str):
    """400 naming the field: JSON in the API's error format under /api/, the site's 400 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"{field}: {reason}", field: [reason]}, status=400)
    return render(request, "400.html", {"field": field, "reason": reason}, status=400)


def form_shows_unstorable_text(view):
    """Mark a page whose form refuses such text itself, next to the field in the page (its fields
    are Django form fields, which refuse NUL characters), instead of the site's 400 page. Query
    strings are still checked here."""
    view.form_shows_unstorable_text = True
    return view


class UnstorableTextMiddleware:
    """Refuses query parameters and form fields (names or values) the database cannot store.

    The check runs just before the view (after sign-in and the person's language are known), so
    the 400 page is in the reader's language and shows who is signed in, like every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        found = unstorable_field(request.GET.lists())
        posted = request.method == "POST" and request.content_type in FORM_TYPES
        if found is None and posted and not getattr(view_func, "form_shows_unstorable_text", False):
            found = unstorable_field(request.POST.lists())
        if found is not None:
            return unstorable_response(request, *found)
        return None


class AdminSelectedObjectsMiddleware:
    """Refuses an admin action naming objects by ids that are not ids (`_selected_action=abc`).

    Django's admin filters `pk__in` with the posted values as they come, so one that is not a valid
    primary key was a 500. The admin's views carry their `model_admin`, whose primary key field
    says what a valid id is (a number for most models, a key string for API tokens).
    """

    FIELD = "_selected_action"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or request.method != "POST" or request.content_type not in FORM_TYPES:
            return None
        primary_key = model_admin.model._meta.pk
        for value in request.POST.getlist(self.FIELD):
            try:
                primary_key.clean(value, None)
            except ValidationError:
                return unstorable_response(
                    request, self.FIELD, _("Not an id: %(value)s.") % {"value": value[:40]}
                )
        return None


class ContentSecurityPolicyMiddleware:
    """Sends `settings.CONTENT_SECURITY_POLICY` with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
