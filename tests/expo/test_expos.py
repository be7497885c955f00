import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from expo.models import Expo, Slot
from expo.services.floor import booth_tables_sync, expo_create, expo_make_current, expo_slots_generate
from tests.factories.expo import BoothFactory

pytestmark = pytest.mark.django_db


def _create(**overrides) -> Expo:
    values = {
        "slug": "shengze-2027",
        "name": "Shengze Textile Expo",
        "start_date": datetime.date(2027, 4, 12),
        "days": 3,
        "opening_time": datetime.time(9, 0),
        "closing_time": datetime.time(17, 0),
        "slot_minutes": 20,
    } | overrides
    return expo_create(**values)


def test_expo_create_builds_slot_grid_in_utc():
    expo = _create()

    slots = list(Slot.objects.filter(expo=expo).order_by("start"))
    assert len(slots) == 3 * 24
    # 09:00 in Shanghai is 01:00 UTC.
    assert slots[0].start == datetime.datetime(2027, 4, 12, 1, 0, tzinfo=datetime.UTC)
    assert slots[0].end == datetime.datetime(2027, 4, 12, 1, 20, tzinfo=datetime.UTC)
    assert slots[-1].end == datetime.datetime(2027, 4, 14, 9, 0, tzinfo=datetime.UTC)


def test_expo_create_drops_partial_last_slot():
    expo = _create(closing_time=datetime.time(10, 30), slot_minutes=20, days=1)

    assert Slot.objects.filter(expo=expo).count() == 4  # 09:00, 09:20, 09:40, 10:00


def test_expo_create_rejects_bad_values_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        _create(closing_time=datetime.time(8, 0), time_zone="Mars/Olympus")

    assert excinfo.value.message_dict == {
        "closing_time": ["The closing time must be after the opening time."],
        "time_zone": ["Unknown time zone: Mars/Olympus."],
    }
    assert Expo.objects.count() == 0
    assert Slot.objects.count() == 0


def test_slot_regeneration_keeps_fitting_slots():
    expo = _create(days=1)
    first = Slot.objects.filter(expo=expo).order_by("start").first()

    expo.closing_time = datetime.time(12, 0)
    expo.save()
    count = expo_slots_generate(expo=expo)

    assert count == 9
    assert Slot.objects.filter(expo=expo).count() == 9
    assert Slot.objects.filter(pk=first.pk).exists()


def test_make_current_moves_the_flag():
    old = _create(slug="old", make_current=True)
    new = _create(slug="new")

    expo_make_current(expo=new)

    assert list(Expo.objects.filter(is_current=True)) == [new]
    old.refresh_from_db()
    assert old.is_current is False


def test_booth_tables_sync_adds_and_retires_tables():
    booth = BoothFactory(tables=3)
    booth_tables_sync(booth=booth)
    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, True), (3, True)]

    booth.tables = 1
    booth.save()
    booth_tables_sync(booth=booth)
    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, False), (3, False)]

    booth.tables = 4
    booth.save()
    booth_tables_sync(booth=booth)
    assert list(booth.table_set.values_list("number", "is_active")) == [
        (1, True),
        (2, True),
        (3, True),
        (4, True),
    ]


def test_create_expo_command(capsys):
    call_command(
        "create_expo",
        "shengze",
        "--name",
        "Shengze",
        "--start",
        "2027-04-12",
        "--days",
        "2",
        "--open",
        "09:00",
        "--close",
        "12:00",
        "--slot-minutes",
        "30",
        "--tz",
        "Asia/Shanghai",
        "--current",
    )

    expo = Expo.objects.get(slug="shengze")
    assert expo.is_current is True
    assert expo.slots.count() == 12
    assert capsys.readouterr().out.strip() == "Created expo shengze (current): 2 days, 12 slots."


def test_create_expo_command_names_bad_flag():
    with pytest.raises(CommandError, match="--start: expected YYYY-MM-DD"):
        call_command(
            "create_expo", "x", "--name", "X", "--start", "12/04/2027", "--days", "1",
            "--open", "09:00", "--close", "17:00",
        )  # fmt: skip
    assert Expo.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("days", 0, "An expo lasts from 1 to 31 days."),
        ("days", 40, "An expo lasts from 1 to 31 days."),
        ("slot_minutes", 1, "A slot lasts from 5 to 240 minutes."),
    ],
)
def test_expo_create_names_the_out_of_range_field(field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        _create(**{field: value})

    assert excinfo.value.message_dict[field] == [message]
    assert Expo.objects.count() == 0
