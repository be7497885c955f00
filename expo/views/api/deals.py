"""Deals API: log intended deals (`POST deals/`), list them (`GET deals/`), change one (`PATCH deals/{id}/`).

Buyers see and log their own deals, exhibitor staff their company's, organisers every deal of
the expo. Amounts are decimal strings; `amount_cny` is the amount converted at `rate`, exact to
the fen (half-up), as stored when the deal was logged.
"""

from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from expo.filters import DealFilter
from expo.models import Buyer, Deal, DealStage, Exhibitor, Expo
from expo.selectors import buyer_for_user, deal_get_for_user, deal_list_for_user, exhibitor_for_user
from expo.services.deals import DEAL_EDITABLE_FIELDS, deal_create, deal_update
from expo.views.common import EXPO_PARAMETER, expo_from_request


class DealInputSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(
        required=False, help_text="Buyer id; buyers may omit it (their own profile at the expo)."
    )
    exhibitor = serializers.IntegerField(
        required=False, help_text="Exhibitor id; exhibitor staff may omit it (their own company)."
    )
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text="ISO 4217 code, e.g. USD or CNY.")
    quantity_m = serializers.IntegerField(
        min_value=1, max_value=2_147_483_647, required=False, allow_null=True
    )
    category = serializers.SlugField(help_text="A fabric term's slug (GET taxonomy/?kind=fabric).")
    stage = serializers.ChoiceField(choices=DealStage.choices, default=DealStage.INTENDED)
    date = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today in the expo's time zone."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class DealUpdateInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    quantity_m = serializers.IntegerField(
        min_value=1, max_value=2_147_483_647, required=False, allow_null=True
    )
    category = serializers.SlugField(required=False)
    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)
    date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class DealPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    buyer = serializers.SerializerMethodField()
    exhibitor = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    rate = serializers.DecimalField(max_digits=18, decimal_places=8, help_text="CNY per unit of `currency`.")
    amount_cny = serializers.CharField(help_text="The amount in CNY, exact to the fen (decimal string).")
    quantity_m = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(source="category.slug", help_text="The fabric term's slug.")
    stage = serializers.ChoiceField(choices=DealStage.choices)
    date = serializers.DateField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(DealPartySerializer)
    def get_buyer(self, deal: Deal) -> dict:
        return {"id": deal.buyer_id, "name": str(deal.buyer.company or "")}

    @extend_schema_field(DealPartySerializer)
    def get_exhibitor(self, deal: Deal) -> dict:
        return {"id": deal.exhibitor_id, "name": deal.exhibitor.display_name}


@contextmanager
def _denials_explained():
    """The service's reason for a refusal becomes the 403's `detail`."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


def _side(model, pk: int | None, expo: Expo, field: str):
    obj = model.objects.filter(expo=expo, pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationError(
            {field: [_("No such %(what)s at this expo.") % {"what": model._meta.verbose_name}]}
        )
    return obj


class DealListApi(ListAPIView):
    """The deals the signed-in user may see at the current expo (or `?expo=`); POST logs a new one."""

    serializer_class = DealSerializer
    filterset_class = DealFilter

    @cached_property
    def expo(self) -> Expo:
        return expo_from_request(self.request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deal.objects.none()
        return deal_list_for_user(user=self.request.user, expo=self.expo)

    @extend_schema(parameters=[EXPO_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(parameters=[EXPO_PARAMETER], request=DealInputSerializer, responses={201: DealSerializer})
    def post(self, request):
        data = DealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user, expo = request.user, self.expo
        buyer_id, exhibitor_id = values.pop("buyer", None), values.pop("exhibitor", None)
        if buyer_id is None and user.is_buyer:
            own = buyer_for_user(user=user, expo=expo)
            buyer_id = own.pk if own else None
        if exhibitor_id is None and user.is_exhibitor_staff:
            own = exhibitor_for_user(user=user)
            exhibitor_id = own.pk if own else None
        errors = {}
        for field, model, pk in (("buyer", Buyer, buyer_id), ("exhibitor", Exhibitor, exhibitor_id)):
            try:
                values[field] = _side(model, pk, expo, field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        with _denials_explained():
            deal = deal_create(user=user, expo=expo, **values)
        deal = deal_get_for_user(user=user, pk=deal.pk) or deal
        return Response(DealSerializer(deal).data, status=status.HTTP_201_CREATED)


class DealDetailApi(APIView):
    """One deal; PATCH changes any of its editable fields (both sides and organisers), keeping history."""

    def _deal(self, request, pk: int) -> Deal:
        deal = deal_get_for_user(user=request.user, pk=pk)
        if deal is None:
            raise NotFound(_("No such deal."))
        return deal

    @extend_schema(responses=DealSerializer)
    def get(self, request, pk: int):
        return Response(DealSerializer(self._deal(request, pk)).data)

    @extend_schema(request=DealUpdateInputSerializer, responses=DealSerializer)
    def patch(self, request, pk: int):
        deal = self._deal(request, pk)
        fixed = sorted(set(request.data) - set(DEAL_EDITABLE_FIELDS)) if hasattr(request.data, "keys") else []
        if fixed:
            raise ValidationError({name: [_("This field cannot be changed.")] for name in fixed})
        data = DealUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with _denials_explained():
            deal = deal_update(user=request.user, deal=deal, data=data.validated_data)
        return Response(DealSerializer(deal_get_for_user(user=request.user, pk=deal.pk)).data)
