"""Admin of meetings: staff answer their company's requests and set its availability; organisers
set the meeting rules, close slots and watch the notification outbox.

Meetings are never added, edited field by field or deleted here: every change goes through the
services of `expo.services.meetings` (the actions below), which keep the history and tell the
other side.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import OrganiserOnlyMixin, is_organiser
from config.api import Conflict
from expo.admin.scoping import ExhibitorScopedMixin
from expo.models import (
    ExhibitorDay,
    ExhibitorMeetingSettings,
    Meeting,
    MeetingEvent,
    MeetingPolicy,
    MeetingStatus,
    Notification,
    SlotClosure,
)
from expo.services import meetings as services


class DeclineForm(forms.Form):
    """The confirmation step of the decline action: the reason the buyer reads in the email."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Sent to the buyer with the answer, in the email and on their schedule."),
    )


class MeetingEventInline(admin.TabularInline):
    model = MeetingEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    list_display = ("slot", "status", "buyer", "exhibitor", "table", "owner", "requested_by")
    list_select_related = ("slot__expo", "buyer__user", "exhibitor", "table__booth", "owner")
    search_fields = ("buyer__company", "buyer__user__email", "exhibitor__name_en", "exhibitor__name_zh")
    date_hierarchy = "slot__start"
    ordering = ("slot__start", "id")
    inlines = [MeetingEventInline]
    actions = ["accept", "decline", "take_ownership"]
    fields = (
        "expo",
        "slot",
        "status",
        "requested_by",
        "buyer",
        "exhibitor",
        "table",
        "owner",
        "expires_at",
        "decline_reason",
        "no_show_side",
        "checked_in_at",
        "reminded_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_list_filter(self, request):
        return ("status", "expo", "requested_by") if is_organiser(request) else ("status", "requested_by")

    def has_add_permission(self, request) -> bool:
        return False  # booked by buyers and invited by staff through the API (the services)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancelled, never deleted: the history stays

    def _each(self, request, queryset, action, done_message) -> None:
        done, failed = 0, []
        for meeting in queryset.select_related("buyer", "slot"):
            try:
                action(meeting)
                done += 1
            except (Conflict, PermissionDenied, ValidationError) as exc:
                detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)
                failed.append(f"{meeting}: {detail}")
        if done:
            self.message_user(request, done_message(done))
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=_("Accept the selected meeting requests"), permissions=["change"])
    def accept(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda meeting: services.meeting_accept(meeting=meeting, actor=request.user),
            lambda n: (
                ngettext("%(count)d meeting accepted.", "%(count)d meetings accepted.", n) % {"count": n}
            ),
        )

    def _refuse_others(self, request, queryset) -> None:
        """Report the selected meetings the queryset left out: another company's (staff are scoped
        to their own) or gone. They are never changed."""
        selected = {pk for pk in request.POST.getlist(ACTION_CHECKBOX_NAME) if pk.isdigit()}
        if request.POST.get("select_across") == "1":
            return
        left_out = len(selected - {str(pk) for pk in queryset.values_list("pk", flat=True)})
        if left_out:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected meeting is not one of your company's meetings: it was left unchanged.",
                    "%(count)d selected meetings are not your company's meetings: they were left unchanged.",
                    left_out,
                )
                % {"count": left_out},
                messages.ERROR,
            )

    @admin.action(description=_("Decline the selected meeting requests"), permissions=["change"])
    def decline(self, request, queryset):
        """Ask for an optional reason on a confirmation page (like delete_selected), then decline
        each meeting through the same service as the API, so the buyer's email carries the reason."""
        self._refuse_others(request, queryset)
        form = DeclineForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda meeting: services.meeting_decline(meeting=meeting, actor=request.user, reason=reason),
                lambda n: (
                    ngettext("%(count)d meeting declined.", "%(count)d meetings declined.", n) % {"count": n}
                ),
            )
            return None  # back to the list, with the messages
        meetings = list(
            queryset.select_related("slot__expo", "buyer__user", "table__booth").order_by("slot__start", "pk")
        )
        if not meetings:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decline meeting requests"),
            "subtitle": None,
            "opts": self.model._meta,
            "meetings": meetings,
            "declinable": sum(m.status == MeetingStatus.REQUESTED for m in meetings),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request,
            "admin/expo/meeting/decline_confirmation.html",
            context,
            status=400 if form.is_bound else 200,
        )

    @admin.action(description=_("Make me the owner of the selected meetings"), permissions=["change"])
    def take_ownership(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda meeting: services.meeting_owner_set(
                meeting=meeting, owner=request.user, actor=request.user
            ),
            lambda n: (
                ngettext("You now own %(count)d meeting.", "You now own %(count)d meetings.", n)
                % {"count": n}
            ),
        )


@admin.register(ExhibitorDay)
class ExhibitorDayAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    list_display = ("exhibitor", "date", "available", "start_time", "end_time")
    list_select_related = ("exhibitor",)
    fields = ("exhibitor", "date", "available", "start_time", "end_time")
    ordering = ("exhibitor", "date")

    def get_list_filter(self, request):
        return ("available", "exhibitor__expo") if is_organiser(request) else ("available",)


@admin.register(ExhibitorMeetingSettings)
class ExhibitorMeetingSettingsAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    list_display = ("exhibitor", "auto_accept", "lounge_tables")
    list_select_related = ("exhibitor",)
    fields = ("exhibitor", "auto_accept", "lounge_tables")

    def get_readonly_fields(self, request, obj=None):
        # The lounge is shared: how much of it a company may use is the organiser's decision.
        if is_organiser(request):
            return ()
        return ("exhibitor", "lounge_tables") if obj is not None else ("lounge_tables",)

    def has_add_permission(self, request) -> bool:
        staff = self.staff_exhibitor(request)
        if staff is not None and ExhibitorMeetingSettings.objects.filter(exhibitor=staff).exists():
            return False  # one row per company, which exists already
        return super().has_add_permission(request)


@admin.register(MeetingPolicy)
class MeetingPolicyAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("expo", "buyer_limit", "exhibitor_limit", "request_expiry_hours", "reminder_minutes")
    list_select_related = ("expo",)


@admin.register(SlotClosure)
class SlotClosureAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("slot", "reason_en", "reason_zh")
    list_select_related = ("slot__expo",)
    list_filter = ("slot__expo",)
    raw_id_fields = ("slot",)


@admin.register(Notification)
class NotificationAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    """The outbox: what was sent, what waits, what failed (written by the meeting services only)."""

    list_display = ("created_at", "kind", "recipient", "meeting", "sent_at", "attempts", "last_error")
    list_select_related = ("recipient", "meeting__slot__expo", "meeting__buyer__user", "meeting__exhibitor")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__email",)
    readonly_fields = (
        "recipient",
        "meeting",
        "kind",
        "note",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    )

    def has_add_permission(self, request) -> bool:
        return False
