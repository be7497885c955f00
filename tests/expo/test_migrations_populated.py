"""Upgrading a database that already holds an expo, exhibitors and meetings.

Migrations are usually run on an empty test database, where a data step has no rows to touch. On
PostgreSQL an upgrade of a populated database once failed (0008 mapped exhibitor provinces and
altered the column in one transaction: "pending trigger events"). This test rolls `expo` back to
0007, writes rows through the historical models, and migrates forward to the latest state.
"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("expo", "0007_profile_expo_updated_indexes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def populated_at_0007():
    old = _migrate(BEFORE)
    try:
        yield old
    finally:
        _migrate(_latest())  # leave the schema as every other test expects it


def test_a_populated_database_upgrades_to_the_latest_schema(populated_at_0007):
    old = populated_at_0007
    Expo = old.get_model("expo", "Expo")
    Hall = old.get_model("expo", "Hall")
    Booth = old.get_model("expo", "Booth")
    Exhibitor = old.get_model("expo", "Exhibitor")
    expo = Expo.objects.create(
        slug="upgrade",
        name="Upgrade Expo",
        start_date=datetime.date(2027, 3, 1),
        opening_time=datetime.time(9),
        closing_time=datetime.time(17),
    )
    hall = Hall.objects.create(expo=expo, code="A")
    spellings = {"Jiangsu": "JS", "江苏省": "JS", "zhejiang": "ZJ", "Lombardy": "", "": ""}
    for n, text in enumerate(spellings):
        exhibitor = Exhibitor.objects.create(
            expo=expo, name_en=f"Mill {n}", name_zh=f"织厂{n}", country="CN", province=text
        )
        Booth.objects.create(expo=expo, hall=hall, code=f"A{n}", exhibitor=exhibitor)

    new = _migrate(_latest())

    Exhibitor = new.get_model("expo", "Exhibitor")
    got = {e.name_en: (e.province, e.region) for e in Exhibitor.objects.filter(expo__slug="upgrade")}
    assert got == {
        "Mill 0": ("JS", ""),
        "Mill 1": ("JS", ""),
        "Mill 2": ("ZJ", ""),
        "Mill 3": ("", "Lombardy"),
        "Mill 4": ("", ""),
    }
