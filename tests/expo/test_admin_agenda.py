"""The exhibitor's agenda in the admin: a day as slots × tables, accept and decline through the
services, each company seeing only its own meetings."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from expo.models import MeetingStatus, Slot
from expo.services import meetings as svc
from expo.services.floor import expo_slots_generate
from tests.factories.accounts import OrganiserFactory
from tests.factories.expo import ExpoFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, staff_of

pytestmark = pytest.mark.django_db

URL = "/admin/expo/exhibitor/agenda/"


@pytest.fixture
def scene():
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    tomorrow = today + timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=expo.tzinfo)
    slots = list(Slot.objects.filter(expo=expo, start__gte=start).order_by("start")[:4])
    return expo, exhibitor, tomorrow, slots


def _book(exhibitor, slot):
    buyer = buyer_at(exhibitor.expo, verified=True)
    return svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)


def test_staff_see_the_day_by_table_with_answer_buttons(scene, client):
    expo, exhibitor, tomorrow, slots = scene
    first, second = _book(exhibitor, slots[0]), _book(exhibitor, slots[0])
    _book(exhibitor_with_tables(expo=expo), slots[0])  # another company's
    client.force_login(staff_of(exhibitor))

    response = client.get(URL, {"date": tomorrow.isoformat()})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="meeting requested"') == 2
    assert f'id="meeting-{first.pk}"' in html
    assert f'id="meeting-{second.pk}"' in html
    assert html.count('value="accept"') == 2
    local = slots[0].start.astimezone(expo.tzinfo)
    assert f'<th scope="row">{local:%H:%M}–' in html


def test_accept_and_decline_from_the_agenda(scene, client):
    _expo, exhibitor, tomorrow, slots = scene
    first, second = _book(exhibitor, slots[0]), _book(exhibitor, slots[1])
    staff = staff_of(exhibitor)
    client.force_login(staff)
    day = tomorrow.isoformat()

    accepted = client.post(URL, {"meeting": first.pk, "answer": "accept", "date": day})
    client.post(URL, {"meeting": second.pk, "answer": "decline", "reason": "Fully booked", "date": day})

    assert accepted.status_code == 302
    assert accepted["Location"] == f"{URL}?date={day}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.owner) == (MeetingStatus.ACCEPTED, staff)
    assert (second.status, second.decline_reason) == (MeetingStatus.DECLINED, "Fully booked")


def test_another_companys_meeting_cannot_be_answered(scene, client):
    expo, exhibitor, tomorrow, slots = scene
    theirs = _book(exhibitor_with_tables(expo=expo), slots[0])
    client.force_login(staff_of(exhibitor))

    response = client.post(URL, {"meeting": theirs.pk, "answer": "accept", "date": tomorrow}, follow=True)

    theirs.refresh_from_db()
    assert theirs.status == MeetingStatus.REQUESTED
    assert "No such meeting." in response.content.decode()


def test_accepting_twice_shows_the_refusal(scene, client):
    _expo, exhibitor, tomorrow, slots = scene
    meeting = _book(exhibitor, slots[0])
    client.force_login(staff_of(exhibitor))
    client.post(URL, {"meeting": meeting.pk, "answer": "accept", "date": tomorrow})

    again = client.post(URL, {"meeting": meeting.pk, "answer": "accept", "date": tomorrow}, follow=True)

    assert "A meeting that is accepted cannot be accepted." in again.content.decode()


def test_organiser_picks_the_exhibitor(scene, client):
    _expo, exhibitor, tomorrow, slots = scene
    meeting = _book(exhibitor, slots[0])
    client.force_login(OrganiserFactory())

    chooser = client.get(URL)
    agenda = client.get(URL, {"exhibitor": exhibitor.pk, "date": tomorrow.isoformat()})

    assert f'<option value="{exhibitor.pk}">' in chooser.content.decode()
    assert f'id="meeting-{meeting.pk}"' in agenda.content.decode()


def test_agenda_queries_do_not_grow_with_meetings(scene, client):
    expo, exhibitor, tomorrow, slots = scene
    busy = exhibitor_with_tables(expo=expo, tables=2)
    _book(exhibitor, slots[0])
    for slot in slots:
        _book(busy, slot)
        _book(busy, slot)

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"date": tomorrow.isoformat()}).status_code == 200
        return len(queries)

    assert count(staff_of(busy)) == count(staff_of(exhibitor))


@pytest.mark.parametrize("value", ["tomorrow", "2027-02-30", "1999-01-01"])
def test_a_date_outside_the_expo_is_a_400_naming_date(scene, client, value):
    expo, exhibitor, tomorrow, slots = scene
    client.force_login(staff_of(exhibitor))

    response = client.get(URL, {"date": value})

    assert response.status_code == 400
    messages = [str(m) for m in response.context["messages"]]
    shown = date_format(expo.start_date, "SHORT_DATE_FORMAT")
    assert messages == [f"date: {value} is not a day of this expo; the agenda shows {shown}."]
