"""Who may do what: the one place the roles turn into permission checks, for the API and the admin.

The role checks live here, lowest in the dependency order, so `expo` and `matching` import them
and never define their own. Which *rows* an exhibitor's staff may see is the expo's business
(`expo.admin.scoping`), since accounts never imports expo.

- API: `IsBuyer`, `IsExhibitorStaff`, `IsOrganiser` (DRF permission classes; 401 for anonymous
  callers, 403 with the class's message for the wrong role).
- Admin: `is_organiser(request)` and `OrganiserOnlyMixin` for model admins only organisers use.
  Model permissions (the role groups, `accounts.services.ROLE_GROUPS`) still apply on top.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


def user_is_organiser(user) -> bool:
    """An active, signed-in organiser (superusers count as organisers)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_organiser)


def is_organiser(request) -> bool:
    """The admin's organiser check: an organiser who may sign in to the admin (staff flag set)."""
    return user_is_organiser(request.user) and request.user.is_staff


class _RolePermission(permissions.BasePermission):
    role_check = "is_buyer"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and getattr(user, self.role_check))


class IsBuyer(_RolePermission):
    message = _("Only buyers may do this.")
    role_check = "is_buyer"


class IsExhibitorStaff(_RolePermission):
    message = _("Only exhibitor staff may do this.")
    role_check = "is_exhibitor_staff"


class IsOrganiser(_RolePermission):
    message = _("Only organisers may do this.")
    role_check = "is_organiser"


class OrganiserOnlyMixin:
    """A model admin only organisers use: others get 403 and no menu entry, whatever their groups grant."""

    def has_module_permission(self, request) -> bool:
        return is_organiser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_organiser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return is_organiser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_organiser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_organiser(request) and super().has_delete_permission(request, obj)
