"""The role groups "Organisers" and "Exhibitor staff" with their permissions.

Django creates permissions after `migrate` (post_migrate), too late for a data migration on a fresh
database, so this creates them first for every app in the migration state. The lists are frozen
here on purpose; `accounts.services.role_groups_sync` extends them after each `migrate` for models
added later.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ORGANISER_APPS = ("accounts", "expo", "matching")
EXHIBITOR_STAFF_PERMISSIONS = (
    "expo.view_exhibitor",
    "expo.change_exhibitor",
    "expo.view_booth",
    "expo.change_booth",
    "expo.view_table",
    "expo.change_table",
    "expo.view_term",
)


def create_role_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organisers, _ = Group.objects.using(using).get_or_create(name="Organisers")
    organisers.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label__in=ORGANISER_APPS)
    )
    staff_condition = Q(pk__in=[])
    for dotted in EXHIBITOR_STAFF_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        staff_condition |= Q(content_type__app_label=app_label, codename=codename)
    staff, _ = Group.objects.using(using).get_or_create(name="Exhibitor staff")
    staff.permissions.add(*Permission.objects.using(using).filter(staff_condition))

    # Existing organisers and exhibitor staff join their group (superusers are organisers).
    User = apps.get_model("accounts", "User")
    for user in User.objects.using(using).filter(Q(role="organiser") | Q(is_superuser=True)):
        user.groups.add(organisers)
    for user in User.objects.using(using).filter(role="exhibitor_staff", is_superuser=False):
        user.groups.add(staff)


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=["Organisers", "Exhibitor staff"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("expo", "0002_taxonomy"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
