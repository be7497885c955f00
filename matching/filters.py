import django_filters

from matching.models import Match, MatchRun, RunStatus


class MatchFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = Match
        fields = ["min_score"]


class MatchRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = MatchRun
        fields = ["status"]
