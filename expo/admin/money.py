"""Admin of exchange rates: organisers set what one unit of each currency is worth in CNY.

Every write goes through `expo.services.money`, which keeps the history of each rate (shown
read-only under "exchange rate history").
"""

from django.contrib import admin

from expo.admin.scoping import OrganiserOnlyMixin
from expo.models import ExchangeRate, ExchangeRateChange
from expo.services.money import exchange_rate_remove, exchange_rate_set


class ExchangeRateInline(admin.TabularInline):
    model = ExchangeRate
    extra = 0
    fields = ("currency", "rate_to_cny", "updated_at")
    readonly_fields = ("updated_at",)


class ExchangeRateHistoryMixin:
    """For an admin with `ExchangeRateInline`: saves the inline's rates through the service (history kept)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not ExchangeRate:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for rate in formset.deleted_objects:
            exchange_rate_remove(rate=rate, user=request.user)
        for rate in [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]:
            exchange_rate_set(
                expo=form.instance, currency=rate.currency, rate_to_cny=rate.rate_to_cny, user=request.user
            )
        return None


@admin.register(ExchangeRate)
class ExchangeRateAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("currency", "rate_to_cny", "expo", "updated_at")
    list_filter = ("expo", "currency")
    list_select_related = ("expo",)
    search_fields = ("currency",)
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj=None):
        # A rate is changed, never moved to another expo or currency (that is a new rate).
        return ("expo", "currency", "updated_at") if obj is not None else ("updated_at",)

    def save_model(self, request, obj, form, change):
        saved = exchange_rate_set(
            expo=obj.expo, currency=obj.currency, rate_to_cny=obj.rate_to_cny, user=request.user
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        exchange_rate_remove(rate=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for rate in queryset.select_related("expo"):
            exchange_rate_remove(rate=rate, user=request.user)


@admin.register(ExchangeRateChange)
class ExchangeRateChangeAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    """The history of every rate: read-only, newest first."""

    list_display = ("changed_at", "expo", "currency", "previous_rate", "rate_to_cny", "changed_by")
    list_filter = ("expo", "currency")
    list_select_related = ("expo", "changed_by")
    search_fields = ("currency",)
    date_hierarchy = "changed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
