"""Admin of intended deals: organisers see every deal and its history, exhibitor staff their company's.

Writes go through `expo.services.deals` (conversion at the expo's rate, history, who may log what).
Deals are never deleted here: a deal that fell through is set to "withdrawn", which keeps it out of
every total and keeps its history.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from expo.admin.scoping import ExhibitorScopedMixin, is_organiser, request_exhibitor
from expo.models import Buyer, Deal, DealChange
from expo.selectors import buyers_met_by
from expo.services.deals import DEAL_EDITABLE_FIELDS, deal_create, deal_may_log, deal_update
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
        fields = ("expo", "buyer", "exhibitor", "external_id", *DEAL_EDITABLE_FIELDS)

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
        parties = ("expo", "buyer", "exhibitor") if is_organiser(request) else ("buyer",)
        extra = ("external_id",) if is_organiser(request) else ()
        return (*parties, *extra, *DEAL_EDITABLE_FIELDS, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the sides of a deal never change
            return ("expo", "buyer", "exhibitor", *self.readonly_fields)
        return self.readonly_fields

    def get_autocomplete_fields(self, request):
        return ("buyer", "exhibitor", "category") if is_organiser(request) else ("category",)

    def get_inlines(self, request, obj):
        return [DealChangeInline] if obj is not None and is_organiser(request) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "buyer" and not is_organiser(request):
            exhibitor = request_exhibitor(request)
            kwargs["queryset"] = buyers_met_by(exhibitor=exhibitor) if exhibitor else Buyer.objects.none()
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
                external_id=data.get("external_id", ""),
                **{name: data[name] for name in DEAL_EDITABLE_FIELDS},
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw a deal instead: its history and the totals stay traceable
