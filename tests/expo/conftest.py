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


@pytest.fixture(scope="module")
def _shipped_data_after_module(django_db_blocker):
    """Puts the taxonomy and role groups back once a module of transactional tests is done: a
    module-scoped fixture is torn down after the last test's flush, a function-scoped one before it."""
    yield
    with django_db_blocker.unblock():
        _shipped_data_load()


@pytest.fixture
def restore_shipped_data(_shipped_data_after_module, transactional_db):
    """For transactional tests: each ends by emptying every table, the migrations' data included.
    Load the taxonomy and the role groups first (an earlier test of the module emptied them), and
    put them back for the tests after the module."""
    _shipped_data_load()
