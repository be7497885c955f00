import re
import unicodedata
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from expo.currencies import currency_label
from expo.models import BUYER_FACETS, DealStage, Interest, Term, TermKind


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


# --- Deals, samples and feedback on a meeting (the web side of expo/services/deals.py) ----------

# "12,345.67": commas only as thousands separators, in groups of three; "1,5" stays ambiguous.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def fabric_choices() -> list:
    """Fabric terms grouped under their top-level term (woven, knitted…), named in the active language;
    each group starts with the top-level term itself, a category of its own."""
    terms = list(Term.objects.filter(kind=TermKind.FABRIC).order_by("position", "slug"))
    by_pk = {term.pk: term for term in terms}

    def root(term: Term) -> Term:
        while term.parent_id and term.parent_id in by_pk:
            term = by_pk[term.parent_id]
        return term

    groups: dict[int, list] = {}
    for term in terms:
        groups.setdefault(root(term).pk, []).append(term)
    choices: list = [("", "—")]
    for pk, members in groups.items():
        members.sort(key=lambda t: (t.pk != pk, t.position, t.slug))
        choices.append((by_pk[pk].name, [(t.slug, t.name) for t in members]))
    return choices


class DealForm(forms.Form):
    """A meeting's intended deal; `deal_create` / `deal_update` check the amount and convert it.

    The amount stays text here so the service's own checks (decimal, above zero, not too large, at
    most two decimal places) name the field, in the same words as the API."""

    amount = forms.CharField(
        label=_("Amount"),
        strip=True,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "12,345.67"}
        ),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), error_messages={"invalid_choice": _("Choose one of this expo's currencies.")}
    )
    quantity_m = forms.IntegerField(
        label=_("Quantity (metres)"),
        min_value=1,
        max_value=2_147_483_647,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    category = forms.ChoiceField(
        label=_("Fabric"), error_messages={"invalid_choice": _("Choose a fabric from the list.")}
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices, initial=DealStage.INTENDED)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, currencies: list[str], fabrics: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, currency_label(code)) for code in currencies]
        self.fields["category"].choices = fabric_choices() if fabrics is None else fabrics

    def clean_amount(self) -> str:
        value = unicodedata.normalize("NFKC", self.cleaned_data["amount"]).replace(" ", "")
        return value.replace(",", "") if _GROUPED.match(value) else value


class SampleForm(forms.Form):
    fabric = forms.ChoiceField(
        label=_("Fabric"), error_messages={"invalid_choice": _("Choose a fabric from the list.")}
    )
    quantity = forms.IntegerField(
        label=_("Swatches or hangers"),
        min_value=1,
        max_value=10_000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, fabrics: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fabric"].choices = fabric_choices() if fabrics is None else fabrics


class FeedbackForm(forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Did the meeting take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    interest = forms.ChoiceField(
        label=_("Your interest"), choices=[("", "—"), *Interest.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
