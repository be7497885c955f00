"""Matching back office: weights and runs for organisers; existing customers and their policy for
organisers (all) and exhibitor staff (their own company only).

Exhibitor staff never browse buyers: they name an existing customer by the buyer's email address
or external ID. Every key is saved and answered alike, and staff see only the keys they entered,
never whether or whom a key matched, so the form cannot test who is a buyer. Like every admin,
these check the model permissions of the role groups (`accounts.services`) and narrow staff to
their own company with `expo.admin.scoping.ExhibitorScopedMixin`; the exhibitor is set from the
staff member's account (the field is not in their form at all).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import OrganiserOnlyMixin, is_organiser
from config.api import Conflict
from expo.admin.scoping import ExhibitorScopedMixin
from expo.models import Expo
from matching.models import CustomerLink, CustomerPolicy, MatchFeedback, MatchRun, MatchWeights
from matching.services import feedback as feedback_services
from matching.services import runs

# --- existing customers --------------------------------------------------------------------------


class CustomerLinkAddForm(forms.ModelForm):
    buyer_key = forms.CharField(
        label=_("Buyer"),
        max_length=254,
        help_text=_("The buyer's email address or external ID at this expo."),
    )

    class Meta:
        model = CustomerLink
        fields = ["exhibitor", "note"]

    exhibitor_fixed = None  # set by the admin for exhibitor staff

    def clean(self):
        cleaned = super().clean()
        exhibitor = self.exhibitor_fixed or cleaned.get("exhibitor")
        key = feedback_services.customer_key_normal(cleaned.get("buyer_key", ""))
        if exhibitor is None or not key:
            return cleaned
        # Only the exhibitor's own entries are checked here: whether the key names a buyer is never said.
        if CustomerLink.objects.filter(exhibitor=exhibitor, key=key).exists():
            self.add_error("buyer_key", _("You have already entered this email address or external ID."))
        self.instance.exhibitor = exhibitor
        return cleaned


class CustomerLinkChangeForm(forms.ModelForm):
    class Meta:
        model = CustomerLink
        fields = ["note"]


@admin.register(CustomerLink)
class CustomerLinkAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    list_display = ("key", "buyer_label", "exhibitor", "note", "created_at")
    list_select_related = ("buyer__user", "exhibitor")
    search_fields = ("key", "buyer__company", "buyer__external_id", "buyer__user__email", "note")
    readonly_fields = ("created_at",)
    raw_id_fields = ("exhibitor",)

    @admin.display(description=_("buyer"), ordering="buyer__company")
    def buyer_label(self, link) -> str:
        buyer = link.buyer
        if buyer is None:
            return "—"
        return f"{buyer.company or buyer.user.email} ({buyer.external_id or buyer.user.email})"

    # Exhibitor staff see and search only what they entered: never which buyer (if any) a key named.
    def get_list_display(self, request):
        return self.list_display if is_organiser(request) else ("key", "note", "created_at")

    def get_search_fields(self, request):
        return self.search_fields if is_organiser(request) else ("key", "note")

    def get_list_filter(self, request):
        return ("exhibitor__expo",) if is_organiser(request) else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = CustomerLinkChangeForm
            kwargs["fields"] = ["note"]
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = CustomerLinkAddForm
        staff = self.staff_exhibitor(request)
        kwargs["fields"] = ["buyer_key", "note"] if staff is not None else ["exhibitor", "buyer_key", "note"]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.exhibitor_fixed = staff
        return form

    def get_readonly_fields(self, request, obj=None):
        return ("key", "buyer_label", "exhibitor", "created_at") if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is not None and is_organiser(request):
            return ["key", "buyer_label", "exhibitor", "note", "created_at"]
        if obj is not None:
            return ["key", "note", "created_at"]
        if self.staff_exhibitor(request) is not None:
            return ["buyer_key", "note"]
        return ["exhibitor", "buyer_key", "note"]

    def save_model(self, request, obj, form, change):
        if change:
            feedback_services.customer_link_update(link=obj, note=obj.note)
        else:
            saved = feedback_services.customer_key_add(
                exhibitor=obj.exhibitor, key=form.cleaned_data["buyer_key"], note=obj.note
            )
            obj.pk, obj.key, obj.buyer = saved.pk, saved.key, saved.buyer

    def delete_model(self, request, obj):
        feedback_services.customer_link_remove(link=obj)

    def delete_queryset(self, request, queryset):
        for link in queryset.select_related("buyer"):
            feedback_services.customer_link_remove(link=link)


class CustomerPolicyForm(forms.ModelForm):
    class Meta:
        model = CustomerPolicy
        fields = ["exhibitor", "existing_customers"]

    exhibitor_fixed = None

    def clean(self):
        cleaned = super().clean()
        exhibitor = self.exhibitor_fixed or cleaned.get("exhibitor")
        if exhibitor is not None:
            self.instance.exhibitor = exhibitor
            existing = CustomerPolicy.objects.filter(exhibitor=exhibitor).exclude(pk=self.instance.pk)
            if existing.exists():
                raise ValidationError(_("This exhibitor already has a policy: change it instead."))
        return cleaned


@admin.register(CustomerPolicy)
class CustomerPolicyAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    list_display = ("exhibitor", "existing_customers", "updated_at")
    list_select_related = ("exhibitor",)
    readonly_fields = ("updated_at",)
    raw_id_fields = ("exhibitor",)
    form = CustomerPolicyForm

    def get_list_filter(self, request):
        return ("existing_customers", "exhibitor__expo") if is_organiser(request) else ()

    def get_fields(self, request, obj=None):
        if obj is not None or self.staff_exhibitor(request) is not None:
            return ["existing_customers", "updated_at"]
        return ["exhibitor", "existing_customers", "updated_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.exhibitor_fixed = obj.exhibitor if obj is not None else self.staff_exhibitor(request)
        return form

    def has_add_permission(self, request) -> bool:
        staff = self.staff_exhibitor(request)
        if staff is not None:
            return not CustomerPolicy.objects.filter(exhibitor=staff).exists()
        return super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        saved = feedback_services.customer_policy_set(
            exhibitor=obj.exhibitor, existing_customers=obj.existing_customers
        )
        obj.pk = saved.pk


# --- organisers only ---------------------------------------------------------------------------------


@admin.register(MatchWeights)
class MatchWeightsAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    """An expo without a row is matched with the documented defaults; "Add" starts from them (the
    organiser's matching page links there, expo chosen). Reading the list creates nothing."""

    list_display = (
        "expo",
        "fabric",
        "process",
        "fibre",
        "end_use",
        "quantity",
        "price",
        "lead_time",
        "demote_factor",
        "top_k",
        "chunk_size",
    )
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("expo",)}),
        (_("Facet overlap"), {"fields": ("fabric", "process", "fibre", "end_use")}),
        (_("Order fit"), {"fields": ("quantity", "price", "lead_time")}),
        (_("Results"), {"fields": ("demote_factor", "top_k", "chunk_size", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("expo", "updated_at") if obj is not None else ("updated_at",)

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in feedback_services.WEIGHT_FIELDS
            if name in form.cleaned_data
        }
        saved = feedback_services.match_weights_update(expo=obj.expo, data=data)
        obj.pk = saved.pk


@admin.register(MatchRun)
class MatchRunAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "expo",
        "status",
        "progress",
        "buyers_count",
        "exhibitors_count",
        "matches_count",
        "engine",
        "started_at",
        "finished_at",
    )
    list_filter = ("status", "expo")
    exclude = ("exhibitor_snapshot", "layout")
    actions = ("start_new_run",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("exhibitor_snapshot", "layout").select_related("expo")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in MatchRun._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Start a new full run of the selected runs' expos"))
    def start_new_run(self, request, queryset):
        started = 0
        for expo in Expo.objects.filter(match_runs__in=queryset).distinct():
            try:
                runs.match_run_start(expo=expo, requested_by=request.user)
            except Conflict as exc:
                self.message_user(request, str(exc.detail), messages.WARNING)
            else:
                started += 1
        if started:
            self.message_user(
                request, ngettext("%(n)d run started.", "%(n)d runs started.", started) % {"n": started}
            )


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("buyer", "exhibitor", "value", "updated_at")
    list_filter = ("value", "buyer__expo")
    list_select_related = ("buyer__user", "exhibitor")
    search_fields = ("buyer__company", "buyer__user__email", "exhibitor__name_en", "exhibitor__name_zh")
    readonly_fields = ("buyer", "exhibitor", "value", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
