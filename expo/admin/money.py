"""Admin of exchange rates: organisers set what one unit of each currency is worth in CNY."""

from django.contrib import admin

from expo.admin.scoping import OrganiserOnlyMixin
from expo.models import ExchangeRate


class ExchangeRateInline(admin.TabularInline):
    model = ExchangeRate
    extra = 0
    fields = ("currency", "rate_to_cny", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(OrganiserOnlyMixin, admin.ModelAdmin):
    list_display = ("currency", "rate_to_cny", "expo", "updated_at")
    list_filter = ("expo", "currency")
    list_select_related = ("expo",)
    search_fields = ("currency",)
    readonly_fields = ("updated_at",)
