"""The notification outbox: rows written in the same transaction as the change they report, sent
after commit by a task and by beat, in the recipient's language.

A broker outage therefore delays notifications and loses none, and never turns a committed change
into an error: `notifications_dispatch` only tries to queue the drain, and beat's minutely
`notifications_send_task` sends whatever is left.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from expo.models import Exhibitor, Meeting, Notification, Side

logger = logging.getLogger(__name__)


def _staff_users(exhibitor: Exhibitor) -> list:
    return [staff.user for staff in exhibitor.staff.select_related("user").filter(user__is_active=True)]


def notification_recipients(meeting: Meeting, side: str) -> list:
    if side == Side.BUYER:
        return [meeting.buyer.user]
    if meeting.owner_id and meeting.owner.is_active:
        return [meeting.owner]
    return _staff_users(meeting.exhibitor)


def notification_queue(meeting: Meeting, *, kind: str, side: str, note: str = "") -> None:
    """Write the outbox rows for `side` and have them sent once the transaction commits."""
    rows = [
        Notification(recipient=user, meeting=meeting, kind=kind, note=note[:500])
        for user in notification_recipients(meeting, side)
    ]
    Notification.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(notifications_dispatch)


def notifications_dispatch() -> None:
    """Queue the outbox drain; with the broker down the rows wait for beat's sweep (never an error)."""
    from expo.tasks import notifications_send_task

    try:
        notifications_send_task.apply_async(retry=False)
    except Exception:  # the broker is down: the change is committed, beat sends the rows later
        logger.warning("Could not queue the notification drain; beat will send the rows", exc_info=True)


MAX_ATTEMPTS = 8  # a row that failed this often stays in the outbox, for an organiser to look at
_SUBJECTS = {
    "requested": gettext_lazy("%(buyer)s asks to meet you"),
    "invited": gettext_lazy("%(exhibitor)s invites you to a meeting"),
    "accepted": gettext_lazy("Meeting confirmed: %(other)s"),
    "booked": gettext_lazy("New meeting booked: %(buyer)s"),
    "declined": gettext_lazy("Meeting request declined: %(other)s"),
    "cancelled": gettext_lazy("Meeting cancelled: %(other)s"),
    "rescheduled": gettext_lazy("Meeting moved: %(other)s"),
    "expired": gettext_lazy("Meeting request expired: %(other)s"),
    "reminder": gettext_lazy("Reminder: meeting with %(other)s at %(time)s"),
    "owner": gettext_lazy("You now look after the meeting with %(buyer)s"),
    "no_show": gettext_lazy("Marked as a no-show: meeting with %(other)s"),
}


def notification_render(*, notification: Notification) -> tuple[str, str]:
    """Subject and body of an outbox row, in the recipient's language, times in the expo's zone."""
    meeting = notification.meeting
    user = notification.recipient
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        tz = meeting.expo.tzinfo
        start, end = meeting.slot.start.astimezone(tz), meeting.slot.end.astimezone(tz)
        to_buyer = meeting.buyer.user_id == user.pk
        values = {
            "buyer": str(meeting.buyer),
            "exhibitor": meeting.exhibitor.display_name,
            "other": meeting.exhibitor.display_name if to_buyer else str(meeting.buyer),
            "time": f"{start:%H:%M}",
        }
        subject = str(_SUBJECTS.get(notification.kind, gettext_lazy("Meeting update"))) % values
        booth = meeting.table.booth
        lines = [
            subject,
            "",
            _("When: %(date)s %(start)s–%(end)s (%(zone)s)")
            % {
                "date": f"{start:%Y-%m-%d}",
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "zone": meeting.expo.time_zone,
            },
            _("Where: hall %(hall)s, booth %(booth)s, table %(table)s")
            % {
                "hall": booth.hall.display_name,
                "booth": booth.code,
                "table": meeting.table.label or meeting.table.number,
            },
            _("Buyer: %(buyer)s") % values,
            _("Exhibitor: %(exhibitor)s") % values,
            _("Status: %(status)s") % {"status": meeting.get_status_display()},
        ]
        if notification.kind == "rescheduled" and notification.note:
            lines.append(_("Previously: %(slot)s") % {"slot": notification.note})
        elif notification.note:
            lines.append(_("Reason: %(reason)s") % {"reason": notification.note})
        return subject, "\n".join(lines) + "\n"


def notifications_send(*, limit: int = 200) -> int:
    """Send pending outbox rows (oldest first); returns how many went out.

    Each row is claimed under a row lock that concurrent drains skip (PostgreSQL), marked sent in
    the same transaction as its send, so a row is sent once even with several drains at once;
    a failed send is counted and retried by the next drain.
    """
    sent = 0
    pending = Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("id")
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "recipient",
                    "meeting__expo",
                    "meeting__slot",
                    "meeting__buyer",
                    "meeting__exhibitor",
                    "meeting__table__booth__hall",
                )
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            try:
                subject, body = notification_render(notification=row)
                send_mail(subject, body, None, [row.recipient.email])
            except Exception as exc:  # noqa: BLE001 - a bad address or a mail server hiccup: retry later
                logger.warning("Notification %s not sent: %s", row.pk, exc)
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                row.save(update_fields=["attempts", "last_error"])
                continue
            row.sent_at = timezone.now()
            row.attempts += 1
            row.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
