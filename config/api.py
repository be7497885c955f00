"""API plumbing shared by every app: pagination and one error format.

Every error body carries `detail` (a human sentence). Validation errors also carry one key per
offending field, as DRF does, so `{"detail": "price_min_cny: …", "price_min_cny": ["…"]}`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


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
    elif isinstance(exc, IntegrityError):
        exc = Conflict()

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
