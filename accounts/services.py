"""Writes and business rules of the accounts app: roles and the groups that carry their permissions.

A user's role decides their admin access: organisers are staff in the "Organisers" group, exhibitor
staff are staff in the "Exhibitor staff" group, buyers are neither. `user_set_role` is the one place
that keeps `role`, `is_staff` and the role groups in step. Which company an exhibitor staff member
works for is `expo.ExhibitorStaff` (accounts never imports expo).
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Role, User

GROUP_ORGANISERS = "Organisers"
GROUP_EXHIBITOR_STAFF = "Exhibitor staff"
ROLE_GROUPS: dict[str, str] = {
    Role.ORGANISER: GROUP_ORGANISERS,
    Role.EXHIBITOR_STAFF: GROUP_EXHIBITOR_STAFF,
}

# Organisers hold every permission of these apps, including those of models added later.
ORGANISER_APPS: tuple[str, ...] = ("accounts", "expo", "matching")
# Exhibitor staff hold exactly these; the admin then narrows every row to their own company.
# Terms are viewable so that the facet autocomplete works (the taxonomy is public anyway).
# Staff keep their company's existing customers and its policy for them (never delete the policy).
EXHIBITOR_STAFF_PERMISSIONS: tuple[str, ...] = (
    "expo.view_exhibitor",
    "expo.change_exhibitor",
    "expo.view_booth",
    "expo.change_booth",
    "expo.view_table",
    "expo.change_table",
    "expo.view_term",
    "matching.view_customerlink",
    "matching.add_customerlink",
    "matching.change_customerlink",
    "matching.delete_customerlink",
    "matching.view_customerpolicy",
    "matching.add_customerpolicy",
    "matching.change_customerpolicy",
    # Meetings: answer and follow up their company's meetings (the admin narrows the rows), set
    # the company's availability days and meeting settings.
    "expo.view_meeting",
    "expo.change_meeting",
    "expo.view_meetingevent",
    "expo.view_exhibitorday",
    "expo.add_exhibitorday",
    "expo.change_exhibitorday",
    "expo.delete_exhibitorday",
    "expo.view_exhibitormeetingsettings",
    "expo.add_exhibitormeetingsettings",
    "expo.change_exhibitormeetingsettings",
)


def _permissions(codenames: tuple[str, ...], *, using: str = DEFAULT_DB_ALIAS):
    condition = Q(pk__in=[])
    for dotted in codenames:
        app_label, codename = dotted.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.using(using).filter(condition)


def role_groups_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Create the role groups if missing and grant them every permission their role implies.

    Permissions are only added, never taken away, so an organiser's manual grants survive. Runs after
    every `migrate` (see `AccountsConfig.ready`), so permissions of models added later reach the groups.
    """
    organisers, _created = Group.objects.using(using).get_or_create(name=GROUP_ORGANISERS)
    staff, _created = Group.objects.using(using).get_or_create(name=GROUP_EXHIBITOR_STAFF)
    organisers.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label__in=ORGANISER_APPS)
    )
    staff.permissions.add(*_permissions(EXHIBITOR_STAFF_PERMISSIONS, using=using))
    return {GROUP_ORGANISERS: organisers, GROUP_EXHIBITOR_STAFF: staff}


def sync_role_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    """`post_migrate` receiver: runs after Django created the permissions of the app `sender`."""
    if sender.label not in {"auth", *ORGANISER_APPS}:
        return
    if apps is not None:
        try:  # like Django's create_permissions: nothing to do before auth is migrated
            apps.get_model("auth", "Group")
            apps.get_model("auth", "Permission")
        except LookupError:
            return
    role_groups_sync(using=using)


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give `user` the role `role` and make their staff flag and role group match it.

    Organisers and exhibitor staff may sign in to the admin (`is_staff`); buyers may not. Superusers
    are always organisers. Groups other than the two role groups are left alone.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(role)s.") % {"role": role}})
    if user.is_superuser and role != Role.ORGANISER:
        raise ValidationError({"role": _("A superuser is always an organiser.")})
    user.role = role
    user.is_staff = user.is_superuser or role in ROLE_GROUPS
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=["role", "is_staff"])
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    if len(groups) < len(ROLE_GROUPS):  # a role group was deleted by hand: bring it back whole
        groups = role_groups_sync()
    user.groups.remove(*groups.values())
    if role in ROLE_GROUPS:
        user.groups.add(groups[ROLE_GROUPS[role]])
    return user
