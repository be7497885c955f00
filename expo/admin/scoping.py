"""Who sees what in the admin: organisers see everything, exhibitor staff only their own company.

Model permissions (the role groups, see `accounts.services`) decide which admin pages a user may
open at all; the organiser check and `OrganiserOnlyMixin` come from `accounts.permissions`; the
mixins here decide which rows. Both are checked on every request, so a hidden
link is never the only guard: a list, a change page, a POST, the history, the delete page and the
autocomplete endpoint all go through `get_queryset` and the object-level `has_*_permission`.
"""

from django.db.models import Model, QuerySet

from accounts.permissions import OrganiserOnlyMixin, is_organiser
from expo.models import Booth, Exhibitor, Table
from expo.selectors import exhibitor_for_user

# How to get from a related model to its exhibitor, for limiting foreign-key choices of staff.
_EXHIBITOR_PATHS: dict[type[Model], str] = {Exhibitor: "", Booth: "exhibitor", Table: "booth__exhibitor"}


def request_exhibitor(request) -> Exhibitor | None:
    """The exhibitor the signed-in staff member works for (looked up once per request)."""
    if not hasattr(request, "_shuttle_exhibitor"):
        request._shuttle_exhibitor = exhibitor_for_user(user=request.user)
    return request._shuttle_exhibitor


def _scope(queryset: QuerySet, path: str, exhibitor: Exhibitor) -> QuerySet:
    return queryset.filter(**{f"{path}__pk" if path else "pk": exhibitor.pk})


def _exhibitor_id_of(obj: Model, path: str) -> int | None:
    if not path:
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


class ExhibitorScopedMixin:
    """Rows of a model that belong to an exhibitor: staff get only their own company's rows.

    `exhibitor_path` is the lookup from the model to its Exhibitor ("exhibitor",
    "booth__exhibitor", …; "" for Exhibitor itself). Organisers are not narrowed; staff without a
    company, or anyone else, see nothing.
    """

    exhibitor_path: str = "exhibitor"

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_organiser(request):
            return queryset
        exhibitor = request_exhibitor(request)
        if exhibitor is None:
            return queryset.none()
        return _scope(queryset, self.exhibitor_path, exhibitor)

    def owns(self, request, obj) -> bool:
        if is_organiser(request):
            return True
        exhibitor = request_exhibitor(request)
        return exhibitor is not None and _exhibitor_id_of(obj, self.exhibitor_path) == exhibitor.pk

    def staff_exhibitor(self, request) -> Exhibitor | None:
        """The company of a signed-in exhibitor staff member; None for organisers and everyone else."""
        if is_organiser(request) or not request.user.is_active:
            return None
        return request_exhibitor(request)

    def has_add_permission(self, request, *args) -> bool:
        # Staff add rows only for their own company, so staff without one add nothing.
        allowed = super().has_add_permission(request, *args)
        return allowed and (is_organiser(request) or self.staff_exhibitor(request) is not None)

    def has_view_permission(self, request, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.owns(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.owns(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.owns(request, obj))

    def _limit_choices(self, db_field, request, kwargs: dict) -> None:
        path = _EXHIBITOR_PATHS.get(db_field.related_model)
        if path is not None and not is_organiser(request):
            queryset = db_field.related_model._default_manager.all()
            exhibitor = request_exhibitor(request)
            kwargs["queryset"] = queryset.none() if exhibitor is None else _scope(queryset, path, exhibitor)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Staff can only point a foreign key at their own company's rows (never another's booth)."""
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StaffHiddenMixin:
    """Viewable by staff where a page needs it (e.g. the term autocomplete), but kept off their menu."""

    def has_module_permission(self, request) -> bool:
        return is_organiser(request) and super().has_module_permission(request)


__all__ = [
    "ExhibitorScopedMixin",
    "OrganiserOnlyMixin",
    "StaffHiddenMixin",
    "is_organiser",
    "request_exhibitor",
]
