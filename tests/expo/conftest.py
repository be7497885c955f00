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
