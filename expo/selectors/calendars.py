"""Reads for calendars: the meetings a person's calendar holds, and whose a subscription address is."""

from django.db.models import Count, QuerySet

from expo.models import CalendarFeed, Expo, Meeting
from expo.selectors.meetings import meeting_list_for_user


def calendar_meetings(*, user, expo: Expo) -> QuerySet[Meeting]:
    """Every meeting of `user` at `expo` (what `GET meetings/` shows them), ended ones and
    cancelled ones included so calendars drop them; `changes` counts the recorded history."""
    return (
        meeting_list_for_user(user=user, expo=expo)
        .annotate(changes=Count("events"))
        .order_by("slot__start", "id")
    )


def calendar_feed_for_user(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_owner(*, token: str):
    """The active user whose subscription address carries `token`, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed is not None else None
