"""The expo admin: organisers manage everything, exhibitor staff only their own company (see `scoping`).

One module per area, imported here so that the admin autodiscovery registers them all. Later
admins of rows that belong to an exhibitor (meetings, deals) reuse `ExhibitorScopedMixin`.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from expo.admin import deals, floor, meetings, money, profiles, taxonomy  # noqa: F401 (registers the model admins)
from expo.admin.labels import LabelledChoicesMixin
from expo.admin.scoping import ExhibitorScopedMixin, OrganiserOnlyMixin, StaffHiddenMixin, is_organiser

admin.site.site_header = _("Shuttle administration")
admin.site.site_title = _("Shuttle")

__all__ = [
    "ExhibitorScopedMixin",
    "LabelledChoicesMixin",
    "OrganiserOnlyMixin",
    "StaffHiddenMixin",
    "is_organiser",
]
