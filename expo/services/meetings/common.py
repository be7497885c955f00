"""Who acts in a meeting, and the history every change of it records."""

from django.core.exceptions import PermissionDenied

from expo.models import Meeting, MeetingEvent, Side

# --- Who acts --------------------------------------------------------------------------------


def actor_side(*, meeting: Meeting, user) -> str:
    """The side `user` acts for in `meeting`: the buyer, or the exhibitor (its staff; organisers
    act for the exhibitor). Anyone else may not touch it."""
    if meeting.buyer.user_id == user.pk:
        return Side.BUYER
    if user.is_organiser or meeting.exhibitor.staff.filter(user=user).exists():
        return Side.EXHIBITOR
    raise PermissionDenied


def _other(side: str) -> str:
    return Side.EXHIBITOR if side == Side.BUYER else Side.BUYER


# --- History ----------------------------------------------------------------------


def _record(meeting: Meeting, *, action: str, actor, from_status: str, note: str = "") -> None:
    MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=meeting.status,
        note=note[:500],
    )
