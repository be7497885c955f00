import importlib

import pytest
from django.apps import apps
from django.db import connection, models

from expo.models import Slot, Table


@pytest.fixture
def holder(db):
    """A stand-in for meetings (which will PROTECT their slot and table): a throwaway model whose
    rows point at a slot or a table. Its table lives inside the test's transaction; the model
    leaves the app registry after the test."""

    class Holder(models.Model):
        slot = models.ForeignKey(Slot, null=True, on_delete=models.PROTECT, related_name="test_holders")
        table = models.ForeignKey(Table, null=True, on_delete=models.PROTECT, related_name="test_holders")

        class Meta:
            app_label = "expo"
            db_table = "test_holder"

        def __str__(self) -> str:
            return f"holder {self.pk}"

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_holder (id integer PRIMARY KEY, "
            "slot_id integer NULL REFERENCES expo_slot (id), table_id integer NULL REFERENCES expo_table (id))"
        )
    apps.clear_cache()
    try:
        yield Holder
    finally:
        del apps.all_models["expo"]["holder"]
        apps.clear_cache()


def _shipped_data_load() -> None:
    from accounts.services import role_groups_sync

    importlib.import_module("expo.migrations.0002_taxonomy").load_taxonomy(apps, None)
    role_groups_sync()


@pytest.fixture
def restore_shipped_data(django_db_blocker):
    """A transactional test ends by emptying every table, the migrations' data included: put the
    taxonomy and the role groups back for the tests after it."""
    yield
    with django_db_blocker.unblock():
        _shipped_data_load()
