"""The taxonomy API."""

from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from expo.filters import TermFilter
from expo.selectors import (
    term_list,
)
from expo.serializers import (
    TermSerializer,
)


class TaxonomyListApi(ListAPIView):
    """The whole bilingual taxonomy (about 140 terms), unpaginated; `?kind=` narrows it."""

    permission_classes = [AllowAny]
    serializer_class = TermSerializer
    filterset_class = TermFilter
    pagination_class = None

    def get_queryset(self):
        return term_list()
