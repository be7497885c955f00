"""expo_update, booth_save and table_update: one transaction each, and nothing in use is removed.

`holder` (tests/expo/conftest.py) stands in for meetings, which will PROTECT their slot and table.
"""

import ast
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Booth, ExhibitorStaff, Expo, Slot, Table
from expo.services.floor import booth_save, expo_slots_generate, expo_update, rows_held, table_update
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import BoothFactory, ExpoFactory, HallFactory

pytestmark = pytest.mark.django_db


def _grid(expo: Expo) -> list[tuple[int, datetime.datetime]]:
    return list(Slot.objects.filter(expo=expo).order_by("start").values_list("pk", "start"))


def test_factory_expo_has_its_real_slot_grid():
    expo = ExpoFactory(days=1, opening_time=datetime.time(9, 0), closing_time=datetime.time(10, 0))

    starts = [start for _pk, start in _grid(expo)]
    assert starts == [
        datetime.datetime(2027, 4, 12, 1, minute, tzinfo=datetime.UTC) for minute in (0, 20, 40)
    ]


def test_factory_booth_has_its_real_tables():
    booth = BoothFactory(tables=3)

    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, True), (3, True)]


def test_expo_update_regenerates_the_grid_keeping_fitting_slots():
    expo = ExpoFactory(days=1, closing_time=datetime.time(10, 0))
    kept = _grid(expo)

    saved = expo_update(expo=expo, data={"closing_time": datetime.time(11, 0), "name": " Shengze 2027 "})

    assert (saved.name, saved.closing_time) == ("Shengze 2027", datetime.time(11, 0))
    grid = _grid(expo)
    assert grid[:3] == kept
    assert [start.strftime("%H:%M") for _pk, start in grid[3:]] == ["02:00", "02:20", "02:40"]


def test_expo_update_without_grid_change_leaves_the_slots_alone():
    expo = ExpoFactory(days=1)
    before = _grid(expo)

    expo_update(expo=expo, data={"venue": "Shengze Expo Centre", "unverified_request_limit": 2})

    assert _grid(expo) == before
    expo.refresh_from_db()
    assert (expo.venue, expo.unverified_request_limit) == ("Shengze Expo Centre", 2)


def test_expo_update_refuses_to_drop_a_slot_in_use_naming_the_changed_fields(holder):
    expo = ExpoFactory(days=2, name="Shengze 2027")
    before = _grid(expo)
    last_day_slot = Slot.objects.filter(expo=expo).order_by("-start").first()
    holder.objects.create(id=1, slot=last_day_slot)

    with pytest.raises(ValidationError) as excinfo:
        expo_update(expo=expo, data={"days": 1, "name": "Renamed"})

    message = (
        "This change would remove 1 meeting slot that is in use (2027-04-13 16:40–17:00); "
        "keep it in the grid or free it first."
    )
    assert excinfo.value.message_dict == {"days": [message]}
    expo.refresh_from_db()
    assert (expo.days, expo.name) == (2, "Shengze 2027")
    assert _grid(expo) == before


def test_expo_update_may_drop_slots_nothing_holds(holder):
    expo = ExpoFactory(days=2)
    first = Slot.objects.filter(expo=expo).order_by("start").first()
    holder.objects.create(id=1, slot=first)

    expo_update(expo=expo, data={"days": 1})

    assert Slot.objects.filter(expo=expo).count() == 24
    assert Slot.objects.filter(pk=first.pk).exists()


def test_expo_slots_generate_refuses_with_a_non_field_error_when_no_field_is_given(holder):
    expo = ExpoFactory(days=1)
    holder.objects.create(id=1, slot=Slot.objects.filter(expo=expo).order_by("start").first())
    Expo.objects.filter(pk=expo.pk).update(opening_time=datetime.time(10, 0))
    expo.refresh_from_db()

    with pytest.raises(ValidationError) as excinfo:
        expo_slots_generate(expo=expo)

    assert list(excinfo.value.message_dict) == [NON_FIELD_ERRORS]
    assert Slot.objects.filter(expo=expo).count() == 24


def test_expo_update_names_each_bad_field_and_writes_nothing():
    expo = ExpoFactory(days=1)
    before = _grid(expo)

    with pytest.raises(ValidationError) as excinfo:
        expo_update(expo=expo, data={"days": 0, "time_zone": "Mars/Olympus", "slot_minutes": 30})

    assert set(excinfo.value.message_dict) == {"days", "time_zone"}
    assert Expo.objects.get(pk=expo.pk).slot_minutes == 20
    assert _grid(expo) == before


def test_expo_update_refuses_unknown_fields():
    expo = ExpoFactory(days=1)

    with pytest.raises(ValueError, match="is_current"):
        expo_update(expo=expo, data={"is_current": True})


def test_rows_held_sees_any_reference(holder):
    booth = BoothFactory(tables=3)
    tables = list(booth.table_set.order_by("number"))
    holder.objects.create(id=1, table=tables[1])

    assert rows_held(model=Table, pks=[t.pk for t in tables]) == {tables[1].pk}
    assert rows_held(model=Table, pks=[]) == set()


def test_booth_cannot_shrink_below_a_table_in_use(holder):
    booth = BoothFactory(tables=3)
    third = booth.table_set.get(number=3)
    holder.objects.create(id=1, table=third)

    with pytest.raises(ValidationError) as excinfo:
        booth_save(booth=booth, data={"tables": 2})

    assert excinfo.value.message_dict == {
        "tables": ["Table 3 holds meetings: this booth needs at least 3 tables."]
    }
    assert Booth.objects.get(pk=booth.pk).tables == 3
    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, True), (3, True)]


def test_booth_shrinks_over_tables_that_hold_nothing(holder):
    booth = BoothFactory(tables=3)
    holder.objects.create(id=1, table=booth.table_set.get(number=1))

    booth_save(booth=booth, data={"tables": 1})

    assert Booth.objects.get(pk=booth.pk).tables == 1
    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, False), (3, False)]


def test_booth_save_names_each_bad_field_and_writes_nothing():
    booth = BoothFactory(tables=2)
    other_hall = HallFactory()

    with pytest.raises(ValidationError) as excinfo:
        booth_save(booth=booth, data={"tables": 0, "hall": other_hall})

    assert set(excinfo.value.message_dict) == {"tables", "hall"}
    assert Booth.objects.get(pk=booth.pk).hall_id == booth.hall_id
    assert booth.table_set.count() == 2


def test_table_in_use_cannot_be_taken_out_of_use(holder):
    booth = BoothFactory(tables=2)
    table = booth.table_set.get(number=2)
    holder.objects.create(id=1, table=table)

    with pytest.raises(ValidationError) as excinfo:
        table_update(table=table, label="Corner", is_active=False)

    assert excinfo.value.message_dict == {"is_active": ["This table holds meetings: it stays in use."]}
    assert Table.objects.filter(pk=table.pk).values_list("label", "is_active").get() == ("", True)
    assert table_update(table=table, label=" Corner ", is_active=True).label == "Corner"


# --- the admin forms show the services' refusals on the field ---------------------------------


def test_admin_expo_change_that_drops_slots_in_use_is_refused_on_the_field(client, holder):
    expo = ExpoFactory(days=2)
    holder.objects.create(id=1, slot=Slot.objects.filter(expo=expo).order_by("-start").first())
    client.force_login(OrganiserFactory())
    url = reverse("admin:expo_expo_change", args=[expo.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data.update(
        start_date="2027-04-12",
        opening_time="09:00",
        closing_time="17:00",
        days=1,
        **{
            "halls-TOTAL_FORMS": 0,
            "halls-INITIAL_FORMS": 0,
            "exchange_rates-TOTAL_FORMS": 0,
            "exchange_rates-INITIAL_FORMS": 0,
        },
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "days": [
            "This change would remove 1 meeting slot that is in use (2027-04-13 16:40–17:00); "
            "keep it in the grid or free it first."
        ]
    }
    assert Expo.objects.get(pk=expo.pk).days == 2
    assert Slot.objects.filter(expo=expo).count() == 48


def test_admin_never_sends_domain_signals_itself():
    """The services send expo.signals; an admin module importing them would send them twice."""
    admin_dir = Path(__file__).resolve().parents[2] / "expo" / "admin"
    assert sorted(p.name for p in admin_dir.glob("*.py"))  # the folder is where we look
    for path in admin_dir.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert "expo.signals" not in imported, path


def _staff_client(client, booth):
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=booth.exhibitor)
    client.force_login(user_set_role(user=user, role=Role.EXHIBITOR_STAFF))
    return client


def _booth_form(booth: Booth, **changes) -> dict:
    tables = list(booth.table_set.order_by("number"))
    data = {
        "tables": booth.tables,
        "table_set-TOTAL_FORMS": len(tables),
        "table_set-INITIAL_FORMS": len(tables),
    }
    for i, table in enumerate(tables):
        data |= {f"table_set-{i}-id": table.pk, f"table_set-{i}-booth": booth.pk, f"table_set-{i}-label": ""}
        data[f"table_set-{i}-is_active"] = "on"
    return data | changes


def test_admin_staff_cannot_shrink_their_booth_below_a_table_in_use(client, holder):
    booth = BoothFactory(tables=3)
    holder.objects.create(id=1, table=booth.table_set.get(number=2))
    staff_client = _staff_client(client, booth)

    response = staff_client.post(
        reverse("admin:expo_booth_change", args=[booth.pk]), _booth_form(booth, tables=1)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "tables": ["Table 2 holds meetings: this booth needs at least 2 tables."]
    }
    assert Booth.objects.get(pk=booth.pk).tables == 3
    assert list(booth.table_set.values_list("is_active", flat=True)) == [True, True, True]


def test_admin_staff_cannot_take_a_table_in_use_out_of_use(client, holder):
    booth = BoothFactory(tables=2)
    holder.objects.create(id=1, table=booth.table_set.get(number=2))
    staff_client = _staff_client(client, booth)
    data = _booth_form(booth)
    del data["table_set-1-is_active"]

    response = staff_client.post(reverse("admin:expo_booth_change", args=[booth.pk]), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.errors for form in formset.forms] == [
        {},
        {"is_active": ["This table holds meetings: it stays in use."]},
    ]
    assert list(booth.table_set.values_list("is_active", flat=True)) == [True, True]


def test_admin_staff_shrinks_their_booth_over_free_tables(client, holder):
    booth = BoothFactory(tables=3)
    holder.objects.create(id=1, table=booth.table_set.get(number=1))
    staff_client = _staff_client(client, booth)

    response = staff_client.post(
        reverse("admin:expo_booth_change", args=[booth.pk]), _booth_form(booth, tables=1)
    )

    assert response.status_code == 302
    assert list(booth.table_set.values_list("number", "is_active")) == [(1, True), (2, False), (3, False)]


# --- with real meetings -------------------------------------------------------------------------


def _booked(expo: Expo, slot: Slot, tables: int = 1, meetings: int = 1):
    """`meetings` buyers booking one exhibitor (with `tables` tables) in `slot`: one table each."""
    from expo.services.meetings import meeting_book
    from tests.factories.meetings import buyer_at, exhibitor_with_tables

    exhibitor = exhibitor_with_tables(expo=expo, tables=tables)
    booked = []
    for _ in range(meetings):
        buyer = buyer_at(expo)
        booked.append(meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user))
    return booked[0] if meetings == 1 else booked


def test_expo_update_refuses_to_drop_a_slot_holding_a_meeting():
    expo = ExpoFactory(days=2, is_current=True)
    last = Slot.objects.filter(expo=expo).order_by("-start").first()
    meeting = _booked(expo, last)

    with pytest.raises(ValidationError) as excinfo:
        expo_update(expo=expo, data={"days": 1})

    assert list(excinfo.value.message_dict) == ["days"]
    assert Slot.objects.filter(expo=expo).count() == 48
    assert meeting.slot_id == last.pk


def test_expo_update_drops_a_closed_slot_with_its_closure():
    from expo.models import SlotClosure

    expo = ExpoFactory(days=2)
    last = Slot.objects.filter(expo=expo).order_by("-start").first()
    SlotClosure.objects.create(slot=last, reason_en="Closing ceremony")

    expo_update(expo=expo, data={"days": 1})

    assert Slot.objects.filter(expo=expo).count() == 24
    assert SlotClosure.objects.count() == 0


def test_booth_cannot_shrink_below_a_table_holding_a_meeting():
    expo = ExpoFactory(days=1, is_current=True)
    slot = Slot.objects.filter(expo=expo).order_by("start").first()
    meetings = _booked(expo, slot, tables=3, meetings=2)
    booth = meetings[0].table.booth
    assert sorted(m.table.number for m in meetings) == [1, 2]

    with pytest.raises(ValidationError) as excinfo:
        booth_save(booth=booth, data={"tables": 1})

    assert excinfo.value.message_dict == {
        "tables": ["Table 2 holds meetings: this booth needs at least 2 tables."]
    }
    assert booth_save(booth=booth, data={"tables": 2}).tables == 2  # table 3 holds nothing
