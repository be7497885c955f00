"""Foreign-key choices whose labels need another row: fetched in the same query, not one per row.

A slot's label is shown in its expo's time zone (`slot.expo`), a table's carries its booth code
(`table.booth`), and a buyer without a company name is shown by its user. Admins with selects of
these (meetings, deals) use `LabelledChoicesMixin`; the expo admins' own lists and autocompletes
join the same rows through `list_select_related` and `get_queryset`.
"""

from expo.models import Buyer, Slot, Table

LABEL_RELATED = {Slot: ("expo",), Table: ("booth",), Buyer: ("user",)}


class LabelledChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if model in LABEL_RELATED and "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = model._default_manager.all()
            kwargs["queryset"] = queryset.select_related(*LABEL_RELATED[model])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
