"""Admin of the taxonomy: organisers edit it, exhibitor staff read it through the facet autocomplete."""

from django.contrib import admin

from expo.admin.scoping import StaffHiddenMixin
from expo.models import Term


@admin.register(Term)
class TermAdmin(StaffHiddenMixin, admin.ModelAdmin):
    """Organisers edit the taxonomy; staff may only read it, through the facet autocomplete."""

    list_display = ("slug", "kind", "name_en", "name_zh", "parent", "position")
    list_filter = ("kind", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("slug", "name_en", "name_zh")
    autocomplete_fields = ("parent",)
    ordering = ("kind", "position", "slug")
