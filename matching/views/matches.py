"""A buyer's ranked recommendations and feedback on them (API).

Exhibitor staff get 403 from `GET matches/`: buyers' lists are the buyers' own; staff manage their
company's existing customers and policy in the back office.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from expo.models import Buyer
from expo.views.common import EXPO_PARAMETER
from matching.cache import matches_buyer_remember, matches_cached, matches_lookup
from matching.filters import MatchFilter
from matching.models import Match
from matching.selectors import (
    match_buyer_for_user,
    match_list_for_buyer,
    match_run_served,
)
from matching.serializers import (
    MatchFeedbackInputSerializer,
    MatchFeedbackOutputSerializer,
    MatchSerializer,
)
from matching.services.feedback import match_feedback_clear, match_feedback_set
from matching.views.common import match_context, own_served_match

BUYER_PARAMETER = OpenApiParameter("buyer", int, description="Organisers: the buyer whose list to show.")


class _StaleHint(Exception):
    """The remembered buyer of a user was not the database's: answer afresh, store nothing."""


class MatchListApi(ListAPIView):
    """The signed-in buyer's ranked recommendations with reasons (organisers: `?buyer=ID`).

    Answers are cached per buyer (matching/cache.py): a repeated request costs the token's query.
    """

    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Match.objects.none()
        if self.buyer is None:
            self.run = None
            return Match.objects.none()
        self.run = match_run_served(expo=self.expo)
        return match_list_for_buyer(buyer=self.buyer, run=self.run)

    def _who(self, request, lookup) -> tuple[int | None, str, Buyer | None]:
        """(buyer id or None, who asks, the buyer if it was read from the database)."""
        user = request.user
        if user.is_organiser:
            raw = request.query_params.get("buyer", "")
            if not raw:
                raise ValidationError({"buyer": [_("Organisers choose whose list to see: ?buyer=ID.")]})
            if not raw.isdigit():
                raise ValidationError({"buyer": [_("A valid integer is required.")]})
            return int(raw), "organiser", None
        if user.is_exhibitor_staff:
            raise PermissionDenied
        if lookup.hint is not None:
            return lookup.hint or None, f"user:{user.pk}", None
        buyer = match_buyer_for_user(user=user, expo=self.expo)
        matches_buyer_remember(user_id=user.pk, expo_id=self.expo.pk, buyer_id=buyer.pk if buyer else None)
        return (buyer.pk if buyer else None), f"user:{user.pk}", buyer

    def _buyer_checked(self, request, buyer_id: int, known: Buyer | None) -> Buyer:
        """The buyer `buyer_id` read from the database, confirmed visible to this request."""
        if known is not None:
            return known
        if request.user.is_organiser:
            buyer = Buyer.objects.select_related("expo").filter(expo=self.expo, pk=buyer_id).first()
            if buyer is None:
                raise NotFound(_("No buyer with this id at this expo."))
            return buyer
        buyer = match_buyer_for_user(user=request.user, expo=self.expo)
        if buyer is None or buyer.pk != buyer_id:
            raise _StaleHint
        return buyer

    def _list(self, request, buyer: Buyer | None):
        self.buyer = buyer
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), **match_context(self.buyer, self.run, items)}
        data = MatchSerializer(items, many=True, context=context).data
        return self.get_paginated_response(data).data if page is not None else data

    @extend_schema(parameters=[EXPO_PARAMETER, BUYER_PARAMETER])
    def get(self, request, *args, **kwargs):
        slug = request.query_params.get("expo")
        user = request.user
        own = not (user.is_organiser or user.is_exhibitor_staff)
        lookup = matches_lookup(slug=slug, user_id=user.pk if own else None)
        self.expo = lookup.expo
        if self.expo is None:
            raise NotFound(_("No such expo.") if slug else _("No expo is current."))
        buyer_id, viewer, known = self._who(request, lookup)
        if buyer_id is None:
            return Response(self._list(request, None))
        try:
            data, _cached = matches_cached(
                request,
                lookup=lookup,
                buyer_id=buyer_id,
                viewer=viewer,
                build=lambda: self._list(request, self._buyer_checked(request, buyer_id, known)),
            )
        except _StaleHint:  # the profile changed hands or went: ask the database afresh
            buyer = match_buyer_for_user(user=user, expo=self.expo)
            matches_buyer_remember(
                user_id=user.pk, expo_id=self.expo.pk, buyer_id=buyer.pk if buyer else None
            )
            data = self._list(request, buyer)
        return Response(data)


class MatchFeedbackApi(APIView):
    """The buyer's verdict on one recommendation; "not_interested" removes it from the list at once.

    DELETE takes the verdict back (204), for a recommendation still in the list.
    """

    @extend_schema(request=MatchFeedbackInputSerializer, responses=MatchFeedbackOutputSerializer)
    def post(self, request, pk: int):
        if not request.user.is_buyer:
            raise PermissionDenied
        data = MatchFeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = own_served_match(user=request.user, pk=pk)
        if match is None:
            raise NotFound(_("No such recommendation in your current list."))
        feedback = match_feedback_set(match=match, value=data.validated_data["value"])
        body = {"match": match.pk, "exhibitor": match.exhibitor_id, "value": feedback.value}
        return Response(MatchFeedbackOutputSerializer(body).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Take back the feedback on a recommendation still in the list (an "interested")."""
        if not request.user.is_buyer:
            raise PermissionDenied
        match = own_served_match(user=request.user, pk=pk)
        if match is None:
            raise NotFound(_("No such recommendation in your current list."))
        match_feedback_clear(buyer=match.buyer, exhibitor_id=match.exhibitor_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
