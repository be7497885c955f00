"""Calendar files: parsed back by the calendar library, times equal to the slots across a
daylight-saving change, stable UIDs with growing SEQUENCE, cancellations, subscription addresses."""

import datetime

import icalendar
import pytest

from expo.models import CalendarFeed, Slot
from expo.services import meetings as svc
from expo.services.floor import expo_slots_generate
from tests.factories.accounts import UserFactory
from tests.factories.expo import ExpoFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, staff_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/calendar.ics"
SUBSCRIPTION = "/api/v1/meetings/calendar/subscription/"
UTC = datetime.UTC


@pytest.fixture
def paris():
    """A Paris expo over the night clocks go back (Sunday 31 October 2027, 03:00 CEST → 02:00 CET)."""
    expo = ExpoFactory(
        is_current=True, time_zone="Europe/Paris", start_date=datetime.date(2027, 10, 30), days=3
    )
    expo_slots_generate(expo=expo)
    return expo


def _slot(expo, day: datetime.date, hour: int) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=expo.tzinfo)
    return Slot.objects.get(expo=expo, start=start)


def _events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _booked(expo, hours):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    buyer = buyer_at(expo, verified=True)
    days = [expo.start_date + datetime.timedelta(days=i) for i in range(3)]
    meetings = [
        svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=_slot(expo, day, hours), actor=buyer.user)
        for day in days
    ]
    return exhibitor, buyer, meetings


def test_times_equal_the_slots_in_utc_across_the_clock_change(paris, client_for):
    exhibitor, buyer, meetings = _booked(paris, 10)

    response = client_for(buyer.user).get(URL)

    calendar = icalendar.Calendar.from_ical(response.content)
    events = _events(response)
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Paris"]
    own_rules = zones[0].to_tz()  # the file's VTIMEZONE itself, not the parser's zone database
    starts_utc = []
    for meeting in meetings:
        event = events[f"meeting-{meeting.pk}@{paris.slug}.shuttle"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert start.astimezone(UTC) == meeting.slot.start
        assert end.astimezone(UTC) == meeting.slot.end
        assert start.replace(tzinfo=own_rules).astimezone(UTC) == meeting.slot.start
        assert (start.hour, start.minute) == (10, 0)
        starts_utc.append(start.astimezone(UTC).time())
    # 10:00 in Paris is 08:00 UTC on summer time, 09:00 UTC after the change.
    assert starts_utc == [datetime.time(8), datetime.time(9), datetime.time(9)]


def test_event_carries_place_status_and_sequence(paris, client_for):
    exhibitor, buyer, meetings = _booked(paris, 11)
    booth = meetings[0].table.booth

    events = _events(client_for(buyer.user).get(URL))

    event = events[f"meeting-{meetings[0].pk}@{paris.slug}.shuttle"]
    assert str(event["LOCATION"]) == f"Hall {booth.hall.name_en}, booth {booth.code}, table 1"
    assert str(event["SUMMARY"]) == f"Meeting: {exhibitor.name_en}"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event["SEQUENCE"] == 0
    assert len(events) == 3


def test_change_keeps_the_uid_and_raises_the_sequence_cancel_cancels(paris, client_for):
    exhibitor, buyer, meetings = _booked(paris, 10)
    staff = staff_of(exhibitor)
    first, second, _third = meetings
    uid_first = f"meeting-{first.pk}@{paris.slug}.shuttle"
    uid_second = f"meeting-{second.pk}@{paris.slug}.shuttle"
    svc.meeting_accept(meeting=first, actor=staff)
    new_slot = _slot(paris, paris.start_date, 14)
    svc.meeting_reschedule(meeting=first, slot=new_slot, actor=buyer.user)
    svc.meeting_cancel(meeting=second, actor=staff, reason="Sold out")

    events = _events(client_for(buyer.user).get(URL))

    moved = events[uid_first]
    assert moved["SEQUENCE"] == 2  # requested, accepted, moved
    assert moved.decoded("DTSTART").astimezone(UTC) == new_slot.start
    assert str(moved["STATUS"]) == "TENTATIVE"  # waits for the exhibitor again
    cancelled = events[uid_second]
    assert cancelled["SEQUENCE"] == 1
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert "Reason: Sold out" in str(cancelled["DESCRIPTION"])


def test_staff_see_their_company_and_strangers_see_nothing(paris, client_for):
    exhibitor, buyer, meetings = _booked(paris, 10)
    stranger = buyer_at(paris, verified=True)

    staff_events = _events(client_for(staff_of(exhibitor)).get(URL))
    stranger_events = _events(client_for(stranger.user).get(URL))

    assert str(staff_events[f"meeting-{meetings[0].pk}@{paris.slug}.shuttle"]["SUMMARY"]) == (
        f"Meeting: {buyer.company}"
    )
    assert len(staff_events) == 3
    assert stranger_events == {}


def test_chinese_reader_gets_chinese_text(paris, client_for):
    exhibitor, buyer, meetings = _booked(paris, 10)
    buyer.user.preferred_language = "zh-hans"
    buyer.user.save(update_fields=["preferred_language"])

    events = _events(client_for(buyer.user).get(URL))

    event = events[f"meeting-{meetings[0].pk}@{paris.slug}.shuttle"]
    assert str(event["SUMMARY"]) == f"洽谈：{exhibitor.name_zh}"
    booth = meetings[0].table.booth
    assert str(event["LOCATION"]) == f"{booth.hall.name_zh}，展位 {booth.code}，1号桌"


def test_phone_calendar_asking_for_text_calendar_is_answered(paris, client_for):
    _exhibitor, buyer, _meetings = _booked(paris, 10)

    response = client_for(buyer.user).get(URL, HTTP_ACCEPT="text/calendar")

    assert len(_events(response)) == 3


def test_signed_out_gets_401(paris, api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_subscription_address_follows_without_sign_in_and_revoked_is_404(paris, client_for, api_client):
    _exhibitor, buyer, meetings = _booked(paris, 10)
    owner = client_for(buyer.user)
    assert owner.get(SUBSCRIPTION).json() == {"url": None, "created_at": None}

    created = owner.post(SUBSCRIPTION)

    assert created.status_code == 201
    feed = CalendarFeed.objects.get(user=buyer.user)
    url = created.json()["url"]
    assert url == f"http://testserver/api/v1/meetings/calendar/{feed.token}.ics"
    assert owner.get(SUBSCRIPTION).json()["url"] == url
    assert len(_events(api_client.get(url))) == 3

    regenerated = owner.post(SUBSCRIPTION).json()["url"]

    assert regenerated != url
    assert api_client.get(url).status_code == 404
    assert len(_events(api_client.get(regenerated))) == 3

    assert owner.delete(SUBSCRIPTION).status_code == 204

    gone = api_client.get(regenerated)
    assert gone.status_code == 404
    assert gone.json() == {"detail": "No such calendar address."}
    assert CalendarFeed.objects.filter(user=buyer.user).exists() is False


def test_subscription_of_a_deactivated_user_is_404(paris, client_for, api_client):
    user = UserFactory()
    url = client_for(user).post(SUBSCRIPTION).json()["url"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert api_client.get(url).status_code == 404
