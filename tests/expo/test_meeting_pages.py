"""Meeting pages: booking from the directory and recommendations, the buyer's schedule with QR
codes and walking order, cancel and move, calendar address, the floor page's check-in."""

import datetime
import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from expo.models import CalendarFeed, Meeting, MeetingStatus, Slot
from expo.services import meetings as svc
from expo.services.floor import booth_tables_sync, expo_slots_generate
from tests.config.pages import error_message
from tests.factories.expo import (
    BoothFactory,
    ExhibitorFactory,
    ExhibitorStaffFactory,
    ExpoFactory,
    HallFactory,
)
from tests.factories.meetings import buyer_at, exhibitor_with_tables, slot_at, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo():
    """An expo on now: today (in its zone) and the next two days, with its slot grid."""
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    return expo


@pytest.fixture
def tomorrow(expo):
    return expo.start_date + timedelta(days=1)


def _slots(expo, day):
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=expo.tzinfo)
    return list(Slot.objects.filter(expo=expo, start__gte=start, start__lt=start + timedelta(days=1)))


@pytest.fixture
def scene(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    buyer = buyer_at(expo, verified=True)
    return exhibitor, buyer


def _signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


# --- Booking ------------------------------------------------------------------------------------


def test_booking_page_lists_the_days_free_times_in_the_expo_zone(client, scene, tomorrow):
    exhibitor, buyer = scene
    expo = exhibitor.expo

    response = _signed_in(client, buyer.user).get(f"/exhibitors/{exhibitor.pk}/book/", {"date": tomorrow})

    assert response.status_code == 200
    html = response.content.decode()
    for slot in _slots(expo, tomorrow):
        local = slot.start.astimezone(expo.tzinfo)
        assert f'data-slot="{slot.pk}">{local:%H:%M}–' in html
    assert html.count("data-slot=") == 24  # 09:00 to 17:00 in 20-minute slots


def test_booking_from_the_page_requests_the_meeting(client, scene, tomorrow):
    exhibitor, buyer = scene
    slot = _slots(exhibitor.expo, tomorrow)[2]

    response = _signed_in(client, buyer.user).post(f"/exhibitors/{exhibitor.pk}/book/", {"slot": slot.pk})

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/#meeting-{meeting.pk}"
    assert (meeting.buyer, meeting.exhibitor, meeting.slot, meeting.status) == (
        buyer,
        exhibitor,
        slot,
        MeetingStatus.REQUESTED,
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Every table of this exhibitor is taken in this slot."),
        ("zh-hans", "该展商在此时段的洽谈桌均已被占用。"),
    ],
)
def test_taken_slot_is_a_409_with_the_reason_in_the_page(client, scene, tomorrow, language, message):
    exhibitor, buyer = scene
    slot = _slots(exhibitor.expo, tomorrow)[0]
    other = buyer_at(exhibitor.expo, verified=True)
    svc.meeting_book(buyer=other, exhibitor=exhibitor, slot=slot, actor=other.user)

    response = _signed_in(client, buyer.user, language).post(
        f"/exhibitors/{exhibitor.pk}/book/", {"slot": slot.pk}
    )

    assert response.status_code == 409
    assert f'<p class="form-error" role="alert">{message}</p>' in response.content.decode()
    assert Meeting.objects.filter(buyer=buyer).exists() is False


def test_booking_without_a_slot_or_a_past_one_is_a_400(client, scene, expo):
    exhibitor, buyer = scene
    past = slot_at(expo, timezone.now().replace(microsecond=0) - timedelta(hours=1, seconds=7))
    signed_in = _signed_in(client, buyer.user)

    missing = signed_in.post(f"/exhibitors/{exhibitor.pk}/book/", {"slot": "x"})
    started = signed_in.post(f"/exhibitors/{exhibitor.pk}/book/", {"slot": past.pk})

    assert missing.status_code == 400
    assert "Choose one of the free times." in missing.content.decode()
    assert started.status_code == 400
    assert "This slot has already started." in started.content.decode()
    assert Meeting.objects.exists() is False


def test_buyer_without_a_profile_is_told_to_write_one(client, scene, expo):
    exhibitor, _buyer = scene
    stranger = buyer_at(ExpoFactory(), verified=True)  # a profile at another expo only

    response = _signed_in(client, stranger.user).get(f"/exhibitors/{exhibitor.pk}/book/")

    assert response.status_code == 403
    assert "Describe what you source first: then you can book meetings." in response.content.decode()


def test_exhibitor_page_offers_booking_to_buyers_only(client, scene, tomorrow):
    exhibitor, buyer = scene

    as_buyer = _signed_in(client, buyer.user).get(f"/exhibitors/{exhibitor.pk}/", {"date": tomorrow})
    client.logout()
    as_visitor = client.get(f"/exhibitors/{exhibitor.pk}/")

    assert as_buyer.content.decode().count("data-slot=") == 24
    assert "data-slot=" not in as_visitor.content.decode()


def test_htmx_day_switch_returns_just_the_block(client, scene, tomorrow):
    exhibitor, buyer = scene

    response = _signed_in(client, buyer.user).get(
        f"/exhibitors/{exhibitor.pk}/book/", {"date": tomorrow}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.strip().startswith('<div id="booking"')
    assert "<html" not in html


# --- The schedule -------------------------------------------------------------------------------


def _day_of_meetings(expo, buyer, day, n):
    """`n` meetings of `buyer` on `day` with exhibitors in alternate halls; the first accepted."""
    halls = [HallFactory(expo=expo), HallFactory(expo=expo)]
    slots = _slots(expo, day)
    meetings = []
    for i in range(n):
        exhibitor = ExhibitorFactory(expo=expo)
        booth_tables_sync(booth=BoothFactory(expo=expo, hall=halls[i % 2], exhibitor=exhibitor, tables=1))
        ExhibitorStaffFactory(exhibitor=exhibitor)
        meetings.append(svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[i], actor=buyer.user))
    svc.meeting_accept(meeting=meetings[0], actor=staff_of(meetings[0].exhibitor))
    return meetings


def test_schedule_shows_place_qr_for_accepted_and_walking_hints(client, expo, tomorrow):
    buyer = buyer_at(expo, verified=True)
    first, second = _day_of_meetings(expo, buyer, tomorrow, 2)
    first.refresh_from_db()
    second.refresh_from_db()

    response = _signed_in(client, buyer.user).get("/meetings/")

    html = response.content.decode()
    assert response.status_code == 200
    booth = first.table.booth
    assert f"{booth.hall.name_en} · Booth <strong>{booth.code}</strong> · Table <strong>1</strong>" in html
    assert html.count('class="segno"') == 1  # only the accepted meeting has a code
    assert f"<code>{first.check_in_code}</code>" in html
    assert second.check_in_code not in html
    hall = second.table.booth.hall.name_en
    assert f"Straight on to {hall}: no break before this meeting." in html  # back to back, other hall
    assert f"<strong>Walking order:</strong> {booth.code} → {second.table.booth.code}" in html


def test_schedule_queries_do_not_grow_with_meetings(client, expo, tomorrow):
    few, many = buyer_at(expo, verified=True), buyer_at(expo, verified=True)
    _day_of_meetings(expo, few, tomorrow, 1)
    _day_of_meetings(expo, many, tomorrow, 6)

    def count(user):
        signed_in = _signed_in(client, user)
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/meetings/").status_code == 200
        return len(queries)

    assert count(many.user) == count(few.user)


def test_cancel_and_move_from_the_schedule(client, scene, tomorrow):
    exhibitor, buyer = scene
    slots = _slots(exhibitor.expo, tomorrow)
    kept = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[0], actor=buyer.user)
    dropped = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[1], actor=buyer.user)
    signed_in = _signed_in(client, buyer.user)

    cancelled = signed_in.post(f"/meetings/{dropped.pk}/cancel/")
    moved = signed_in.post(f"/meetings/{kept.pk}/reschedule/", {"slot": slots[5].pk})
    again = signed_in.post(f"/meetings/{dropped.pk}/cancel/", follow=True)

    assert (cancelled.status_code, moved.status_code) == (302, 302)
    dropped.refresh_from_db()
    kept.refresh_from_db()
    assert dropped.status == MeetingStatus.CANCELLED
    assert kept.slot == slots[5]
    assert "A meeting that is cancelled cannot be cancelled." in again.content.decode()


def test_moving_to_a_taken_time_is_a_409_and_changes_nothing(client, scene, tomorrow):
    exhibitor, buyer = scene
    slots = _slots(exhibitor.expo, tomorrow)
    meeting = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[0], actor=buyer.user)
    other = buyer_at(exhibitor.expo, verified=True)
    svc.meeting_book(buyer=other, exhibitor=exhibitor, slot=slots[1], actor=other.user)

    response = _signed_in(client, buyer.user).post(
        f"/meetings/{meeting.pk}/reschedule/", {"slot": slots[1].pk}
    )

    assert response.status_code == 409
    assert "Every table of this exhibitor is taken in this slot." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.slot == slots[0]


def test_someone_elses_meeting_is_a_404(client, scene, tomorrow):
    exhibitor, buyer = scene
    meeting = svc.meeting_book(
        buyer=buyer, exhibitor=exhibitor, slot=_slots(exhibitor.expo, tomorrow)[0], actor=buyer.user
    )
    other = buyer_at(exhibitor.expo, verified=True)

    assert _signed_in(client, other.user).post(f"/meetings/{meeting.pk}/cancel/").status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REQUESTED


def test_calendar_address_made_and_revoked_from_the_schedule(client, scene):
    _exhibitor, buyer = scene
    signed_in = _signed_in(client, buyer.user)

    signed_in.post("/meetings/calendar/", {"action": "new"})
    feed = CalendarFeed.objects.get(user=buyer.user)
    page = signed_in.get("/meetings/").content.decode()
    signed_in.post("/meetings/calendar/", {"action": "revoke"})

    assert f"http://testserver/api/v1/meetings/calendar/{feed.token}.ics" in page
    assert CalendarFeed.objects.filter(user=buyer.user).exists() is False


# --- The floor page -----------------------------------------------------------------------------


_SOON = itertools.count(1)


def _meeting_soon(expo, exhibitor, buyer):
    """An accepted meeting in a slot starting in about ten minutes (check-in is open)."""
    start = timezone.now().replace(microsecond=0, second=0) + timedelta(minutes=10, seconds=next(_SOON))
    slot = slot_at(expo, start)
    meeting = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    return svc.meeting_accept(meeting=meeting, actor=staff_of(exhibitor))


def test_floor_lists_todays_accepted_meetings(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _meeting_soon(expo, exhibitor, buyer)
    waiting = buyer_at(expo, verified=True)
    svc.meeting_book(
        buyer=waiting, exhibitor=exhibitor, slot=_slots(expo, expo.start_date)[-1], actor=waiting.user
    )

    response = _signed_in(client, staff_of(exhibitor)).get("/floor/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="meeting-{meeting.pk}"' in html
    assert waiting.company not in html  # a request is not on the floor's plan


def test_floor_check_in_by_code(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _meeting_soon(expo, exhibitor, buyer)
    colleague = ExhibitorStaffFactory(exhibitor=exhibitor).user  # not the owner: needs the code

    response = _signed_in(client, colleague).post(
        "/floor/check-in/", {"code": f" {meeting.check_in_code} "}, follow=True
    )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CHECKED_IN
    assert meeting.checked_in_at is not None
    assert f"{buyer.company} is checked in for" in response.content.decode()


def test_floor_check_in_with_an_unknown_code_or_another_companys(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _meeting_soon(expo, exhibitor, buyer)
    stranger = staff_of(exhibitor_with_tables(expo=expo))

    response = _signed_in(client, stranger, "zh-hans").post(
        "/floor/check-in/", {"code": meeting.check_in_code}, follow=True
    )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert "此代码不属于您的任何洽谈。" in response.content.decode()


def test_floor_queries_do_not_grow_with_meetings(client, expo):
    def staff_with(n):
        exhibitor = exhibitor_with_tables(expo=expo, tables=n)
        for _ in range(n):
            _meeting_soon(expo, exhibitor, buyer_at(expo, verified=True))
        return staff_of(exhibitor)

    few, many = staff_with(1), staff_with(5)

    def count(user):
        signed_in = _signed_in(client, user)
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/floor/").status_code == 200
        return len(queries)

    assert count(many) == count(few)


# --- A day that cannot be shown -----------------------------------------------------------------


def _pages(scene):
    exhibitor, buyer = scene
    staff = staff_of(exhibitor)
    return {
        "floor": (staff, "/floor/"),
        "book": (buyer.user, f"/exhibitors/{exhibitor.pk}/book/"),
        "exhibitor": (buyer.user, f"/exhibitors/{exhibitor.pk}/"),
    }


@pytest.mark.parametrize("page", ["floor", "book", "exhibitor"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("30/11/2026", "The value of date cannot be used: Use a date in the form YYYY-MM-DD."),
        ("2027-02-30", "The value of date cannot be used: There is no such date as 2027-02-30."),
        ("2027-13-01", "The value of date cannot be used: There is no such date as 2027-13-01."),
    ],
)
def test_a_bad_date_is_a_400_page_naming_date(client, scene, page, value, message):
    user, url = _pages(scene)[page]
    response = _signed_in(client, user).get(url, {"date": value})
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    assert error_message(response) == message


def test_a_day_outside_the_expo_is_a_400_page_naming_date(client, scene, expo):
    user, url = _pages(scene)["floor"]
    last = expo.start_date + timedelta(days=2)
    response = _signed_in(client, user).get(url, {"date": "2020-01-01"})
    assert response.status_code == 400
    assert error_message(response) == (
        "The value of date cannot be used: The expo does not run on 2020-01-01: "
        f"its days are {expo.start_date.isoformat()} to {last.isoformat()}."
    )


def test_a_bad_date_page_is_in_the_readers_language(client, scene):
    user, url = _pages(scene)["floor"]
    response = _signed_in(client, user, "zh-hans").get(url, {"date": "2027-02-30"})
    assert response.status_code == 400
    assert "<title>请求无法处理" in response.content.decode()
    assert error_message(response) == "date 的值无法使用：不存在 2027-02-30 这一日期。"


def test_reschedule_page_refuses_a_bad_date(client, scene, tomorrow):
    exhibitor, buyer = scene
    slot = _slots(exhibitor.expo, tomorrow)[4]
    meeting = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    response = _signed_in(client, buyer.user).get(f"/meetings/{meeting.pk}/reschedule/", {"date": "tomorrow"})
    assert response.status_code == 400
    assert error_message(response) == "The value of date cannot be used: Use a date in the form YYYY-MM-DD."


def test_floor_and_booking_show_a_good_date(client, scene, tomorrow):
    exhibitor, buyer = scene
    floor = _signed_in(client, staff_of(exhibitor)).get("/floor/", {"date": tomorrow.isoformat()})
    assert (floor.status_code, floor.context["day"]) == (200, tomorrow)
    book = _signed_in(client, buyer.user).get(
        f"/exhibitors/{exhibitor.pk}/book/", {"date": tomorrow.isoformat()}
    )
    assert (book.status_code, book.context["booking_day"]) == (200, tomorrow)


def test_the_calendar_address_page_opened_directly_leads_to_the_schedules_calendar(client, scene):
    _exhibitor, buyer = scene

    response = _signed_in(client, buyer.user).get("/meetings/calendar/")

    assert response.status_code == 302
    assert response["Location"] == "/meetings/#calendar"
    assert CalendarFeed.objects.filter(user=buyer.user).exists() is False
