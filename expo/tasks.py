"""Celery tasks of the expo app: thin (call one service); the beat schedule is in config/settings.py.

The notification outbox is drained after each change commits (`notifications_send_task`, queued by
`expo.services.notifications.notifications_dispatch`) and every minute by beat, which also sends what a
broker outage held back. Expiry and reminders are idempotent services, so a task that runs twice,
late, or on two workers at once does no harm.
"""

import logging

from celery import shared_task

from expo.services import meetings, notifications

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notifications_send_task() -> int:
    return notifications.notifications_send()


@shared_task
def meetings_expire_task() -> int:
    """Periodic: expire overdue meeting requests (bookings also expire the ones in their way)."""
    expired = meetings.meetings_expire()
    if expired:
        notifications.notifications_dispatch()
    return expired


@shared_task
def meeting_reminders_task() -> int:
    """Periodic: write each due reminder once, then send the outbox."""
    queued = meetings.meeting_reminders_queue()
    notifications.notifications_send()
    return queued
