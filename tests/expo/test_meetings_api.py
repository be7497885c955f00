"""Meetings API: free slots, booking and invitations, the response shape, errors, schedules by role."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from expo.models import Meeting, MeetingStatus, SlotClosure
from expo.services import meetings as svc
from tests.factories.accounts import OrganiserFactory
from tests.factories.expo import ExhibitorStaffFactory, ExpoFactory
from tests.factories.meetings import (
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
    slot_at,
    staff_of,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/"


@pytest.fixture
def expo(db):
    return expo_with_slots_near_now()


@pytest.fixture
def world(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    buyer = buyer_at(expo, verified=True)
    return exhibitor, buyer, future_slots(expo, 3)


def test_buyer_books_and_gets_the_nested_meeting(world, client_for, django_capture_on_commit_callbacks):
    exhibitor, buyer, slots = world
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(buyer.user).post(
            URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json"
        )

    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get()
    body = response.json()
    tz = exhibitor.expo.tzinfo
    table = meeting.table
    assert body == {
        "id": meeting.pk,
        "status": "requested",
        "requested_by": "buyer",
        "slot": {
            "id": slots[0].pk,
            "start": slots[0].start.astimezone(tz).isoformat(),
            "end": slots[0].end.astimezone(tz).isoformat(),
        },
        "exhibitor": {"id": exhibitor.pk, "name": exhibitor.name_en, "booth": table.booth.code},
        "buyer": {"id": buyer.pk, "company": buyer.company},
        "table": {
            "id": table.pk,
            "label": str(table),
            "booth": table.booth.code,
            "hall": table.booth.hall.code,
            "lounge": False,
        },
        "owner": None,
        "expires_at": body["expires_at"],
        "decline_reason": "",
        "no_show_side": "",
        "checked_in_at": None,
        "check_in_code": meeting.check_in_code,
    }
    assert body["slot"]["start"].endswith("+08:00")
    assert [m.to for m in mail.outbox] == [[staff_of(exhibitor).email]]


def test_taken_slot_is_a_409_with_a_sentence(world, client_for):
    exhibitor, buyer, slots = world
    client_for(buyer.user).post(URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json")
    other = buyer_at(exhibitor.expo)
    response = client_for(other.user).post(
        URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Every table of this exhibitor is taken in this slot."}


@pytest.mark.parametrize("case", ["closed", "past", "other_expo", "missing"])
def test_bad_slots_are_a_400_naming_slot(world, client_for, case):
    exhibitor, buyer, slots = world
    slot_id = slots[0].pk
    if case == "closed":
        SlotClosure.objects.create(slot=slots[0], reason_en="Opening ceremony", reason_zh="开幕式")
    elif case == "past":
        slot_id = slot_at(exhibitor.expo, timezone.now() - timedelta(hours=1)).pk
    elif case == "other_expo":
        slot_id = future_slots(ExpoFactory(), 1)[0].pk
    else:
        slot_id = 999999
    response = client_for(buyer.user).post(URL, {"exhibitor": exhibitor.pk, "slot": slot_id}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["detail", "slot"]
    assert body["detail"].startswith("slot: ")


def test_closed_slot_reason_is_in_the_buyers_language(world, client_for):
    exhibitor, buyer, slots = world
    SlotClosure.objects.create(slot=slots[0], reason_en="Opening ceremony", reason_zh="开幕式")
    response = client_for(buyer.user).post(
        URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "开幕式" in response.json()["slot"][0]


def test_missing_exhibitor_and_bad_ids_name_their_field(world, client_for):
    exhibitor, buyer, slots = world
    client = client_for(buyer.user)
    assert list(client.post(URL, {"slot": slots[0].pk}, format="json").json()) == ["detail", "exhibitor"]
    assert list(client.post(URL, {"exhibitor": 999999, "slot": slots[0].pk}, format="json").json()) == [
        "detail",
        "exhibitor",
    ]
    assert list(client.post(URL, {"exhibitor": "x", "slot": slots[0].pk}, format="json").json()) == [
        "detail",
        "exhibitor",
    ]


def test_staff_invite_a_buyer_who_accepts(world, client_for):
    exhibitor, buyer, slots = world
    staff = staff_of(exhibitor)
    response = client_for(staff).post(URL, {"buyer": buyer.pk, "slot": slots[1].pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["requested_by"], body["owner"]["id"], body["check_in_code"]) == (
        "requested",
        "exhibitor",
        staff.pk,
        None,
    )
    response = client_for(buyer.user).post(f"{URL}{body['id']}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"


def test_anonymous_cannot_book_or_list(world, api_client):
    exhibitor, _buyer, slots = world
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}).status_code == 401


def test_lifecycle_through_the_api(world, client_for):
    exhibitor, buyer, slots = world
    staff = client_for(staff_of(exhibitor))
    buyer_client = client_for(buyer.user)
    meeting_id = buyer_client.post(
        URL, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json"
    ).json()["id"]

    own = buyer_client.post(f"{URL}{meeting_id}/accept/")
    assert (own.status_code, own.json()) == (403, {"detail": "Only the other side can answer this request."})
    assert staff.post(f"{URL}{meeting_id}/accept/").json()["status"] == "accepted"
    assert staff.post(f"{URL}{meeting_id}/accept/").status_code == 409
    moved = buyer_client.post(f"{URL}{meeting_id}/reschedule/", {"slot": slots[2].pk}, format="json")
    assert (moved.status_code, moved.json()["status"], moved.json()["slot"]["id"]) == (
        200,
        "requested",
        slots[2].pk,
    )
    declined = staff.post(f"{URL}{meeting_id}/decline/", {"reason": "Away that hour"}, format="json")
    assert (declined.json()["status"], declined.json()["decline_reason"]) == ("declined", "Away that hour")
    response = buyer_client.post(f"{URL}{meeting_id}/cancel/")
    assert response.status_code == 409
    assert response.json() == {"detail": "A meeting that is declined cannot be cancelled."}


def test_someone_elses_meeting_is_a_404(world, client_for):
    exhibitor, buyer, slots = world
    meeting = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[0], actor=buyer.user)
    stranger = buyer_at(exhibitor.expo)
    other_staff = ExhibitorStaffFactory(exhibitor=exhibitor_with_tables(expo=exhibitor.expo)).user
    for user in (stranger.user, other_staff):
        assert client_for(user).post(f"{URL}{meeting.pk}/cancel/").status_code == 404


def test_check_in_with_the_buyers_code(expo, client_for):
    exhibitor = exhibitor_with_tables(expo=expo)
    buyer = buyer_at(expo)
    slot = slot_at(expo, timezone.now() + timedelta(minutes=10))
    meeting = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    meeting = svc.meeting_accept(meeting=meeting, actor=staff_of(exhibitor))
    colleague = ExhibitorStaffFactory(exhibitor=exhibitor).user
    url = f"{URL}{meeting.pk}/check-in/"
    assert client_for(colleague).post(url, {"code": "nope"}, format="json").status_code == 400
    response = client_for(colleague).post(url, {"code": meeting.check_in_code}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "checked_in")


def test_list_shows_each_role_its_own_meetings(expo, client_for):
    exhibitors = [exhibitor_with_tables(expo=expo) for _ in range(2)]
    buyers = [buyer_at(expo) for _ in range(2)]
    slots = future_slots(expo, 2)
    mine = svc.meeting_book(buyer=buyers[0], exhibitor=exhibitors[0], slot=slots[0], actor=buyers[0].user)
    theirs = svc.meeting_book(buyer=buyers[1], exhibitor=exhibitors[1], slot=slots[1], actor=buyers[1].user)

    def ids(user, query=""):
        body = client_for(user).get(URL + query).json()
        return [row["id"] for row in body["results"]]

    assert ids(buyers[0].user) == [mine.pk]
    assert ids(staff_of(exhibitors[1])) == [theirs.pk]
    assert ids(OrganiserFactory()) == [mine.pk, theirs.pk]
    assert ids(buyers[0].user, "?status=accepted") == []
    assert ids(buyers[0].user, "?status=requested&status=accepted") == [mine.pk]
    assert client_for(buyers[0].user).get(URL + "?status=bogus").status_code == 400


def test_date_filter_uses_the_expos_time_zone(client_for):
    expo = ExpoFactory(is_current=True, time_zone="Europe/Paris")
    exhibitor = exhibitor_with_tables(expo=expo)
    buyer = buyer_at(expo)
    now = timezone.now()
    local_tomorrow = (now.astimezone(expo.tzinfo) + timedelta(days=2)).replace(hour=0, minute=30)
    late_evening = (now.astimezone(expo.tzinfo) + timedelta(days=1)).replace(hour=23, minute=50)
    early = slot_at(expo, local_tomorrow)
    late = slot_at(expo, late_evening)
    a = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=early, actor=buyer.user)
    b = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=late, actor=buyer.user)
    client = client_for(buyer.user)
    day = local_tomorrow.date().isoformat()
    assert [r["id"] for r in client.get(f"{URL}?date={day}").json()["results"]] == [a.pk]
    day = late_evening.date().isoformat()
    assert [r["id"] for r in client.get(f"{URL}?date={day}").json()["results"]] == [b.pk]
    assert client.get(f"{URL}?date=2027-02-30").status_code == 400


@pytest.mark.parametrize("n", [1, 3])
def test_meeting_list_query_count(expo, client_for, django_assert_num_queries, n):
    buyer = buyer_at(expo)
    slots = future_slots(expo, n)
    for slot in slots:
        exhibitor = exhibitor_with_tables(expo=expo)
        svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    client = client_for(buyer.user)
    # token + user, expo, count, page of meetings, the exhibitors' booths
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == n


def test_free_slots_leave_out_the_signed_in_buyers_busy_slots(world, client_for, api_client, expo):
    """A buyer's meeting elsewhere (another exhibitor's table) hides that slot from this buyer only."""
    exhibitor, buyer, slots = world
    elsewhere = exhibitor_with_tables(expo=expo, tables=1)
    svc.meeting_book(buyer=buyer, exhibitor=elsewhere, slot=slots[1], actor=buyer.user)
    url = f"/api/v1/exhibitors/{exhibitor.pk}/slots/"

    mine = client_for(buyer.user).get(url).json()["results"]
    anyone = api_client.get(url).json()["results"]
    other_buyer = client_for(buyer_at(expo, verified=True).user).get(url).json()["results"]

    assert [(r["id"], r["free_tables"]) for r in mine] == [(slots[0].pk, 1), (slots[2].pk, 1)]
    assert [r["id"] for r in anyone] == [s.pk for s in slots]
    assert [r["id"] for r in other_buyer] == [s.pk for s in slots]


def test_free_slots_query_count_is_the_same_for_any_number_of_slots(
    world, client_for, django_assert_num_queries
):
    """token + user, expo, exhibitor, the signed-in buyer (the one query hiding their busy slots
    adds), then the selector's: slots, days, tables, meeting settings, live meetings (the buyer's
    included); lounge tables only when the exhibitor shares the lounge."""
    exhibitor, buyer, slots = world
    client = client_for(buyer.user)
    svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[0], actor=buyer.user)
    for hours_ahead in (5, 8):
        with django_assert_num_queries(9):
            response = client.get(f"/api/v1/exhibitors/{exhibitor.pk}/slots/")
        assert response.status_code == 200
        future_slots(exhibitor.expo, 6, hours_ahead=hours_ahead)
    assert len(response.json()["results"]) == 8  # 3 + 6 slots, less the buyer's own meeting


def test_free_slots_in_the_expos_zone(world, client_for, api_client):
    exhibitor, buyer, slots = world
    svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[0], actor=buyer.user)
    day = slots[1].start.astimezone(exhibitor.expo.tzinfo).date().isoformat()
    response = api_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/slots/?date={day}")
    assert response.status_code == 200
    rows = response.json()["results"]
    expected = [s for s in slots[1:] if s.start.astimezone(exhibitor.expo.tzinfo).date().isoformat() == day]
    tz = exhibitor.expo.tzinfo
    assert rows == [
        {
            "id": s.pk,
            "start": s.start.astimezone(tz).isoformat(),
            "end": s.end.astimezone(tz).isoformat(),
            "free_tables": 1,
        }
        for s in expected
    ]
    assert api_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/slots/?date=tomorrow").status_code == 400
    assert api_client.get("/api/v1/exhibitors/999999/slots/").status_code == 404


def test_organiser_books_for_a_buyer_with_an_exhibitor(world, client_for):
    exhibitor, buyer, slots = world
    response = client_for(OrganiserFactory()).post(
        URL, {"buyer": buyer.pk, "exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json"
    )
    assert response.status_code == 201
    assert Meeting.objects.get().status == MeetingStatus.REQUESTED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "Use a date in the form YYYY-MM-DD."),
        ("2027-02-30", "There is no such date as 2027-02-30."),
        ("2027-13-01", "There is no such date as 2027-13-01."),
    ],
)
def test_free_slots_bad_date_is_a_400_naming_date(world, api_client, value, message):
    exhibitor, _buyer, _slots = world
    response = api_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/slots/?date={value}")
    assert response.status_code == 400
    assert response.json() == {"detail": f"date: {message}", "date": [message]}
