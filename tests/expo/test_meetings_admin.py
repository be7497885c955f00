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
        CHANGELIST,
        {"action": "decline", "_selected_action": [m.pk for m in booked], "post": "yes"},
        follow=True,
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


# --- Decline with a reason (the confirmation step) -----------------------------------------------


def test_decline_action_asks_for_a_reason_first(requests_):
    mine, booked, _other = requests_
    client, _user = _staff_client(mine)
    response = client.post(CHANGELIST, {"action": "decline", "_selected_action": [booked[0].pk]})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/expo/meeting/decline_confirmation.html"
    body = response.content.decode()
    assert '<input type="hidden" name="post" value="yes">' in body
    assert f'<input type="hidden" name="_selected_action" value="{booked[0].pk}">' in body
    assert '<textarea name="reason"' in body
    booked[0].refresh_from_db()
    assert booked[0].status == MeetingStatus.REQUESTED  # nothing changes before the confirmation


def test_decline_action_stores_the_reason_and_emails_it(requests_, django_capture_on_commit_callbacks):
    mine, booked, _other = requests_
    client, user = _staff_client(mine)
    notifications_send()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {
                "action": "decline",
                "_selected_action": [booked[0].pk],
                "post": "yes",
                "reason": "  Fully booked with mills from Keqiao that morning.  ",
            },
            follow=True,
        )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["1 meeting declined."]
    booked[0].refresh_from_db()
    assert (booked[0].status, booked[0].decline_reason) == (
        MeetingStatus.DECLINED,
        "Fully booked with mills from Keqiao that morning.",
    )
    event = MeetingEvent.objects.get(meeting=booked[0], action="decline")
    assert (event.actor, event.note) == (user, "Fully booked with mills from Keqiao that morning.")
    assert [m.to for m in mail.outbox] == [[booked[0].buyer.user.email]]
    assert mail.outbox[0].body.splitlines()[-1] == "Reason: Fully booked with mills from Keqiao that morning."
    assert Meeting.objects.get(pk=booked[1].pk).status == MeetingStatus.REQUESTED


def test_decline_action_without_a_reason_declines(requests_):
    mine, booked, _other = requests_
    client, _user = _staff_client(mine)
    client.post(
        CHANGELIST, {"action": "decline", "_selected_action": [booked[1].pk], "post": "yes", "reason": ""}
    )
    booked[1].refresh_from_db()
    assert (booked[1].status, booked[1].decline_reason) == (MeetingStatus.DECLINED, "")


def test_decline_action_refuses_a_reason_over_500_characters(requests_):
    mine, booked, _other = requests_
    client, _user = _staff_client(mine)
    response = client.post(
        CHANGELIST,
        {"action": "decline", "_selected_action": [booked[0].pk], "post": "yes", "reason": "x" * 501},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["reason"]
    booked[0].refresh_from_db()
    assert booked[0].status == MeetingStatus.REQUESTED


def test_decline_confirmation_renders_in_simplified_chinese(requests_):
    mine, booked, _other = requests_
    client, user = _staff_client(mine)
    user.preferred_language = "zh-hans"
    user.save(update_fields=["preferred_language"])
    response = client.post(
        CHANGELIST, {"action": "decline", "_selected_action": [booked[0].pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>拒绝洽谈申请 | " in body
    assert '<label for="id_reason">原因（选填）:</label>' in body
    assert "确定拒绝所选的 1 项洽谈申请吗？采购商会收到电子邮件通知；如果您填写了原因，邮件中会附上。" in body
    assert '<input type="submit" value="拒绝">' in body


def test_decline_action_refuses_another_companys_meeting(requests_):
    mine, _booked, other = requests_
    client, _user = _staff_client(mine)
    for step in ({}, {"post": "yes", "reason": "No."}):
        response = client.post(
            CHANGELIST, {"action": "decline", "_selected_action": [other.pk], **step}, follow=True
        )
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            "1 selected meeting is not one of your company's meetings: it was left unchanged."
        ]
    other.refresh_from_db()
    assert (other.status, other.decline_reason) == (MeetingStatus.REQUESTED, "")
    assert not MeetingEvent.objects.filter(meeting=other, action="decline").exists()


def test_decline_action_explains_an_illegal_transition(requests_):
    mine, booked, _other = requests_
    client, user = _staff_client(mine)
    svc.meeting_accept(meeting=booked[0], actor=user)
    response = client.post(
        CHANGELIST,
        {"action": "decline", "_selected_action": [booked[0].pk], "post": "yes", "reason": "Too late"},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"{booked[0]}: A meeting that is accepted cannot be declined."
    ]
    booked[0].refresh_from_db()
    assert (booked[0].status, booked[0].decline_reason) == (MeetingStatus.ACCEPTED, "")
