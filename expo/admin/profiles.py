"""Admin of exhibitor and buyer profiles, and exhibitor staff."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from accounts.admin_invitations import invitation_filter, invite_action, invited_column, signed_in_column
from accounts.countries import country_column
from accounts.languages import language_default
from accounts.services import invitations_queue
from expo.admin.agenda import agenda_view
from expo.admin.imports import import_template_view, import_view
from expo.admin.scoping import ExhibitorScopedMixin, OrganiserOnlyMixin, is_organiser
from expo.models import BUYER_FACETS, EXHIBITOR_FACETS, Booth, Buyer, Exhibitor, ExhibitorStaff
from expo.services.profiles import (
    BUYER_ORGANISER_FIELDS,
    EXHIBITOR_ORGANISER_FIELDS,
    EXHIBITOR_PROFILE_FIELDS,
    buyer_update,
    buyers_verify,
    exhibitor_update,
    exhibitors_delete,
    staff_member_add,
    staff_member_check,
    staff_member_move,
    staff_member_remove,
)


def _facet_filters(facets) -> tuple:
    # Every term of the facet's kind (one small query each), not only the terms some profile has:
    # finding those scans the whole link table, 20–30 ms a facet at 50,000 buyers.
    return tuple((name, admin.RelatedFieldListFilter) for name in facets)


def _form_data(form, fields, *, only_changed: bool) -> dict:
    """The form's cleaned values for `fields` (those changed, for an edit), as a service takes them."""
    names = form.changed_data if only_changed else form.cleaned_data
    return {name: form.cleaned_data[name] for name in names if name in fields}


class ServiceSavedM2MMixin:
    """The service writes the facets (many-to-many): the admin saves only the inlines afterwards."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- Exhibitors --------------------------------------------------------------------------------

_EXHIBITOR_PROFILE = (
    "name_en",
    "name_zh",
    "description_en",
    "description_zh",
    "country",
    "province",
    "region",
    "contact_email",
    "contact_phone",
    "website",
)
_EXHIBITOR_CAPABILITIES = ("moq_m", "capacity_m_month", "price_min_cny", "price_max_cny", "lead_time_days")


class ExhibitorStaffInline(admin.TabularInline):
    """Who works for the company (read-only here; added and removed under Exhibitor staff)."""

    model = ExhibitorStaff
    fields = ("user",)
    readonly_fields = ("user",)
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Exhibitor)
class ExhibitorAdmin(ServiceSavedM2MMixin, ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = ""  # the exhibitor itself
    list_display = ("name_en", "name_zh", "booth_codes", country_column(), "province", "expo")
    list_display_links = ("name_en", "name_zh")
    list_select_related = ("expo",)
    show_full_result_count = False  # a second COUNT over the whole table, for "(N total)" only
    search_fields = ("name_en", "name_zh", "external_id")
    autocomplete_fields = tuple(EXHIBITOR_FACETS)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        booths = Booth.objects.select_related("hall").order_by("code")
        return super().get_queryset(request).prefetch_related(Prefetch("booths", queryset=booths))

    @admin.display(description=_("booths"))
    def booth_codes(self, exhibitor: Exhibitor) -> str:
        return ", ".join(f"{booth.hall.code} {booth.code}" for booth in exhibitor.booths.all())

    def get_readonly_fields(self, request, obj=None):
        # A profile stays at its expo: its booths, meetings and deals are that expo's.
        return ("expo", "created_at", "updated_at") if obj is not None else ("created_at", "updated_at")

    def get_inlines(self, request, obj):
        return [ExhibitorStaffInline] if obj is not None and is_organiser(request) else []

    def get_list_filter(self, request):
        if not is_organiser(request):
            return ()
        return (
            "expo",
            ("country", CountryFilter),
            "province",
            "booths__hall",
            *_facet_filters(EXHIBITOR_FACETS),
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": _EXHIBITOR_PROFILE}),
            (_("What the company makes"), {"fields": tuple(EXHIBITOR_FACETS)}),
            (_("Orders"), {"fields": _EXHIBITOR_CAPABILITIES}),
        ]
        if is_organiser(request):
            # The expo and the import key are the organiser's; staff never see or send them.
            fieldsets.insert(0, (_("Expo"), {"fields": ("expo", "external_id")}))
            if obj is not None:
                fieldsets.append((_("Timestamps"), {"fields": ("created_at", "updated_at")}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        # The service saves the profile and its facets; matching rescores this exhibitor on commit.
        organiser = is_organiser(request)
        fields = (
            *EXHIBITOR_PROFILE_FIELDS,
            *EXHIBITOR_FACETS,
            *(EXHIBITOR_ORGANISER_FIELDS if organiser else ()),
        )
        exhibitor_update(
            exhibitor=obj, data=_form_data(form, fields, only_changed=change), organiser=organiser
        )

    def delete_model(self, request, obj):
        exhibitors_delete(exhibitors=Exhibitor.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        exhibitors_delete(exhibitors=queryset)

    def get_urls(self):
        view = self.admin_site.admin_view(import_view)
        template = self.admin_site.admin_view(import_template_view)
        agenda = self.admin_site.admin_view(agenda_view)
        return [
            path("agenda/", agenda, name="expo_agenda"),
            path("import/", view, name="expo_import"),
            path("import/template/<str:kind>.<str:file_format>", template, name="expo_import_template"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "show_import_link": is_organiser(request)}
        return super().changelist_view(request, extra_context)


# --- Buyers ------------------------------------------------------------------------------------


@admin.register(Buyer)
class BuyerAdmin(ServiceSavedM2MMixin, OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("company", "user", country_column(), "verified", "expo", "invited", "signed_in")
    list_select_related = ("user", "expo")
    show_full_result_count = False
    list_filter = (
        "expo",
        "verified",
        invitation_filter("user__"),
        ("country", CountryFilter),
        *_facet_filters(BUYER_FACETS),
    )
    search_fields = ("company", "external_id", "user__email", "user__name")
    autocomplete_fields = ("user", *BUYER_FACETS)
    actions = ["mark_verified", "mark_unverified", "send_invitation"]
    send_invitation = invite_action(lambda queryset: queryset.values_list("user_id", flat=True))
    invited = invited_column("user__")
    signed_in = signed_in_column("user__")
    fieldsets = (
        (None, {"fields": ("expo", "user", "external_id", "company", "country", "verified")}),
        (_("What the buyer sources"), {"fields": tuple(BUYER_FACETS)}),
        (_("Orders"), {"fields": ("order_quantity_m", "price_min_cny", "price_max_cny", "lead_time_days")}),
        (_("Timestamps"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        # A buyer's label may be its user's (no company): autocompletes join the user too. (The
        # change list applies list_select_related only to a queryset that joins nothing yet.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        return ("expo", "created_at", "updated_at") if obj is not None else ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        # The service saves the profile and its facets; matching rescores this buyer on commit.
        fields = (*BUYER_ORGANISER_FIELDS, *BUYER_FACETS)
        buyer_update(buyer=obj, data=_form_data(form, fields, only_changed=change))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "show_import_link": is_organiser(request)}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Mark the selected buyers as verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        count = buyers_verify(buyers=queryset, verified=True)
        self.message_user(
            request,
            ngettext("%(count)d buyer marked verified.", "%(count)d buyers marked verified.", count)
            % {"count": count},
        )

    @admin.action(description=_("Mark the selected buyers as not verified"), permissions=["change"])
    def mark_unverified(self, request, queryset):
        count = buyers_verify(buyers=queryset, verified=False)
        self.message_user(
            request,
            ngettext("%(count)d buyer marked not verified.", "%(count)d buyers marked not verified.", count)
            % {"count": count},
        )


# --- Exhibitor staff ---------------------------------------------------------------------------


class ExhibitorStaffAddForm(forms.ModelForm):
    """Adds a staff member by email: an unknown address gets a new account (password by reset email)."""

    email = forms.EmailField(label=_("email address"))
    name = forms.CharField(label=_("name"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(
        label=_("preferred language"),
        choices=[("", _("By the company's country")), *settings.LANGUAGES],
        required=False,
        help_text=_("For pages and email; a new account only. Chinese for companies in China, else English."),
    )
    invite = forms.BooleanField(
        label=_("Send an invitation"),
        required=False,
        initial=True,
        help_text=_("Email a link to choose a password (a new account has none), valid for 14 days."),
    )

    class Meta:
        model = ExhibitorStaff
        fields = ("exhibitor",)

    def clean(self):
        cleaned = super().clean()
        exhibitor, email = cleaned.get("exhibitor"), cleaned.get("email")
        if exhibitor is None or not email:
            return cleaned
        try:
            staff_member_check(exhibitor=exhibitor, email=email)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field, messages)
            return cleaned
        user = get_user_model().objects.by_email(email).first()
        if user is not None and ExhibitorStaff.objects.filter(user=user).exists():
            self.add_error("email", _("This user is already staff of this exhibitor."))
        return cleaned


@admin.register(ExhibitorStaff)
class ExhibitorStaffAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "user_name", "exhibitor", "exhibitor_name_zh", "invited", "signed_in")
    list_select_related = ("user", "exhibitor")
    list_filter = (invitation_filter("user__"),)
    actions = ["send_invitation"]
    send_invitation = invite_action(lambda queryset: queryset.values_list("user_id", flat=True))
    invited = invited_column("user__")
    signed_in = signed_in_column("user__")
    search_fields = ("user__email", "user__name", "exhibitor__name_en", "exhibitor__name_zh")
    autocomplete_fields = ("exhibitor",)

    @admin.display(description=_("name"), ordering="user__name")
    def user_name(self, staff: ExhibitorStaff) -> str:
        return staff.user.name

    @admin.display(description=_("Chinese company name"), ordering="exhibitor__name_zh")
    def exhibitor_name_zh(self, staff: ExhibitorStaff) -> str:
        return staff.exhibitor.name_zh

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ExhibitorStaffAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return (
            ("exhibitor", "email", "name", "preferred_language", "invite")
            if obj is None
            else ("user", "exhibitor")
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("user",)

    def save_model(self, request, obj, form, change):
        if change:
            staff_member_move(staff=obj, exhibitor=form.cleaned_data["exhibitor"])
            return
        exhibitor = form.cleaned_data["exhibitor"]
        link = staff_member_add(
            exhibitor=exhibitor,
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            preferred_language=form.cleaned_data["preferred_language"] or language_default(exhibitor.country),
        )
        obj.pk, obj.user = link.pk, link.user
        obj._state.adding = False
        if form.cleaned_data["invite"]:
            invitations_queue(user_ids=[link.user_id], base_url=request.build_absolute_uri("/"))

    def delete_model(self, request, obj):
        staff_member_remove(staff=obj)

    def delete_queryset(self, request, queryset):
        for staff in queryset.select_related("user"):
            staff_member_remove(staff=staff)
