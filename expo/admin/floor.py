"""Admin of the expo floor: editions with their halls and exchange rates, booths and tables, slots."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from expo.admin.money import ExchangeRateHistoryMixin, ExchangeRateInline
from expo.admin.scoping import ExhibitorScopedMixin, OrganiserOnlyMixin, is_organiser
from expo.models import Booth, Expo, Hall, Slot, Table
from expo.services.floor import (
    BOOTH_FIELDS,
    EXPO_FIELDS,
    SLOT_GRID_FIELDS,
    booth_save,
    booth_tables_check,
    expo_create,
    expo_make_current,
    expo_slots_check,
    expo_slots_generate,
    expo_update,
    rows_held,
    table_update,
)

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
)


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

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the new values
        moved = [name for name in SLOT_GRID_FIELDS if name in self.changed_data and name not in self.errors]
        if self.instance.pk is None or not moved or self.errors:
            return
        try:
            expo_slots_check(expo=self.instance, fields=moved)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Expo)
class ExpoAdmin(ExchangeRateHistoryMixin, OrganiserOnlyMixin, admin.ModelAdmin):
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
            (None, {"fields": ("unverified_request_limit", *current)}),
        ]
        if obj is not None:
            fieldsets.append((_("Timestamps"), {"fields": ("created_at", "updated_at")}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            # The service saves the change and regenerates the slot grid in one transaction.
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in EXPO_FIELDS}
            saved = expo_update(expo=Expo(pk=obj.pk), data=data)
            obj.updated_at = saved.updated_at
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
            count = expo_slots_generate(expo=expo)
        except ValidationError as exc:
            # Slots that no longer fit are still in use: the old grid stays, and the message says so.
            self.message_user(request, f"{expo}: {' '.join(exc.messages)}", messages.ERROR)
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


class TableInlineForm(forms.ModelForm):
    class Meta:
        model = Table
        fields = ("label", "is_active")

    def clean(self):
        cleaned = super().clean()
        table = self.instance
        retiring = table.pk is not None and "is_active" in self.changed_data and not cleaned.get("is_active")
        if retiring and rows_held(model=Table, pks=[table.pk]):
            self.add_error("is_active", _("This table holds meetings: it stays in use."))
        return cleaned


class TableInline(admin.TabularInline):
    """A booth's tables: their number follows the booth's table count; label and use are editable."""

    model = Table
    form = TableInlineForm
    extra = 0
    can_delete = False
    fields = ("number", "label", "is_active")
    readonly_fields = ("number",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # tables come from the booth's table count (booth_tables_sync)


class BoothAdminForm(forms.ModelForm):
    """Refuses a table count below a table that holds meetings, naming `tables`."""

    def clean(self):
        cleaned = super().clean()
        if "tables" in self.changed_data and cleaned.get("tables") is not None:
            try:
                booth_tables_check(booth=self.instance, tables=cleaned["tables"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Booth)
class BoothAdmin(ExhibitorScopedMixin, admin.ModelAdmin):
    exhibitor_path = "exhibitor"
    form = BoothAdminForm
    inlines = [TableInline]
    fields = ("expo", "hall", "code", "exhibitor", "tables", "is_lounge")
    list_display = ("code", "hall", "exhibitor", "exhibitor_name_zh", "tables", "is_lounge", "expo")
    list_select_related = ("hall", "exhibitor", "expo")
    search_fields = ("code", "exhibitor__name_en", "exhibitor__name_zh")
    autocomplete_fields = ("hall", "exhibitor")

    @admin.display(description=_("Chinese company name"), ordering="exhibitor__name_zh")
    def exhibitor_name_zh(self, booth: Booth) -> str:
        return booth.exhibitor.name_zh if booth.exhibitor else ""

    def get_list_filter(self, request):
        return ("expo", "hall", "is_lounge") if is_organiser(request) else ()

    def get_readonly_fields(self, request, obj=None):
        # Staff may change how many tables their booth has, never where it is or whose it is.
        return () if is_organiser(request) else ("expo", "hall", "code", "exhibitor", "is_lounge")

    def save_model(self, request, obj, form, change):
        # The service saves the booth and makes its tables follow the count, in one transaction.
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in BOOTH_FIELDS}
        if not change:
            data = {name: form.cleaned_data[name] for name in BOOTH_FIELDS if name in form.cleaned_data}
        saved = booth_save(booth=obj if not change else Booth(pk=obj.pk), data=data)
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not Table:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads what a formset's save() records.
        formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
        for table_form in formset.forms:
            if table_form.instance.pk is not None and table_form.has_changed():
                table = table_update(
                    table=table_form.instance,
                    label=table_form.cleaned_data["label"],
                    is_active=table_form.cleaned_data["is_active"],
                )
                formset.changed_objects.append((table, table_form.changed_data))
        return None


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
