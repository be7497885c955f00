from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from expo.models import BUYER_FACETS, Term, TermKind


class TermMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(
            queryset=Term.objects.filter(kind=kind), to_field_name="slug", required=False, **kwargs
        )

    def label_from_instance(self, term: Term) -> str:
        return term.name


class BuyerProfileForm(forms.Form):
    """The sourcing profile page; buyer_profile_update does the checks shared with the API."""

    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [("", "—"), *countries], required=False)
    fabrics = TermMultipleChoiceField(TermKind.FABRIC, label=_("Fabrics"))
    processes = TermMultipleChoiceField(TermKind.PROCESS, label=_("Processes"))
    fibres = TermMultipleChoiceField(TermKind.FIBRE, label=_("Fibres"))
    end_uses = TermMultipleChoiceField(TermKind.END_USE, label=_("End uses"))
    certifications_required = TermMultipleChoiceField(
        TermKind.CERTIFICATION, label=_("Required certifications")
    )
    order_quantity_m = forms.IntegerField(label=_("Order quantity (metres)"), min_value=1, required=False)
    price_min_cny = forms.DecimalField(
        label=_("Target price from (CNY per metre)"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        required=False,
    )
    price_max_cny = forms.DecimalField(
        label=_("Target price to (CNY per metre)"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        required=False,
    )
    lead_time_days = forms.IntegerField(
        label=_("Needed within (days)"), min_value=0, max_value=32767, required=False
    )

    FACETS = tuple(BUYER_FACETS)

    def facet_fields(self):
        return [self[name] for name in self.FACETS]
