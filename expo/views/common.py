"""What every view that acts on one expo shares: the `?expo=` lookup and its schema parameter,
and reading a `?date=` day.

Matching's views import these too (the dependency runs expo → matching, never back).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound

from expo.models import Expo
from expo.selectors import expo_current

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(raw: str) -> datetime.date:
    """A `YYYY-MM-DD` day; `ValidationError` saying whether the text is not a date at all or names
    a day no calendar has (2027-02-30), so the reader knows what to fix."""
    if not _ISO_DATE.fullmatch(raw):
        raise ValidationError(_("Use a date in the form YYYY-MM-DD."), code="invalid")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            _("There is no such date as %(value)s."), code="nonexistent", params={"value": raw}
        ) from None


EXPO_PARAMETER = OpenApiParameter("expo", str, description="Expo slug; the current expo when omitted.")


def expo_or_404(slug: str | None) -> Expo:
    """The expo named by `slug`, or the current one; a JSON 404 naming which was missing."""
    expo = expo_current(slug=slug or None)
    if expo is None:
        raise NotFound(_("No such expo.") if slug else _("No expo is current."))
    return expo


def expo_from_request(request) -> Expo:
    """The expo of `?expo=SLUG` in the request, or the current one (404 if neither exists)."""
    return expo_or_404(request.GET.get("expo"))
