"""API plumbing shared by every app, depending on none: pagination, `Conflict`, one error format.

The request parsers are in `config.parsers` (DRF reads them while `rest_framework.views`, which
this module imports, is being loaded).

Every error body carries `detail` (a human sentence). Validation errors also carry one key per
offending field, as DRF does, so `{"detail": "price_min_cny: …", "price_min_cny": ["…"]}`.

Services raise Django's `ValidationError` for bad input (→ 400) and `Conflict` when the request is
valid but the world disagrees (→ 409). An `IntegrityError` nobody expected is a bug: it is not
mapped here and surfaces as a 500 (STYLE.md section 2).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


def route_by_method(**views):
    """One URL served by one view per HTTP method: `route_by_method(GET=ListApi, POST=StartApi)`.

    A command keeps its own view class (STYLE.md section 4) even where the contract puts it on the
    same path as a list (`POST match-runs/` beside `GET match-runs/`). HEAD and OPTIONS go to the
    GET view; any other method is a JSON 405 naming the allowed ones. For the schema, list each
    view again under the same route after this one (drf-spectacular merges their operations, and
    the requests never reach them since this route matches first).
    """
    callables = {method.upper(): view.as_view() for method, view in views.items()}
    if "GET" in callables:
        callables.setdefault("HEAD", callables["GET"])
        callables.setdefault("OPTIONS", callables["GET"])
    allowed = ", ".join(sorted(callables))

    def dispatch(request, *args, **kwargs):
        view = callables.get(request.method)
        if view is None:
            detail = exceptions.MethodNotAllowed(request.method).detail
            return JsonResponse({"detail": str(detail)}, status=405, headers={"Allow": allowed})
        return view(request, *args, **kwargs)

    dispatch.csrf_exempt = True  # as DRF's views: session-authenticated writes are checked by DRF
    return dispatch


class Pagination(PageNumberPagination):
    """`page` and `page_size` that are not whole numbers of at least 1 are a 400 naming the field; a
    page past the last is a 404 naming `page` (DRF's own answer, "Invalid page.", names nothing)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        for field in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(field, "")
            if raw == "" or (field == self.page_query_param and raw in self.last_page_strings):
                continue
            if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
                raise exceptions.ValidationError({field: [_("Enter a whole number, 1 or more.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            message = _("There is no such page: the last is %(last)d.") % {
                "last": self.last_page(queryset, request)
            }
            raise exceptions.NotFound({"detail": f"page: {message}", "page": [message]}) from None

    def last_page(self, queryset, request) -> int:
        return self.django_paginator_class(queryset, self.get_page_size(request)).num_pages


class Conflict(exceptions.APIException):
    """A valid request the current state refuses (a taken slot, a run already going): 409."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """A body over `DATA_UPLOAD_MAX_MEMORY_SIZE`: 413."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def _summary(data) -> str:
    """One readable sentence naming the first offending field."""
    if isinstance(data, dict):
        for key, value in data.items():
            inner = _summary(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
        return "Invalid input."
    if isinstance(data, list) and data:
        return _summary(data[0])
    return str(data)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # A service's own sentence ("Only the other side can answer this request.") when it gave one.
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(data, dict):
            data = {"non_field_errors": data}
        body = {"detail": _summary(data), **data}
    elif isinstance(data, dict) and "detail" in data:
        body = data
    else:
        body = {"detail": _summary(data)}
    response.data = body
    return response


def blank_or_formatted_any_of(result, generator, request, public):
    """drf-spectacular postprocessing hook: a string that may be blank *or* formatted (an optional
    email or URL) is `oneOf` [empty, formatted] in the generated schema; "" matches both, which
    `oneOf` forbids, so validating clients would reject a real response. `anyOf` says it right."""

    def fix(node):
        if isinstance(node, dict):
            options = node.get("oneOf")
            if isinstance(options, list) and {"type": "string", "maxLength": 0} in options:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for item in node:
                fix(item)

    fix(result)
    return result
