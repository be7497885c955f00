"""Country names for lists: translated once per language, not once per row.

django-countries translates and sorts its ~250 names every time a CountryField's choices are read,
and the admin reads them for every row it shows: 300 buyers took seconds. `country_name` looks
each code up in a table built once per language per process.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries


@lru_cache(maxsize=16)
def _names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_name(code) -> str:
    """The country's name in the active language; "" for no country, the code itself if unknown."""
    code = str(code or "")
    if not code:
        return ""
    return _names(translation.get_language() or settings.LANGUAGE_CODE).get(code, code)


COUNTRY = _("country")


def country_column(field: str = "country", description=COUNTRY):
    """A list_display column showing `field`'s country name, sortable by the code."""

    @admin.display(description=description, ordering=field)
    def country(obj) -> str:
        return country_name(getattr(obj, field))

    return country
