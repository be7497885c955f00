"""Concurrent bookings on PostgreSQL, through the real API, each client on its own connection:
exactly one wins, every other gets a 409, none a 500, and the database holds no double booking."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from expo.models import ExhibitorMeetingSettings, Meeting, MeetingStatus
from tests.factories.meetings import (
    booth_with_tables,
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 12


@pytest.fixture
def expo(db):
    return expo_with_slots_near_now()


def _race(requests: list[tuple]) -> list[int]:
    """POST every (user, body) at once from its own thread; the status codes, in order."""
    tokens = [Token.objects.get_or_create(user=user)[0].key for user, _ in requests]
    barrier = threading.Barrier(len(requests))
    codes: list[int | None] = [None] * len(requests)

    def run(i: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i]}")
        try:
            barrier.wait()
            codes[i] = client.post("/api/v1/meetings/", requests[i][1], format="json").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _double_bookings() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM expo_meeting WHERE status = ANY(%s)
                                          GROUP BY table_id, slot_id HAVING COUNT(*) > 1) t)
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM expo_meeting WHERE status = ANY(%s)
                                          GROUP BY buyer_id, slot_id HAVING COUNT(*) > 1) b)
            """,
            [["requested", "accepted", "checked_in"]] * 2,
        )
        return cursor.fetchone()[0]


def test_many_buyers_race_for_one_table(restore_shipped_data, expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    slot = future_slots(expo, 1)[0]
    buyers = [buyer_at(expo, verified=True) for _ in range(CLIENTS)]

    codes = _race([(b.user, {"exhibitor": exhibitor.pk, "slot": slot.pk}) for b in buyers])

    assert sorted(codes) == [201] + [409] * (CLIENTS - 1)
    assert Meeting.objects.filter(status=MeetingStatus.REQUESTED).count() == 1
    assert _double_bookings() == 0


def test_one_buyer_races_many_exhibitors_in_one_slot(restore_shipped_data, expo):
    exhibitors = [exhibitor_with_tables(expo=expo, tables=1) for _ in range(CLIENTS)]
    slot = future_slots(expo, 1)[0]
    buyer = buyer_at(expo, verified=True)

    codes = _race([(buyer.user, {"exhibitor": e.pk, "slot": slot.pk}) for e in exhibitors])

    assert sorted(codes) == [201] + [409] * (CLIENTS - 1)
    assert Meeting.objects.filter(buyer=buyer).count() == 1
    assert _double_bookings() == 0


def test_exhibitors_race_for_the_last_lounge_table(restore_shipped_data, expo):
    """Different exhibitors share the lounge, so no row lock serialises them: the partial unique
    constraint decides, and the losers still get a 409."""
    booth_with_tables(expo=expo, tables=1, lounge=True)
    exhibitors = [exhibitor_with_tables(expo=expo, tables=1) for _ in range(CLIENTS)]
    slot = future_slots(expo, 1)[0]
    for exhibitor in exhibitors:
        ExhibitorMeetingSettings.objects.create(exhibitor=exhibitor, lounge_tables=1)
        # Each exhibitor's own table is taken first, so every booking below needs the lounge.
        Meeting.objects.create(
            expo=expo,
            buyer=buyer_at(expo),
            exhibitor=exhibitor,
            slot=slot,
            table=exhibitor.booths.get().table_set.get(),
            requested_by="buyer",
        )
    buyers = [buyer_at(expo, verified=True) for _ in range(CLIENTS)]

    codes = _race(
        [(b.user, {"exhibitor": e.pk, "slot": slot.pk}) for b, e in zip(buyers, exhibitors, strict=True)]
    )

    assert sorted(codes) == [201] + [409] * (CLIENTS - 1)
    assert Meeting.objects.filter(table__booth__is_lounge=True).count() == 1
    assert _double_bookings() == 0
