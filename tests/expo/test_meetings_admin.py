"""Meetings in the admin: staff answer their own company's requests through the actions (the
services), see only their company's meetings, and the lists cost the same whatever their length."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import ExhibitorMeetingSettings, Meeting, MeetingEvent, MeetingStatus
from expo.services import meetings as svc
from expo.services.notifications import notifications_send
from tests.factories.accounts import OrganiserFactory
from tests.factories.meetings import (
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo(db):
    return expo_with_slots_near_now()


CHANGELIST = "/admin/expo/meeting/"


def _staff_client(exhibitor) -> tuple[Client, object]:
    user = user_set_role(user=staff_of(exhibitor), role=Role.EXHIBITOR_STAFF)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def requests_(expo):
    mine, theirs = exhibitor_with_tables(expo=expo, tables=2), exhibitor_with_tables(expo=expo)
    slots = future_slots(expo, 2)
    booked = [
        svc.meeting_book(buyer=b, exhibitor=mine, slot=slots[0], actor=b.user)
        for b in (buyer_at(expo), buyer_at(expo))
    ]
    other_buyer = buyer_at(expo)
    other = svc.meeting_book(buyer=other_buyer, exhibitor=theirs, slot=slots[1], actor=other_buyer.user)
    return mine, booked, other


def test_staff_list_only_their_companys_meetings(requests_):
    mine, booked, other = requests_
    client, _user = _staff_client(mine)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert sorted(m.pk for m in response.context["cl"].result_list) == sorted(m.pk for m in booked)
    assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 302


def test_accept_action_goes_through_the_service(requests_, django_capture_on_commit_callbacks):
    mine, booked, other = requests_
    client, user = _staff_client(mine)
    notifications_send()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "accept", "_selected_action": [booked[0].pk, other.pk]}, follow=True
        )
    assert response.status_code == 200
    booked[0].refresh_from_db()
    other.refresh_from_db()
    assert (booked[0].status, booked[0].owner) == (MeetingStatus.ACCEPTED, user)
    assert other.status == MeetingStatus.REQUESTED  # not theirs: outside the queryset, untouched
    assert MeetingEvent.objects.filter(meeting=booked[0], action="accept", actor=user).count() == 1
    assert [m.to for m in mail.outbox] == [[booked[0].buyer.user.email]]
    assert [str(m) for m in response.context["messages"]] == ["1 meeting accepted."]


def test_decline_action_reports_meetings_it_could_not_change(requests_):
    mine, booked, _other = requests_
    client, user = _staff_client(mine)
    svc.meeting_accept(meeting=booked[0], actor=user)
    response = client.post(
        CHANGELIST, {"action": "decline", "_selected_action": [m.pk for m in booked]}, follow=True
    )
    statuses = dict(Meeting.objects.filter(pk__in=[m.pk for m in booked]).values_list("pk", "status"))
    assert statuses == {booked[0].pk: MeetingStatus.ACCEPTED, booked[1].pk: MeetingStatus.DECLINED}
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "1 meeting declined."
    assert texts[1].endswith("A meeting that is accepted cannot be declined.")


def test_staff_cannot_give_their_company_a_larger_share_of_the_lounge(requests_):
    mine, _booked, _other = requests_
    client, _user = _staff_client(mine)
    settings = ExhibitorMeetingSettings.objects.create(exhibitor=mine, lounge_tables=0)
    response = client.post(
        f"/admin/expo/exhibitormeetingsettings/{settings.pk}/change/",
        {"auto_accept": "on", "lounge_tables": 9},
    )
    assert response.status_code == 302
    settings.refresh_from_db()
    assert (settings.auto_accept, settings.lounge_tables) == (True, 0)


@pytest.mark.parametrize("n", [1, 3])
def test_meeting_changelist_query_count_does_not_grow(expo, django_assert_num_queries, n):
    buyer = buyer_at(expo)
    for slot in future_slots(expo, n):
        svc.meeting_book(buyer=buyer, exhibitor=exhibitor_with_tables(expo=expo), slot=slot, actor=buyer.user)
    client = Client()
    client.force_login(OrganiserFactory())
    client.get(CHANGELIST)  # warm the per-process caches (content types, admin log)
    with django_assert_num_queries(8):
        assert client.get(CHANGELIST).status_code == 200
