"""Profiles API: buyer registration and sourcing profile, the exhibitor directory."""

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsBuyer
from accounts.ratelimits import REGISTER_PER_ADDRESS, rate_limit_hit
from accounts.serializers import RegisterInputSerializer, RegisterOutputSerializer
from accounts.throttles import client_address
from accounts.views import RateLimited
from expo.cache import directory_cached
from expo.filters import ExhibitorFilter
from expo.models import Buyer, Exhibitor, Expo
from expo.selectors import (
    buyer_for_user,
    exhibitor_contacts_visible,
    exhibitor_get,
    exhibitor_list,
    expo_current,
)
from expo.serializers import (
    BuyerProfileSerializer,
    ExhibitorContactSerializer,
    ExhibitorDetailSerializer,
    ExhibitorListSerializer,
)
from expo.services.profiles import (
    buyer_profile_new,
    buyer_profile_update,
    buyer_register,
)
from expo.views.common import EXPO_PARAMETER, expo_from_request


class BuyerRegisterApi(APIView):
    """Create a buyer account and its profile at the current expo; returns an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer})
    def post(self, request):
        if rate_limit_hit(REGISTER_PER_ADDRESS, client_address(request)):
            raise RateLimited(limit=REGISTER_PER_ADDRESS)
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {"preferred_language": get_language(), **data.validated_data}  # default: the request's
        user, _buyer = buyer_register(**fields, expo=expo_current(), base_url=request.build_absolute_uri("/"))
        token = Token.objects.create(user=user)
        body = RegisterOutputSerializer({"token": token.key, "user": user}).data
        return Response(body, status=status.HTTP_201_CREATED)


class BuyerMeApi(APIView):
    """The signed-in buyer's sourcing profile at the current expo (or `?expo=`).

    PUT replaces every field, PATCH changes the given ones; either creates the profile if the
    buyer has none at this expo yet.
    """

    permission_classes = [IsBuyer]

    def _buyer(self, request) -> Buyer | None:
        return buyer_for_user(user=request.user, expo=expo_from_request(request))

    @extend_schema(parameters=[EXPO_PARAMETER], responses=BuyerProfileSerializer)
    def get(self, request):
        buyer = self._buyer(request)
        if buyer is None:
            raise NotFound(_("You have no buyer profile at this expo yet; PUT or PATCH creates it."))
        return Response(BuyerProfileSerializer(buyer).data)

    def _write(self, request, *, partial: bool):
        expo = expo_from_request(request)
        buyer = buyer_for_user(user=request.user, expo=expo) or buyer_profile_new(
            user=request.user, expo=expo
        )
        data = BuyerProfileSerializer(buyer if buyer.pk else None, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        buyer = buyer_profile_update(buyer=buyer, data=data.validated_data)
        # The saved instance answers: its facets stay loaded except those just set (read again).
        return Response(BuyerProfileSerializer(buyer).data)

    @extend_schema(
        parameters=[EXPO_PARAMETER], request=BuyerProfileSerializer, responses=BuyerProfileSerializer
    )
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(
        parameters=[EXPO_PARAMETER], request=BuyerProfileSerializer, responses=BuyerProfileSerializer
    )
    def patch(self, request):
        return self._write(request, partial=True)


class ExhibitorListApi(ListAPIView):
    """The exhibitor directory of the current expo (or `?expo=`), open to everyone.

    Facet filters take slugs, repeated (`?fabric=a&fabric=b`) or comma-separated (`?fabric=a,b`):
    any of them within one facet, all facets together. Never carries contact details.
    """

    permission_classes = [AllowAny]
    serializer_class = ExhibitorListSerializer
    filterset_class = ExhibitorFilter

    @cached_property
    def expo(self) -> Expo:
        return expo_from_request(self.request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no expo
            return Exhibitor.objects.none()
        return exhibitor_list(expo=self.expo)

    def filter_queryset(self, queryset):
        filterset = ExhibitorFilter(
            self.request.query_params, queryset=queryset, request=self.request, expo=self.expo
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    @extend_schema(parameters=[EXPO_PARAMETER])
    def get(self, request, *args, **kwargs):
        # Every visitor sees the same page for the same URL and language: cached, versioned.
        data = directory_cached(
            request,
            expo_id=self.expo.pk,
            variant="list",
            build=lambda: super(ExhibitorListApi, self).list(request).data,
        )
        return Response(data)


class ExhibitorDetailApi(RetrieveAPIView):
    """One exhibitor; contact email and phone only for organisers and buyers with a confirmed address."""

    permission_classes = [AllowAny]

    def get_serializer_class(self):
        if exhibitor_contacts_visible(user=self.request.user):
            return ExhibitorContactSerializer
        return ExhibitorDetailSerializer

    @cached_property
    def expo(self) -> Expo:
        return expo_from_request(self.request)

    def get_object(self):
        exhibitor = exhibitor_get(expo=self.expo, pk=self.kwargs["pk"])
        if exhibitor is None:
            raise NotFound(_("No such exhibitor."))
        return exhibitor

    @extend_schema(parameters=[EXPO_PARAMETER], responses=ExhibitorContactSerializer)
    def get(self, request, *args, **kwargs):
        # The answer depends on the visitor only through the serializer chosen (contact details or
        # not), which is part of the key.
        data = directory_cached(
            request,
            expo_id=self.expo.pk,
            variant=f"detail:{self.get_serializer_class().__name__}",
            build=lambda: super(ExhibitorDetailApi, self).get(request, *args, **kwargs).data,
        )
        return Response(data)
