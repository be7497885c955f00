"""Meeting pages: booking from a recommendation or the directory, the buyer's schedule (QR codes,
walking order, cancel and move), calendar subscription, and the staff's floor page with check-in.

Every action calls the same service as the API; a refusal (`ValidationError` 400, `Conflict` 409,
`PermissionDenied` 403) is shown in the page in the reader's language, never as a 500.
"""

import datetime
import functools

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.api import Conflict
from expo.models import Exhibitor, Expo, Meeting, MeetingStatus, Slot
from expo.selectors import buyer_for_user, exhibitor_for_user, expo_current, meeting_list_for_user
from expo.selectors.agenda import (
    buyer_schedule,
    default_day,
    expo_days,
    expo_today,
    floor_meetings,
    free_slots_on,
    meeting_by_check_in_code,
)
from expo.selectors.calendars import calendar_feed_for_user
from expo.services import meetings as services
from expo.services.calendars import calendar_feed_regenerate, calendar_feed_revoke
from expo.views.common import parse_day
from expo.views.pages.deals import attach_follow_ups


def refusal(exc: Exception) -> tuple[str, int]:
    """The sentence and the status of a service's refusal."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(m for ms in exc.message_dict.values() for m in ms), 400
        return " ".join(exc.messages), 400
    if isinstance(exc, Conflict):
        return str(exc.detail), 409
    return str(exc) or _("You may not do this."), 403


class BadDay(Exception):
    """`?date=` is no date, a day that does not exist, or not one of the expo's days."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _day(request, expo: Expo) -> datetime.date:
    """`?date=` (or the form's `date`), which must be one of the expo's days; the default day
    without one. Anything else is refused (`BadDay`, a 400 page naming `date`), never swapped
    silently for another day."""
    raw = request.GET.get("date") or request.POST.get("date") or ""
    if not raw:
        return default_day(expo=expo)
    try:
        day = parse_day(raw)
    except ValidationError as exc:
        raise BadDay(" ".join(exc.messages)) from None
    days = expo_days(expo=expo)
    if day not in days:
        raise BadDay(
            _("The expo does not run on %(day)s: its days are %(first)s to %(last)s.")
            % {"day": raw, "first": days[0].isoformat(), "last": days[-1].isoformat()}
        )
    return day


def refuses_bad_day(view):
    """The site's 400 page naming `date`, in the reader's language, when `_day` refuses the day."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadDay as exc:
            return render(request, "400.html", {"field": "date", "reason": exc.reason}, status=400)

    return wrapped


def _next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _buyer_or_403(request):
    if not request.user.is_buyer:
        raise PermissionDenied(_("Only buyers book meetings."))
    expo = expo_current()
    if expo is None:
        raise Http404(_("No expo is current."))
    buyer = buyer_for_user(user=request.user, expo=expo)
    return expo, buyer


def booking_context(request, *, exhibitor: Exhibitor, action: str, date: datetime.date | None = None) -> dict:
    """What the booking block shows: the expo's days, the chosen one, its free slots."""
    expo = exhibitor.expo
    day = date or _day(request, expo)
    return {
        "booking_exhibitor": exhibitor,
        "booking_action": action,
        "booking_days": expo_days(expo=expo),
        "booking_day": day,
        "booking_slots": free_slots_on(exhibitor=exhibitor, date=day),
        "booking_next": _next(request, ""),
    }


@login_required
@refuses_bad_day
def meeting_book_page(request, pk: int):
    """GET: the exhibitor's free slots on a day (htmx swaps just the block); POST `slot`: request it."""
    expo, buyer = _buyer_or_403(request)
    exhibitor = Exhibitor.objects.select_related("expo").filter(expo=expo, pk=pk).first()
    if exhibitor is None:
        raise Http404(_("No such exhibitor."))
    error, status = None, 200
    if buyer is None:
        error, status = _("Describe what you source first: then you can book meetings."), 403
    elif request.method == "POST":
        slot = (
            Slot.objects.filter(expo=expo, pk=request.POST.get("slot") or 0).first()
            if (request.POST.get("slot", "").isdigit())
            else None
        )
        try:
            if slot is None:
                raise ValidationError({"slot": _("Choose one of the free times.")})
            meeting = services.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=request.user)
        except (ValidationError, Conflict, PermissionDenied) as exc:
            error, status = refusal(exc)
        else:
            tz = expo.tzinfo
            if meeting.status == MeetingStatus.ACCEPTED:
                text = _("Meeting with %(exhibitor)s confirmed for %(date)s at %(time)s.")
            else:
                text = _(
                    "Meeting with %(exhibitor)s requested for %(date)s at %(time)s; it waits for their answer."
                )
            start = meeting.slot.start.astimezone(tz)
            messages.success(
                request,
                text
                % {
                    "exhibitor": exhibitor.display_name,
                    "date": f"{start:%Y-%m-%d}",
                    "time": f"{start:%H:%M}",
                },
            )
            return redirect(f"{reverse('expo:schedule')}#meeting-{meeting.pk}")
    context = {
        "expo": expo,
        "exhibitor": exhibitor,
        "booth": exhibitor.booths.select_related("hall").order_by("code").first(),
        "booking_error": error,
        **booking_context(
            request, exhibitor=exhibitor, action=reverse("expo:meeting-book", args=[exhibitor.pk])
        ),
    }
    template = "expo/_booking.html" if request.headers.get("HX-Request") else "expo/meeting_book.html"
    return render(request, template, context, status=status)


def qr_svg(code: str) -> str:
    """The buyer's check-in code as an inline SVG QR code (drawn here: no image request, works offline)."""
    return mark_safe(segno.make(code, micro=False, error="m").svg_inline(scale=5, border=2, dark="#000"))  # noqa: S308


@login_required
def schedule_page(request):
    """The buyer's meetings day by day in walking order, with a QR code per accepted meeting."""
    expo, buyer = _buyer_or_403(request)
    days, gone = buyer_schedule(buyer=buyer) if buyer else ([], [])
    for day in days:
        for stop in day.stops:
            if stop.meeting.status in (MeetingStatus.ACCEPTED, MeetingStatus.CHECKED_IN):
                stop.qr = qr_svg(stop.meeting.check_in_code)
    attach_follow_ups(request=request, meetings=[stop.meeting for day in days for stop in day.stops])
    feed = calendar_feed_for_user(user=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("api:expo:meeting-calendar-feed", kwargs={"token": feed.token}))
        if feed
        else None
    )
    context = {
        "expo": expo,
        "buyer": buyer,
        "days": days,
        "gone": gone,
        "feed_url": feed_url,
        "today": expo_today(expo=expo),
    }
    return render(request, "expo/schedule.html", context)


def _own_meeting(request, pk: int) -> Meeting:
    expo = expo_current()
    meeting = meeting_list_for_user(user=request.user, expo=expo).filter(pk=pk).first() if expo else None
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


@login_required
@require_POST
def meeting_cancel_page(request, pk: int):
    meeting = _own_meeting(request, pk)
    try:
        services.meeting_cancel(
            meeting=meeting, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, refusal(exc)[0])
    else:
        messages.success(request, _("The meeting is cancelled; the exhibitor is told."))
    return redirect(_next(request, reverse("expo:schedule")))


@login_required
@require_POST
def meeting_answer_page(request, pk: int):
    """The buyer answers an invitation: `answer=accept` or `answer=decline` (with `reason`)."""
    meeting = _own_meeting(request, pk)
    try:
        if request.POST.get("answer") == "accept":
            services.meeting_accept(meeting=meeting, actor=request.user)
            text = _("You accepted the meeting; the exhibitor is told.")
        elif request.POST.get("answer") == "decline":
            reason = request.POST.get("reason", "")[:500]
            services.meeting_decline(meeting=meeting, actor=request.user, reason=reason)
            text = _("You declined the meeting; the exhibitor is told.")
        else:
            raise ValidationError({"answer": _("Accept or decline.")})
    except (ValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, refusal(exc)[0])
    else:
        messages.success(request, text)
    return redirect(_next(request, f"{reverse('expo:schedule')}#meeting-{meeting.pk}"))


@login_required
@refuses_bad_day
def meeting_reschedule_page(request, pk: int):
    """GET: the exhibitor's free slots on a day; POST `slot`: move the meeting there in one step."""
    meeting = _own_meeting(request, pk)
    if not request.user.is_buyer:
        raise PermissionDenied(_("Only buyers move meetings on this page."))
    error, status = None, 200
    if request.method == "POST":
        slot_id = request.POST.get("slot", "")
        slot = Slot.objects.filter(expo=meeting.expo, pk=slot_id).first() if slot_id.isdigit() else None
        try:
            if slot is None:
                raise ValidationError({"slot": _("Choose one of the free times.")})
            services.meeting_reschedule(meeting=meeting, slot=slot, actor=request.user)
        except (ValidationError, Conflict, PermissionDenied) as exc:
            error, status = refusal(exc)
        else:
            messages.success(request, _("The meeting is moved; it waits for the exhibitor's answer again."))
            return redirect(f"{reverse('expo:schedule')}#meeting-{meeting.pk}")
    context = {
        "expo": meeting.expo,
        "meeting": meeting,
        "exhibitor": meeting.exhibitor,
        "booking_error": error,
        **booking_context(
            request,
            exhibitor=meeting.exhibitor,
            action=reverse("expo:meeting-reschedule", args=[meeting.pk]),
            date=None,
        ),
    }
    template = "expo/_booking.html" if request.headers.get("HX-Request") else "expo/meeting_reschedule.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_subscription_page(request):
    """`action=new`: a new private address (the old stops working); `action=revoke`: none.

    A GET (a bookmarked or typed address) goes to the calendar part of the schedule, where the
    buttons are, instead of a blank "method not allowed".
    """
    if request.method == "GET":
        return redirect(reverse("expo:schedule") + "#calendar")
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(user=request.user)
        messages.success(
            request, _("Your calendar address is revoked: calendars using it get no more updates.")
        )
    else:
        calendar_feed_regenerate(user=request.user)
        messages.success(request, _("Your new calendar address is ready; any earlier address stops working."))
    return redirect(_next(request, reverse("expo:schedule")) + "#calendar")


def _staff_exhibitor_or_403(request) -> Exhibitor:
    exhibitor = exhibitor_for_user(user=request.user)
    if exhibitor is None:
        raise PermissionDenied(_("Only exhibitor staff use the floor page."))
    return exhibitor


@login_required
@refuses_bad_day
def floor_page(request):
    """Today's meetings of the staff member's company (another expo day with `?date=`), with
    check-in by scanning the buyer's QR code or typing it."""
    exhibitor = _staff_exhibitor_or_403(request)
    expo = exhibitor.expo
    day = _day(request, expo) if request.GET.get("date") else expo_today(expo=expo)
    meetings = floor_meetings(exhibitor=exhibitor, date=day)
    attach_follow_ups(request=request, meetings=meetings)
    context = {
        "expo": expo,
        "exhibitor": exhibitor,
        "day": day,
        "days": expo_days(expo=expo),
        "meetings": meetings,
    }
    return render(request, "expo/floor.html", context)


@login_required
@require_POST
def floor_check_in_page(request):
    """Check in the buyer whose code was scanned or typed (`code`), through the check-in service."""
    exhibitor = _staff_exhibitor_or_403(request)
    code = request.POST.get("code", "").strip()
    meeting = meeting_by_check_in_code(exhibitor=exhibitor, code=code) if code else None
    if meeting is None:
        messages.error(request, _("This code belongs to none of your meetings."))
    else:
        try:
            meeting = services.meeting_check_in(meeting=meeting, actor=request.user, code=code)
        except (ValidationError, Conflict, PermissionDenied) as exc:
            messages.error(request, refusal(exc)[0])
        else:
            tz = exhibitor.expo.tzinfo
            messages.success(
                request,
                _("%(buyer)s is checked in for %(time)s.")
                % {"buyer": str(meeting.buyer), "time": f"{meeting.slot.start.astimezone(tz):%H:%M}"},
            )
    return redirect(_next(request, reverse("expo:floor")))
