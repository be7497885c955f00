import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from expo.models import Deal, DealStage, Exhibitor, Hall, Meeting, MeetingStatus, Term, TermKind
from expo.selectors import (
    exhibitors_in_halls,
    exhibitors_matching,
    exhibitors_with_any_term,
)
from expo.selectors.meetings import meetings_on_date


class TermFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TermKind.choices)

    class Meta:
        model = Term
        fields = ["kind"]


class SlugListField(forms.Field):
    """Slugs from `?x=a&x=b`, `?x=a,b` or both (QueryArrayWidget reads either)."""

    widget = QueryArrayWidget

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return list(dict.fromkeys(part.strip() for item in value for part in item.split(",") if part.strip()))


@extend_schema_field(OpenApiTypes.STR)
class TermSlugsFilter(django_filters.Filter):
    """Exhibitors offering ANY of the given terms of one facet; unknown slugs are a 400."""

    field_class = SlugListField

    def __init__(self, *, kind: str, facet: str, **kwargs):
        self.kind, self.facet = kind, facet
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        index = getattr(self.parent, "terms", None)
        if index is None:
            terms = list(Term.objects.filter(kind=self.kind, slug__in=value))
        else:
            terms = [index[(self.kind, slug)] for slug in value if (self.kind, slug) in index]
        unknown = sorted(set(value) - {t.slug for t in terms})
        if unknown:
            raise ValidationError(
                {
                    self.field_name: _("Unknown %(kind)s: %(slugs)s.")
                    % {"kind": TermKind(self.kind).label.lower(), "slugs": ", ".join(unknown)}
                }
            )
        return exhibitors_with_any_term(qs, facet=self.facet, terms=terms)


@extend_schema_field(OpenApiTypes.STR)
class HallFilter(django_filters.Filter):
    """Exhibitors with a booth in ANY of the given halls (codes) of the expo."""

    field_class = SlugListField

    def filter(self, qs, value):
        if not value:
            return qs
        expo = getattr(self.parent, "expo", None)
        halls = list(Hall.objects.filter(expo=expo, code__in=value))
        unknown = sorted(set(value) - {h.code for h in halls})
        if unknown:
            raise ValidationError({"hall": _("Unknown hall: %(codes)s.") % {"codes": ", ".join(unknown)}})
        return exhibitors_in_halls(qs, halls=halls)


class ExhibitorFilter(django_filters.FilterSet):
    """Directory filters: OR within one facet, AND across facets, hall and search.

    Set `expo` on the instance (the view does) so hall codes resolve in the right expo.
    """

    fabric = TermSlugsFilter(kind=TermKind.FABRIC, facet="fabrics", label=_("Fabric"))
    process = TermSlugsFilter(kind=TermKind.PROCESS, facet="processes", label=_("Process"))
    fibre = TermSlugsFilter(kind=TermKind.FIBRE, facet="fibres", label=_("Fibre"))
    end_use = TermSlugsFilter(kind=TermKind.END_USE, facet="end_uses", label=_("End use"))
    certification = TermSlugsFilter(
        kind=TermKind.CERTIFICATION, facet="certifications", label=_("Certification")
    )
    hall = HallFilter(label=_("Hall"))
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name_en", "name"),
            ("moq_m", "moq"),
            ("price_min_cny", "price"),
            ("lead_time_days", "lead_time"),
            ("capacity_m_month", "capacity"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Exhibitor
        fields: list[str] = []

    def __init__(self, *args, expo=None, terms: dict | None = None, **kwargs):
        """`terms` ({(kind, slug): Term}) spares a query per facet when the caller has them all."""
        self.expo = expo
        self.terms = terms
        super().__init__(*args, **kwargs)

    def filter_search(self, qs, name, value):
        value = value.strip()
        return exhibitors_matching(qs, search=value) if value else qs

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("name_en", "id")
        elif "id" not in self.form.cleaned_data["ordering"]:
            # A stable order, so pages never repeat or skip a row.
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset


class MeetingFilter(django_filters.FilterSet):
    """`status` (repeatable) and `date`, a day in the expo's time zone."""

    status = django_filters.MultipleChoiceFilter(choices=MeetingStatus.choices)
    date = django_filters.DateFilter(method="filter_date", help_text=_("A day in the expo's time zone."))

    class Meta:
        model = Meeting
        fields = ["status", "date"]

    def __init__(self, *args, expo=None, **kwargs):
        self.expo = expo
        super().__init__(*args, **kwargs)

    def filter_date(self, queryset, name, value):
        return meetings_on_date(queryset, expo=self.expo, date=value)


class DealFilter(django_filters.FilterSet):
    """Deal lists: by stage, side and date range (`date_from`/`date_to` inclusive, expo-local days)."""

    stage = django_filters.MultipleChoiceFilter(choices=DealStage.choices)
    buyer = django_filters.NumberFilter(field_name="buyer_id")
    exhibitor = django_filters.NumberFilter(field_name="exhibitor_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Deal
        fields = ["stage", "buyer", "exhibitor", "date_from", "date_to"]
