"""Roles, their groups and permissions: created by migration, kept in step by `user_set_role`."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from accounts.models import Role
from accounts.services import (
    EXHIBITOR_STAFF_PERMISSIONS,
    GROUP_EXHIBITOR_STAFF,
    GROUP_ORGANISERS,
    role_groups_sync,
    user_set_role,
)
from tests.factories.accounts import OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

# What the role migration grants (frozen there); `role_groups_sync` adds the rest after `migrate`.
MIGRATION_STAFF_PERMISSIONS = [
    "expo.change_booth",
    "expo.change_exhibitor",
    "expo.change_table",
    "expo.view_booth",
    "expo.view_exhibitor",
    "expo.view_table",
    "expo.view_term",
]
STAFF_PERMISSIONS = sorted(
    [
        *MIGRATION_STAFF_PERMISSIONS,
        "expo.add_exhibitorday",
        "expo.add_exhibitormeetingsettings",
        "expo.change_exhibitorday",
        "expo.change_exhibitormeetingsettings",
        "expo.change_meeting",
        "expo.delete_exhibitorday",
        "expo.view_exhibitorday",
        "expo.view_exhibitormeetingsettings",
        "expo.view_meeting",
        "expo.view_meetingevent",
        "expo.add_deal",
        "expo.change_deal",
        "expo.change_samplerequest",
        "expo.view_deal",
        "expo.view_meetingfeedback",
        "expo.view_samplerequest",
        "matching.add_customerlink",
        "matching.add_customerpolicy",
        "matching.change_customerlink",
        "matching.change_customerpolicy",
        "matching.delete_customerlink",
        "matching.view_customerlink",
        "matching.view_customerpolicy",
    ]
)


def _codenames(group: Group) -> list[str]:
    return sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    )


def _organiser_permissions() -> list[str]:
    perms = Permission.objects.filter(content_type__app_label__in=["accounts", "expo", "matching"])
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms.select_related("content_type"))


def test_role_groups_exist_after_migrate_with_their_permissions():
    organisers = Group.objects.get(name=GROUP_ORGANISERS)
    staff = Group.objects.get(name=GROUP_EXHIBITOR_STAFF)

    assert _codenames(staff) == STAFF_PERMISSIONS
    assert _codenames(organisers) == _organiser_permissions()
    assert {"expo.add_exhibitor", "expo.delete_buyer", "accounts.change_user"} <= set(_codenames(organisers))
    assert sorted(EXHIBITOR_STAFF_PERMISSIONS) == STAFF_PERMISSIONS


def test_role_migration_creates_permissions_itself_on_a_fresh_database():
    """On a fresh database permissions do not exist yet when migrations run (Django adds them after)."""
    migration = importlib.import_module("accounts.migrations.0002_roles_groups")
    state_apps = MigrationLoader(connection).project_state(("accounts", "0002_roles_groups")).apps
    Group.objects.all().delete()
    Permission.objects.all().delete()
    organiser = OrganiserFactory()
    staff_user = UserFactory(role=Role.EXHIBITOR_STAFF, is_staff=True)

    migration.create_role_groups(state_apps, SimpleNamespace(connection=connection))

    assert _codenames(Group.objects.get(name=GROUP_EXHIBITOR_STAFF)) == MIGRATION_STAFF_PERMISSIONS
    assert _codenames(Group.objects.get(name=GROUP_ORGANISERS)) == _organiser_permissions()
    assert list(organiser.groups.values_list("name", flat=True)) == [GROUP_ORGANISERS]
    assert list(staff_user.groups.values_list("name", flat=True)) == [GROUP_EXHIBITOR_STAFF]


def test_role_groups_sync_restores_missing_permissions_and_keeps_extra_ones():
    staff = Group.objects.get(name=GROUP_EXHIBITOR_STAFF)
    staff.permissions.remove(Permission.objects.get(codename="view_term"))
    extra = Permission.objects.get(codename="view_hall")
    staff.permissions.add(extra)

    role_groups_sync()

    assert _codenames(staff) == sorted([*STAFF_PERMISSIONS, "expo.view_hall"])


def test_user_set_role_organiser_joins_organisers_and_may_use_the_admin():
    user = UserFactory()

    user_set_role(user=user, role=Role.ORGANISER)

    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ORGANISER, True, False)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_ORGANISERS]
    assert user.has_perm("expo.change_buyer")


def test_user_set_role_exhibitor_staff_joins_staff_group():
    user = UserFactory()

    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)

    user.refresh_from_db()
    assert (user.role, user.is_staff) == (Role.EXHIBITOR_STAFF, True)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_EXHIBITOR_STAFF]
    assert user.has_perm("expo.change_exhibitor")
    assert not user.has_perm("expo.view_buyer")


def test_user_set_role_buyer_leaves_role_groups_but_keeps_other_groups():
    user = UserFactory()
    press = Group.objects.create(name="Press")
    user.groups.add(press)
    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)

    user_set_role(user=user, role=Role.BUYER)

    user.refresh_from_db()
    assert (user.role, user.is_staff) == (Role.BUYER, False)
    assert list(user.groups.values_list("name", flat=True)) == ["Press"]


def test_user_set_role_moves_between_role_groups():
    user = UserFactory()
    user_set_role(user=user, role=Role.ORGANISER)

    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)

    assert list(user.groups.values_list("name", flat=True)) == [GROUP_EXHIBITOR_STAFF]


def test_user_set_role_superuser_stays_organiser():
    admin = OrganiserFactory()

    with pytest.raises(ValidationError) as excinfo:
        user_set_role(user=admin, role=Role.BUYER)

    assert list(excinfo.value.message_dict) == ["role"]
    admin.refresh_from_db()
    assert (admin.role, admin.is_staff) == (Role.ORGANISER, True)


def test_user_set_role_superuser_organiser_joins_the_group():
    admin = OrganiserFactory()

    user_set_role(user=admin, role=Role.ORGANISER)

    assert list(admin.groups.values_list("name", flat=True)) == [GROUP_ORGANISERS]


def test_user_set_role_rejects_unknown_role():
    user = UserFactory()

    with pytest.raises(ValidationError) as excinfo:
        user_set_role(user=user, role="king")

    assert list(excinfo.value.message_dict) == ["role"]
    user.refresh_from_db()
    assert user.role == Role.BUYER


def test_user_set_role_recreates_a_deleted_role_group():
    Group.objects.filter(name=GROUP_EXHIBITOR_STAFF).delete()
    user = UserFactory()

    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)

    group = user.groups.get()
    assert group.name == GROUP_EXHIBITOR_STAFF
    assert _codenames(group) == STAFF_PERMISSIONS
