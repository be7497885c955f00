"""Admin of the expo floor: editions with their halls and exchange rates, booths and tables, slots."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from expo.admin.money import ExchangeRateInline
from expo.admin.scoping import ExhibitorScopedMixin, OrganiserOnlyMixin, is_organiser
from expo.models import Booth, Expo, Hall, Slot, Table
from expo.services.floor import booth_tables_sync, expo_create, expo_make_current, expo_slots_generate

# The fields expo_create takes; the rest of the form is saved onto the new expo afterwards.
_EXPO_CREATE_FIELDS = (
    "slug",
    "name",
    "name_zh",
    "venue",
    "edition",
    "start_date",
    "days",
    "opening_time",
    "closing_time",
    "slot_minutes",
    "time_zone",
    "currency",
)
# Changing any of these changes the slot grid.
_SLOT_GRID_FIELDS = {"start_date", "days", "opening_time", "closing_time", "slot_minutes", "time_zone"}


class HallInline(admin.TabularInline):
    model = Hall
    extra = 0
    fields = ("code", "name_en", "name_zh")


class ExpoAdminForm(forms.ModelForm):
    """The expo form; on creation it can also make the new expo current (the fields come from the admin)."""

    make_current = forms.BooleanField(
        label=_("Make this the current expo"),
        required=False,
        help_text=_("The API and the pages act on the current expo."),
    )


@admin.register(Expo)
class ExpoAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    form = ExpoAdminForm
    inlines = [HallInline, ExchangeRateInline]
    list_display = ("name", "name_zh", "slug", "start_date", "days", "slot_minutes", "is_current")
    list_filter = ("is_current",)
    search_fields = ("slug", "name", "name_zh", "venue", "venue_zh")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("is_current", "created_at", "updated_at")
    actions = ["make_current", "regenerate_slots"]

    def get_fieldsets(self, request, obj=None):
        current = ("make_current",) if obj is None else ("is_current",)
        fieldsets = [
            (None, {"fields": ("slug", "name", "name_zh", "edition", "venue", "venue_zh")}),
            (
                _("Days and meeting slots"),
                {
                    "fields": (
                        "start_date",
                        "days",
                        "opening_time",
                        "closing_time",
                        "slot_minutes",
                        "time_zone",
                    )
                },
            ),
            (None, {"fields": ("currency", "unverified_request_limit", *current)}),
        ]
        if obj is not None:
            fieldsets.append((_("Timestamps"), {"fields": ("created_at", "updated_at")}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if _SLOT_GRID_FIELDS & set(form.changed_data):
                self._regenerate(request, obj)
            return
        # A new expo gets its slot grid (and maybe current status) from the service.
        created = expo_create(
            **{name: form.cleaned_data[name] for name in _EXPO_CREATE_FIELDS},
            make_current=form.cleaned_data["make_current"],
        )
        Expo.objects.filter(pk=created.pk).update(
            venue_zh=obj.venue_zh, unverified_request_limit=obj.unverified_request_limit
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False  # the inlines and the admin log now treat it as saved

    @admin.action(description=_("Make the selected expo current"), permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one expo to make current."), messages.ERROR)
            return
        expo = expo_make_current(expo=queryset.get())
        self.message_user(request, _("%(expo)s is now the current expo.") % {"expo": expo})

    @admin.action(description=_("Regenerate the meeting slot grid"), permissions=["change"])
    def regenerate_slots(self, request, queryset):
        for expo in queryset:
            self._regenerate(request, expo)

    def _regenerate(self, request, expo: Expo) -> None:
        try:
            with transaction.atomic():
                count = expo_slots_generate(expo=expo)
        except (ProtectedError, RestrictedError):
            # Slots that no longer fit are still held by meetings: keep the old grid, say so.
            message = _(
                "%(expo)s: the slot grid was not changed, because meetings are booked in slots it would remove."
            )
            self.message_user(request, message % {"expo": expo}, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(expo)s: %(count)d slot.", "%(expo)s: %(count)d slots.", count)
            % {"expo": expo, "count": count},
        )


@admin.register(Hall)
class HallAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "expo")
    list_filter = ("expo",)
    list_select_related = ("expo",)
    search_fields = ("code", "name_en", "name_zh")


class TableInline(admin.TabularInline):
    """A booth's tables: their number follows the booth's table count; label and use are editable."""

    model = Table
    extra = 0
    can_delete = False
    fields = ("number", "label", "is_active")
    readonly_fields = ("number",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # tables come from the booth's table count (booth_tables_sync)


@admin.register(Booth)
class BoothAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    inlines = [TableInline]
    fields = ("expo", "hall", "code", "exhibitor", "tables")
    list_display = ("code", "hall", "exhibitor", "exhibitor_name_zh", "tables", "expo")
    list_select_related = ("hall", "exhibitor", "expo")
    search_fields = ("code", "exhibitor__name_en", "exhibitor__name_zh")
    autocomplete_fields = ("hall", "exhibitor")

    @admin.display(description=_("Chinese company name"), ordering="exhibitor__name_zh")
    def exhibitor_name_zh(self, booth: Booth) -> str:
        return booth.exhibitor.name_zh if booth.exhibitor else ""

    def get_list_filter(self, request):
        return ("expo", "hall") if is_organiser(request) else ()

    def get_readonly_fields(self, request, obj=None):
        # Staff may change how many tables their booth has, never where it is or whose it is.
        return () if is_organiser(request) else ("expo", "hall", "code", "exhibitor")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change or "tables" in form.changed_data:
            booth_tables_sync(booth=form.instance)


@admin.register(Slot)
class SlotAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    """The slot grid is generated from the expo's days and hours; it is read here, never edited."""

    list_display = ("__str__", "expo")
    list_filter = ("expo",)
    list_select_related = ("expo",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
