"""Admin of intended deals, sample requests and meeting feedback: organisers see all (and each deal's
history), exhibitor staff their company's.

Writes go through `expo.services.deals` (conversion at the expo's rate, history, who may log what).
Deals are never deleted here: a deal that fell through is set to "withdrawn", which keeps it out of
every total and keeps its history.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from expo.admin.scoping import ExhibitorScopedMixin, is_organiser, request_exhibitor
from expo.models import SAMPLE_ORDER, Buyer, Deal, DealChange, Meeting, MeetingFeedback, SampleRequest
from expo.selectors import MET_STATUSES, buyers_met_by
from expo.services.deals import (
    DEAL_EDITABLE_FIELDS,
    deal_create,
    deal_may_log,
    deal_update,
    sample_request_update,
)
from expo.services.money import rate_current


class DealChangeInline(admin.TabularInline):
    """Who changed what and when: organisers only, read-only."""

    model = DealChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "changed_by", "action", "before", "after")
    readonly_fields = fields
    ordering = ("changed_at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DealAdminForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = ("expo", "buyer", "exhibitor", "meeting", "external_id", *DEAL_EDITABLE_FIELDS)

    def clean(self):
        data = super().clean()
        deal = self.instance
        currency = (data.get("currency") or "").upper()
        expo = data.get("expo") or (deal.expo if deal.expo_id else None)
        new_currency = currency and expo is not None and (deal.pk is None or currency != deal.currency)
        if new_currency and rate_current(expo=expo, currency=currency) is None:
            message = _("This expo has no exchange rate for %(currency)s; add one first.")
            self.add_error("currency", message % {"currency": currency})
        return data


@admin.register(Deal)
class DealAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    form = DealAdminForm
    list_display = (
        "id",
        "date",
        "buyer",
        "exhibitor",
        "amount",
        "currency",
        "amount_cny",
        "category",
        "stage",
    )
    list_select_related = ("buyer", "exhibitor", "category")
    search_fields = ("buyer__company", "exhibitor__name_en", "exhibitor__name_zh", "external_id", "note")
    date_hierarchy = "date"
    readonly_fields = ("rate", "amount_cny", "created_by", "created_at", "updated_at")
    actions = None

    @admin.display(description=_("amount in CNY"), ordering="amount_cny_fen")
    def amount_cny(self, deal: Deal) -> str:
        return deal.amount_cny

    def get_list_filter(self, request):
        return ("stage", "expo", "category") if is_organiser(request) else ("stage",)

    def get_fields(self, request, obj=None):
        parties = ("expo", "buyer", "exhibitor", "meeting") if is_organiser(request) else ("buyer", "meeting")
        extra = ("external_id",) if is_organiser(request) else ()
        return (*parties, *extra, *DEAL_EDITABLE_FIELDS, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the sides of a deal and its meeting never change
            return ("expo", "buyer", "exhibitor", "meeting", *self.readonly_fields)
        return self.readonly_fields

    def get_autocomplete_fields(self, request):
        return ("buyer", "exhibitor", "category") if is_organiser(request) else ("category",)

    def get_inlines(self, request, obj):
        return [DealChangeInline] if obj is not None and is_organiser(request) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "buyer" and not is_organiser(request):
            exhibitor = request_exhibitor(request)
            kwargs["queryset"] = buyers_met_by(exhibitor=exhibitor) if exhibitor else Buyer.objects.none()
        if db_field.name == "meeting":  # meetings that may hold a deal and hold none yet
            meetings = Meeting.objects.filter(status__in=MET_STATUSES, deal__isnull=True).select_related(
                "buyer__user", "exhibitor", "slot__expo"
            )
            if not is_organiser(request):
                exhibitor = request_exhibitor(request)
                meetings = meetings.filter(exhibitor=exhibitor) if exhibitor else meetings.none()
            kwargs["queryset"] = meetings
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and not is_organiser(request):
            exhibitor = request_exhibitor(request)

            class StaffDealForm(form):
                def clean(self):
                    if exhibitor is None:
                        raise forms.ValidationError(_("Your account is not linked to an exhibitor."))
                    self.instance.expo, self.instance.exhibitor = exhibitor.expo, exhibitor
                    data = super().clean()
                    buyer = data.get("buyer")
                    if buyer is not None:
                        try:
                            deal_may_log(user=request.user, buyer=buyer, exhibitor=exhibitor)
                        except PermissionDenied as exc:
                            self.add_error("buyer", str(exc))
                    return data

            return StaffDealForm
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in DEAL_EDITABLE_FIELDS}
            saved = deal_update(user=request.user, deal=obj, data=changed)
        else:
            saved = deal_create(
                user=request.user,
                expo=obj.expo,
                buyer=obj.buyer,
                exhibitor=obj.exhibitor,
                meeting=data.get("meeting"),
                external_id=data.get("external_id", ""),
                **{name: data[name] for name in DEAL_EDITABLE_FIELDS},
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw a deal instead: its history and the totals stay traceable


class SampleRequestAdminForm(forms.ModelForm):
    class Meta:
        model = SampleRequest
        fields = ("quantity", "status", "note")

    def clean_status(self):
        status = self.cleaned_data["status"]
        if SAMPLE_ORDER[status] < SAMPLE_ORDER[self.instance.status]:
            raise forms.ValidationError(_("A sample's status only moves forward: requested, sent, received."))
        return status


@admin.register(SampleRequest)
class SampleRequestAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    """Samples asked for at meetings; staff follow up their company's (requested → sent → received)."""

    exhibitor_path = "meeting__exhibitor"
    form = SampleRequestAdminForm
    list_display = ("id", "meeting", "fabric", "quantity", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("meeting__buyer", "meeting__exhibitor", "meeting__slot__expo", "fabric")
    search_fields = ("meeting__buyer__company", "meeting__exhibitor__name_en", "meeting__exhibitor__name_zh")
    readonly_fields = ("meeting", "fabric", "requested_by", "created_at", "updated_at")
    fields = ("meeting", "fabric", "quantity", "status", "note", "requested_by", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # logged against a meeting through the API (either side) or by its staff there

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_organiser(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in ("status", "quantity", "note")
        }
        if "fabric" in form.changed_data:
            obj.full_clean()
            super().save_model(request, obj, form, change)
        if changed:
            sample_request_update(user=request.user, sample=obj, data=changed)
            obj.refresh_from_db()


@admin.register(MeetingFeedback)
class MeetingFeedbackAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    """What each side said after a meeting: read-only here (each side gives its own in the app)."""

    exhibitor_path = "meeting__exhibitor"
    list_display = ("meeting", "side", "took_place", "interest", "updated_at")
    list_filter = ("side", "took_place", "interest")
    list_select_related = ("meeting__buyer", "meeting__exhibitor", "meeting__slot__expo")
    search_fields = ("meeting__buyer__company", "meeting__exhibitor__name_en", "meeting__exhibitor__name_zh")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
