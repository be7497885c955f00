"""Meeting services: booking rules, every legal and illegal transition, limits, expiry, reminders,
history and the outbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.api import Conflict
from expo.models import (
    ExhibitorDay,
    ExhibitorMeetingSettings,
    Meeting,
    MeetingEvent,
    MeetingPolicy,
    MeetingStatus,
    Notification,
    Side,
    SlotClosure,
    Table,
)
from expo.selectors import buyer_meeting_request_allowance, exhibitor_free_slots
from expo.services import meetings as svc
from expo.services.notifications import notifications_send
from tests.factories.expo import ExhibitorStaffFactory, ExpoFactory
from tests.factories.meetings import (
    booth_with_tables,
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
    slot_at,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo(db):
    return expo_with_slots_near_now()


@pytest.fixture
def world(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    buyer = buyer_at(expo, verified=True)
    slots = future_slots(expo, 3)
    return exhibitor, buyer, slots


def book(buyer, exhibitor, slot):
    return svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)


# --- Booking ---------------------------------------------------------------------------------


def test_book_requests_a_meeting_at_the_exhibitors_table_and_records_who(
    world, django_capture_on_commit_callbacks
):
    exhibitor, buyer, slots = world
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(buyer, exhibitor, slots[0])

    assert (meeting.status, meeting.requested_by, meeting.owner) == (
        MeetingStatus.REQUESTED,
        Side.BUYER,
        None,
    )
    assert meeting.table == Table.objects.get(booth__exhibitor=exhibitor)
    events = list(
        MeetingEvent.objects.filter(meeting=meeting).values_list(
            "action", "actor", "from_status", "to_status"
        )
    )
    assert events == [("request", buyer.user.pk, "", "requested")]
    staff = staff_of(exhibitor)
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert Notification.objects.get().sent_at is not None


def test_request_expires_at_the_latest_when_its_slot_starts(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])  # 2 hours ahead, expiry default 48 hours
    assert meeting.expires_at == slots[0].start


def test_auto_accepting_exhibitor_accepts_at_once_with_an_owner(world, django_capture_on_commit_callbacks):
    exhibitor, buyer, slots = world
    ExhibitorMeetingSettings.objects.create(exhibitor=exhibitor, auto_accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(buyer, exhibitor, slots[0])

    assert (meeting.status, meeting.owner, meeting.expires_at) == (
        MeetingStatus.ACCEPTED,
        staff_of(exhibitor),
        None,
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([buyer.user.email, staff_of(exhibitor).email])


def test_second_booking_of_the_only_table_is_a_conflict(world):
    exhibitor, buyer, slots = world
    book(buyer, exhibitor, slots[0])
    with pytest.raises(Conflict, match="Every table of this exhibitor is taken"):
        book(buyer_at(exhibitor.expo), exhibitor, slots[0])


def test_booking_takes_the_next_free_table(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    slot = future_slots(expo, 1)[0]
    first = book(buyer_at(expo), exhibitor, slot)
    second = book(buyer_at(expo), exhibitor, slot)
    assert (first.table.number, second.table.number) == (1, 2)


def test_buyer_cannot_be_in_two_meetings_in_one_slot(world):
    exhibitor, buyer, slots = world
    other = exhibitor_with_tables(expo=exhibitor.expo)
    book(buyer, exhibitor, slots[0])
    with pytest.raises(Conflict, match="The buyer already has a meeting in this slot."):
        book(buyer, other, slots[0])


def test_database_refuses_a_second_active_meeting_of_a_table_or_a_buyer(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    clone = dict(
        expo=meeting.expo, exhibitor=exhibitor, slot=slots[0], table=meeting.table, requested_by="buyer"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(buyer=buyer_at(exhibitor.expo), **clone)
    other_table = booth_with_tables(expo=exhibitor.expo, exhibitor=exhibitor).table_set.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(**{**clone, "table": other_table}, buyer=buyer)
    # A cancelled meeting holds nothing: the same table and buyer can be booked again.
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    Meeting.objects.create(buyer=buyer, **clone)


@pytest.mark.parametrize("case", ["past", "closed", "other_expo", "day_off", "outside_hours"])
def test_unbookable_slots_are_a_400_naming_slot(world, case):
    exhibitor, buyer, slots = world
    slot = slots[0]
    message = {
        "past": "This slot has already started.",
        "closed": "This slot is closed for meetings: Lunch.",
        "other_expo": "This slot belongs to another expo.",
        "day_off": "The exhibitor does not take meetings in this slot.",
        "outside_hours": "The exhibitor does not take meetings in this slot.",
    }[case]
    local = slot.start.astimezone(exhibitor.expo.tzinfo)
    if case == "past":
        slot = slot_at(exhibitor.expo, timezone.now() - timedelta(minutes=5))
    elif case == "closed":
        SlotClosure.objects.create(slot=slot, reason_en="Lunch", reason_zh="午餐")
    elif case == "other_expo":
        slot = future_slots(ExpoFactory(), 1)[0]
    elif case == "day_off":
        ExhibitorDay.objects.create(exhibitor=exhibitor, date=local.date(), available=False)
    else:
        ExhibitorDay.objects.create(
            exhibitor=exhibitor, date=local.date(), start_time=(local + timedelta(minutes=20)).time()
        )
    with pytest.raises(ValidationError) as caught:
        book(buyer, exhibitor, slot)
    assert caught.value.message_dict == {"slot": [message]}
    assert Meeting.objects.count() == 0


def test_exhibitor_without_any_table_is_a_400_naming_exhibitor(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    Table.objects.filter(booth__exhibitor=exhibitor).update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        book(buyer_at(expo), exhibitor, future_slots(expo, 1)[0])
    assert caught.value.message_dict == {"exhibitor": ["This exhibitor has no meeting table."]}


def test_lounge_tables_serve_an_exhibitor_up_to_its_share(expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    lounge = booth_with_tables(expo=expo, tables=3, lounge=True)
    ExhibitorMeetingSettings.objects.create(exhibitor=exhibitor, lounge_tables=1)
    slot = future_slots(expo, 1)[0]

    tables = [book(buyer_at(expo), exhibitor, slot).table for _ in range(2)]
    assert [t.booth for t in tables] == [exhibitor.booths.get(), lounge]
    assert exhibitor_free_slots(exhibitor=exhibitor) == []
    with pytest.raises(Conflict):
        book(buyer_at(expo), exhibitor, slot)


def test_free_slots_leave_out_taken_closed_and_unavailable_slots(world):
    exhibitor, buyer, slots = world
    book(buyer, exhibitor, slots[0])
    SlotClosure.objects.create(slot=slots[1])
    assert [(slot.pk, n) for slot, n in exhibitor_free_slots(exhibitor=exhibitor)] == [(slots[2].pk, 1)]


# --- Limits ----------------------------------------------------------------------------------


def test_buyer_limit_counts_active_meetings_only(expo):
    MeetingPolicy.objects.create(expo=expo, buyer_limit=1)
    buyer = buyer_at(expo, verified=True)
    slots = future_slots(expo, 2)
    exhibitors = [exhibitor_with_tables(expo=expo) for _ in range(2)]
    first = book(buyer, exhibitors[0], slots[0])
    assert buyer_meeting_request_allowance(buyer=buyer) == 0
    with pytest.raises(Conflict, match="The buyer has reached the limit of meetings at this expo."):
        book(buyer, exhibitors[1], slots[1])
    svc.meeting_cancel(meeting=first, actor=buyer.user)
    assert buyer_meeting_request_allowance(buyer=buyer) == 1
    assert book(buyer, exhibitors[1], slots[1]).status == MeetingStatus.REQUESTED


def test_unverified_buyer_keeps_the_lower_limit(expo):
    expo.unverified_request_limit = 1
    expo.save()
    MeetingPolicy.objects.create(expo=expo, buyer_limit=5)
    buyer = buyer_at(expo, verified=False)
    slots = future_slots(expo, 2)
    book(buyer, exhibitor_with_tables(expo=expo), slots[0])
    with pytest.raises(Conflict, match="The buyer has reached the limit"):
        book(buyer, exhibitor_with_tables(expo=expo), slots[1])


@pytest.mark.parametrize("verified", [True, False])
def test_pending_invitations_count_against_the_buyer_only_once_accepted(expo, verified):
    """Staff cannot use up a buyer's allowance (per-buyer limit, or the lower request allowance of
    an unverified buyer) by inviting: the buyer's own request still goes through; accepting an
    invitation counts it, and over the limit is refused."""
    expo.unverified_request_limit = 1
    expo.save()
    MeetingPolicy.objects.create(expo=expo, buyer_limit=1 if verified else 5)
    buyer = buyer_at(expo, verified=verified)
    slots = future_slots(expo, 3)
    inviters = [exhibitor_with_tables(expo=expo) for _ in range(2)]
    invitations = [
        svc.meeting_invite(exhibitor=e, buyer=buyer, slot=slot, actor=staff_of(e))
        for e, slot in zip(inviters, slots, strict=False)
    ]

    assert buyer_meeting_request_allowance(buyer=buyer) == 1
    own = book(buyer, exhibitor_with_tables(expo=expo), slots[2])
    assert own.status == MeetingStatus.REQUESTED
    assert buyer_meeting_request_allowance(buyer=buyer) == 0
    with pytest.raises(Conflict, match="The buyer has reached the limit of meetings at this expo."):
        svc.meeting_accept(meeting=invitations[0], actor=buyer.user)
    svc.meeting_cancel(meeting=own, actor=buyer.user)
    assert svc.meeting_accept(meeting=invitations[0], actor=buyer.user).status == MeetingStatus.ACCEPTED
    assert buyer_meeting_request_allowance(buyer=buyer) == 0
    with pytest.raises(Conflict, match="The buyer has reached the limit of meetings at this expo."):
        svc.meeting_accept(meeting=invitations[1], actor=buyer.user)
    assert Meeting.objects.get(pk=invitations[1].pk).status == MeetingStatus.REQUESTED


def test_exhibitor_limit_counts_active_meetings(expo):
    MeetingPolicy.objects.create(expo=expo, exhibitor_limit=1)
    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    slots = future_slots(expo, 2)
    first = book(buyer_at(expo), exhibitor, slots[0])
    with pytest.raises(Conflict, match="The exhibitor has reached the limit of meetings at this expo."):
        book(buyer_at(expo), exhibitor, slots[1])
    svc.meeting_decline(meeting=first, actor=staff_of(exhibitor))
    book(buyer_at(expo), exhibitor, slots[1])


# --- Transitions -----------------------------------------------------------------------------


def test_staff_accept_a_request_and_become_its_owner(world, django_capture_on_commit_callbacks):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    staff = staff_of(exhibitor)
    notifications_send()  # the request's own notification
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = svc.meeting_accept(meeting=meeting, actor=staff)
    assert (meeting.status, meeting.owner, meeting.expires_at) == (MeetingStatus.ACCEPTED, staff, None)
    assert [m.to for m in mail.outbox] == [[buyer.user.email]]
    assert "Meeting confirmed" in mail.outbox[0].subject


def test_the_requesting_side_cannot_answer_its_own_request(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    with pytest.raises(PermissionDenied):
        svc.meeting_accept(meeting=meeting, actor=buyer.user)
    with pytest.raises(PermissionDenied):
        svc.meeting_decline(meeting=meeting, actor=buyer.user)


def test_strangers_cannot_touch_a_meeting(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    stranger = ExhibitorStaffFactory(exhibitor=exhibitor_with_tables(expo=exhibitor.expo)).user
    for action in (svc.meeting_accept, svc.meeting_cancel):
        with pytest.raises(PermissionDenied):
            action(meeting=meeting, actor=stranger)


def test_invitation_is_accepted_by_the_buyer_and_owned_by_the_inviter(
    world, django_capture_on_commit_callbacks
):
    exhibitor, buyer, slots = world
    staff = staff_of(exhibitor)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = svc.meeting_invite(exhibitor=exhibitor, buyer=buyer, slot=slots[0], actor=staff)
    assert (meeting.status, meeting.requested_by, meeting.owner) == ("requested", "exhibitor", staff)
    assert [m.to for m in mail.outbox] == [[buyer.user.email]]
    with pytest.raises(PermissionDenied):
        svc.meeting_accept(meeting=meeting, actor=staff)
    meeting = svc.meeting_accept(meeting=meeting, actor=buyer.user)
    assert (meeting.status, meeting.owner) == (MeetingStatus.ACCEPTED, staff)


def test_decline_keeps_the_reason_and_frees_the_table(world, django_capture_on_commit_callbacks):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    notifications_send()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = svc.meeting_decline(
            meeting=meeting, actor=staff_of(exhibitor), reason="Fully booked that day"
        )
    assert (meeting.status, meeting.decline_reason) == (MeetingStatus.DECLINED, "Fully booked that day")
    assert "Reason: Fully booked that day" in mail.outbox[0].body
    assert book(buyer_at(exhibitor.expo), exhibitor, slots[0]).status == MeetingStatus.REQUESTED


@pytest.mark.parametrize("side", ["buyer", "exhibitor"])
def test_either_side_cancels_and_the_slot_is_free_at_once(world, side):
    exhibitor, buyer, slots = world
    meeting = svc.meeting_accept(meeting=book(buyer, exhibitor, slots[0]), actor=staff_of(exhibitor))
    actor = buyer.user if side == "buyer" else staff_of(exhibitor)
    meeting = svc.meeting_cancel(meeting=meeting, actor=actor, reason="Flight delayed")
    assert meeting.status == MeetingStatus.CANCELLED
    recipient = staff_of(exhibitor) if side == "buyer" else buyer.user
    assert list(Notification.objects.filter(kind="cancelled").values_list("recipient", flat=True)) == [
        recipient.pk
    ]
    assert [s.pk for s, _ in exhibitor_free_slots(exhibitor=exhibitor)] == [s.pk for s in slots]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (MeetingStatus.DECLINED, "accept"),
        (MeetingStatus.CANCELLED, "accept"),
        (MeetingStatus.EXPIRED, "accept"),
        (MeetingStatus.ACCEPTED, "accept"),
        (MeetingStatus.ACCEPTED, "decline"),
        (MeetingStatus.CHECKED_IN, "decline"),
        (MeetingStatus.DECLINED, "cancel"),
        (MeetingStatus.CANCELLED, "cancel"),
        (MeetingStatus.CHECKED_IN, "cancel"),
        (MeetingStatus.NO_SHOW, "cancel"),
        (MeetingStatus.CANCELLED, "reschedule"),
        (MeetingStatus.REQUESTED, "check_in"),
        (MeetingStatus.CANCELLED, "check_in"),
        (MeetingStatus.REQUESTED, "no_show"),
        (MeetingStatus.CHECKED_IN, "no_show"),
        (MeetingStatus.DECLINED, "owner"),
    ],
)
def test_illegal_transitions_are_conflicts_and_change_nothing(world, status, action):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    staff = staff_of(exhibitor)
    Meeting.objects.filter(pk=meeting.pk).update(status=status, owner=staff)
    calls = {
        "accept": lambda: svc.meeting_accept(meeting=meeting, actor=staff),
        "decline": lambda: svc.meeting_decline(meeting=meeting, actor=staff),
        "cancel": lambda: svc.meeting_cancel(meeting=meeting, actor=buyer.user),
        "reschedule": lambda: svc.meeting_reschedule(meeting=meeting, slot=slots[1], actor=buyer.user),
        "check_in": lambda: svc.meeting_check_in(meeting=meeting, actor=staff),
        "no_show": lambda: svc.meeting_no_show(meeting=meeting, actor=staff),
        "owner": lambda: svc.meeting_owner_set(meeting=meeting, owner=staff, actor=staff),
    }
    events = MeetingEvent.objects.count()
    with pytest.raises(Conflict):
        calls[action]()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot_id, MeetingEvent.objects.count()) == (status, slots[0].pk, events)


def test_reschedule_moves_the_meeting_and_waits_for_the_other_side(world, django_capture_on_commit_callbacks):
    exhibitor, buyer, slots = world
    staff = staff_of(exhibitor)
    meeting = svc.meeting_accept(meeting=book(buyer, exhibitor, slots[0]), actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = svc.meeting_reschedule(meeting=meeting, slot=slots[1], actor=staff)
    assert (meeting.slot, meeting.status, meeting.requested_by, meeting.owner) == (
        slots[1],
        MeetingStatus.REQUESTED,
        Side.EXHIBITOR,
        staff,
    )
    assert "Meeting moved" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == [buyer.user.email]
    # The old slot is free at once; the buyer accepts the new time.
    assert book(buyer_at(exhibitor.expo), exhibitor, slots[0]).status == MeetingStatus.REQUESTED
    assert svc.meeting_accept(meeting=meeting, actor=buyer.user).status == MeetingStatus.ACCEPTED


def test_reschedule_by_the_buyer_to_an_auto_accepting_exhibitor_stays_accepted(world):
    exhibitor, buyer, slots = world
    ExhibitorMeetingSettings.objects.create(exhibitor=exhibitor, auto_accept=True)
    meeting = book(buyer, exhibitor, slots[0])
    meeting = svc.meeting_reschedule(meeting=meeting, slot=slots[1], actor=buyer.user)
    assert (meeting.status, meeting.slot) == (MeetingStatus.ACCEPTED, slots[1])


def test_reschedule_into_a_taken_slot_changes_nothing(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    book(buyer_at(exhibitor.expo), exhibitor, slots[1])
    with pytest.raises(Conflict):
        svc.meeting_reschedule(meeting=meeting, slot=slots[1], actor=buyer.user)
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.status) == (slots[0], MeetingStatus.REQUESTED)
    assert MeetingEvent.objects.filter(meeting=meeting).count() == 1


def _accepted_now(expo, *, starts_in: timedelta):
    exhibitor = exhibitor_with_tables(expo=expo)
    buyer = buyer_at(expo)
    slot = future_slots(expo, 1, hours_ahead=1)[0]
    meeting = svc.meeting_accept(meeting=book(buyer, exhibitor, slot), actor=staff_of(exhibitor))
    start = timezone.now() + starts_in
    type(slot).objects.filter(pk=slot.pk).update(start=start, end=start + timedelta(minutes=20))
    meeting.refresh_from_db()
    return meeting


def test_owner_checks_in_without_code_other_staff_need_the_buyers_code(expo):
    meeting = _accepted_now(expo, starts_in=timedelta(minutes=5))
    colleague = ExhibitorStaffFactory(exhibitor=meeting.exhibitor).user
    with pytest.raises(PermissionDenied):
        svc.meeting_check_in(meeting=meeting, actor=colleague)
    with pytest.raises(ValidationError) as caught:
        svc.meeting_check_in(meeting=meeting, actor=colleague, code="wrong")
    assert list(caught.value.message_dict) == ["code"]
    with pytest.raises(PermissionDenied):
        svc.meeting_check_in(meeting=meeting, actor=meeting.buyer.user, code=meeting.check_in_code)
    meeting = svc.meeting_check_in(meeting=meeting, actor=colleague, code=meeting.check_in_code)
    assert meeting.status == MeetingStatus.CHECKED_IN
    assert meeting.checked_in_at is not None
    owner_meeting = _accepted_now(expo, starts_in=timedelta(minutes=-5))
    assert (
        svc.meeting_check_in(meeting=owner_meeting, actor=owner_meeting.owner).status
        == MeetingStatus.CHECKED_IN
    )


def test_check_in_is_refused_long_before_the_meeting(expo):
    meeting = _accepted_now(expo, starts_in=timedelta(hours=2))
    with pytest.raises(Conflict, match="Check-in opens 30 minutes before"):
        svc.meeting_check_in(meeting=meeting, actor=meeting.owner)


@pytest.mark.parametrize(("side", "absent"), [("exhibitor", "buyer"), ("buyer", "exhibitor")])
def test_no_show_is_marked_by_the_side_that_waited_after_the_slot(expo, side, absent):
    meeting = _accepted_now(expo, starts_in=timedelta(minutes=10))
    actor = meeting.owner if side == "exhibitor" else meeting.buyer.user
    with pytest.raises(Conflict, match="only after the slot has ended"):
        svc.meeting_no_show(meeting=meeting, actor=actor)
    meeting = _accepted_now(expo, starts_in=timedelta(minutes=-30))
    actor = meeting.owner if side == "exhibitor" else meeting.buyer.user
    meeting = svc.meeting_no_show(meeting=meeting, actor=actor)
    assert (meeting.status, meeting.no_show_side) == (MeetingStatus.NO_SHOW, absent)


def test_owner_can_be_reassigned_to_a_colleague_only(world):
    exhibitor, buyer, slots = world
    staff = staff_of(exhibitor)
    colleague = ExhibitorStaffFactory(exhibitor=exhibitor).user
    meeting = svc.meeting_accept(meeting=book(buyer, exhibitor, slots[0]), actor=staff)
    with pytest.raises(ValidationError) as caught:
        svc.meeting_owner_set(meeting=meeting, owner=buyer.user, actor=staff)
    assert list(caught.value.message_dict) == ["owner"]
    meeting = svc.meeting_owner_set(meeting=meeting, owner=colleague, actor=staff)
    assert meeting.owner == colleague
    assert Notification.objects.filter(kind="owner").get().recipient == colleague
    with pytest.raises(PermissionDenied):
        svc.meeting_owner_set(meeting=meeting, owner=staff, actor=buyer.user)


# --- Expiry ----------------------------------------------------------------------------------


def _overdue(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_booking_treats_an_overdue_request_as_free_without_any_sweep(world):
    exhibitor, buyer, slots = world
    stale = book(buyer, exhibitor, slots[0])
    _overdue(stale)
    other = buyer_at(exhibitor.expo)
    meeting = book(other, exhibitor, slots[0])
    stale.refresh_from_db()
    assert (stale.status, meeting.table_id) == (MeetingStatus.EXPIRED, stale.table_id)
    assert MeetingEvent.objects.filter(meeting=stale, action="expire", actor=None).count() == 1
    assert Notification.objects.get(kind="expired").recipient == buyer.user


def test_expiry_sweep_is_idempotent(world):
    exhibitor, buyer, slots = world
    meetings = [book(buyer_at(exhibitor.expo), exhibitor, slot) for slot in slots[:2]]
    for meeting in meetings:
        _overdue(meeting)
    assert svc.meetings_expire() == 2
    assert svc.meetings_expire() == 0
    assert Notification.objects.filter(kind="expired").count() == 2
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.EXPIRED}


def test_accepting_an_overdue_request_is_a_conflict(world):
    exhibitor, buyer, slots = world
    meeting = book(buyer, exhibitor, slots[0])
    _overdue(meeting)
    with pytest.raises(Conflict):
        svc.meeting_accept(meeting=meeting, actor=staff_of(exhibitor))
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.EXPIRED


# --- Reminders and the outbox ----------------------------------------------------------------


def test_reminder_is_written_once_even_when_the_task_runs_twice_or_late(expo):
    MeetingPolicy.objects.create(expo=expo, reminder_minutes=30)
    soon = _accepted_now(expo, starts_in=timedelta(minutes=20))
    later = _accepted_now(expo, starts_in=timedelta(minutes=50))
    late = _accepted_now(expo, starts_in=timedelta(minutes=-5))  # beat was down: still before the end
    assert svc.meeting_reminders_queue() == 2
    assert svc.meeting_reminders_queue() == 0
    reminded = set(Meeting.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {soon.pk, late.pk}
    assert Notification.objects.filter(kind="reminder").count() == 4  # buyer and owner of each
    assert svc.meeting_reminders_queue(now=timezone.now() + timedelta(minutes=25)) == 1
    assert later.pk in set(Meeting.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True))


def test_outbox_sends_each_row_once_in_the_recipients_language(world):
    exhibitor, buyer, slots = world
    staff = staff_of(exhibitor)
    staff.preferred_language = "zh-hans"
    staff.save()
    book(buyer, exhibitor, slots[0])
    assert mail.outbox == []  # not committed: nothing sent yet
    assert notifications_send() == 1
    assert notifications_send() == 0
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == f"{buyer.company}请求与您会面"


def test_an_overdue_request_elsewhere_does_not_count_against_the_limit(expo):
    MeetingPolicy.objects.create(expo=expo, buyer_limit=1)
    buyer = buyer_at(expo, verified=True)
    slots = future_slots(expo, 2)
    stale = book(buyer, exhibitor_with_tables(expo=expo), slots[0])
    _overdue(stale)
    assert book(buyer, exhibitor_with_tables(expo=expo), slots[1]).status == MeetingStatus.REQUESTED
