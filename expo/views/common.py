"""What every view that acts on one expo shares: the `?expo=` lookup and its schema parameter.

Matching's views import these too (the dependency runs expo → matching, never back).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound

from expo.models import Expo
from expo.selectors import expo_current

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
