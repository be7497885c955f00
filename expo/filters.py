import django_filters

from expo.models import Term, TermKind


class TermFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TermKind.choices)

    class Meta:
        model = Term
        fields = ["kind"]
