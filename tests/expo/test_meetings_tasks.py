"""Meeting tasks: the beat schedule, the periodic tasks, and a booking made while the broker is down
(committed, 201, its notification sent once the broker is back)."""

import importlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.celery_app import app
from expo.models import Meeting, MeetingPolicy, MeetingStatus, Notification
from expo.services import meetings as svc
from expo.tasks import meeting_reminders_task, meetings_expire_task, notifications_send_task
from tests.factories.meetings import (
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
    slot_at,
    staff_of,
)


@pytest.fixture
def expo(db):
    return expo_with_slots_near_now()


def test_beat_runs_expiry_reminders_and_the_outbox_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = {
        "meetings-expire-requests": meetings_expire_task,
        "meetings-send-reminders": meeting_reminders_task,
        "notifications-send": notifications_send_task,
    }
    for name, task in entries.items():
        assert schedule[name]["task"] == task.name
        assert task.name in app.tasks
        assert schedule[name]["schedule"] == 60.0


@pytest.mark.django_db
def test_periodic_tasks_expire_and_remind_once(expo):
    MeetingPolicy.objects.create(expo=expo, reminder_minutes=30)
    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    buyers = [buyer_at(expo) for _ in range(2)]
    slot = slot_at(expo, timezone.now() + timedelta(minutes=15))
    later = slot_at(expo, timezone.now() + timedelta(hours=3))  # another slot: no booking sweeps it
    pending = svc.meeting_book(buyer=buyers[0], exhibitor=exhibitor, slot=later, actor=buyers[0].user)
    Meeting.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    accepted = svc.meeting_book(buyer=buyers[1], exhibitor=exhibitor, slot=slot, actor=buyers[1].user)
    svc.meeting_accept(meeting=accepted, actor=staff_of(exhibitor))

    assert meetings_expire_task.delay().get() == 1
    assert meetings_expire_task.delay().get() == 0
    assert meeting_reminders_task.delay().get() == 1
    assert meeting_reminders_task.delay().get() == 0
    assert Meeting.objects.get(pk=pending.pk).status == MeetingStatus.EXPIRED
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert sorted(m.to[0] for m in reminders) == sorted([buyers[1].user.email, staff_of(exhibitor).email])
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def _shipped_data_load() -> None:
    from django.apps import apps

    from accounts.services import role_groups_sync

    importlib.import_module("expo.migrations.0002_taxonomy").load_taxonomy(apps, None)
    role_groups_sync()


@pytest.fixture
def restore_shipped_data(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _shipped_data_load()


def _use_broker(url: str) -> None:
    """Point the app's producers at `url` (the pools are built lazily from the setting)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_booking_while_the_broker_is_down_commits_and_its_email_follows_later(
    restore_shipped_data, expo, client_for
):
    from celery.contrib.testing.worker import start_worker

    exhibitor = exhibitor_with_tables(expo=expo)
    buyer = buyer_at(expo)
    slot = future_slots(expo, 1)[0]
    real_broker, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        _use_broker("redis://127.0.0.1:1/0")  # nothing listens there
        response = client_for(buyer.user).post(
            "/api/v1/meetings/", {"exhibitor": exhibitor.pk, "slot": slot.pk}, format="json"
        )
        assert response.status_code == 201
        assert Meeting.objects.filter(pk=response.json()["id"], status=MeetingStatus.REQUESTED).exists()
        assert list(Notification.objects.values_list("sent_at", flat=True)) == [None]
        assert mail.outbox == []

        _use_broker(real_broker)  # the broker is back: beat's next drain goes through it
        with start_worker(
            app, concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            assert notifications_send_task.delay().get(timeout=60) == 1
    finally:
        _use_broker(real_broker)
        app.conf.task_always_eager = eager
    assert [m.to for m in mail.outbox] == [[staff_of(exhibitor).email]]
    assert Notification.objects.get().sent_at is not None
