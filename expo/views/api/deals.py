"""Deals API: intended deals (`deals/`), sample requests (`samples/`) and post-meeting feedback.

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
from expo.models import (
    Buyer,
    Deal,
    DealStage,
    Exhibitor,
    Expo,
    Interest,
    MeetingFeedback,
    SampleRequest,
    SampleStatus,
)
from expo.selectors import (
    buyer_for_user,
    deal_get_for_user,
    deal_list_for_user,
    exhibitor_for_user,
    meeting_for_user,
    sample_list_for_user,
)
from expo.services.deals import (
    DEAL_EDITABLE_FIELDS,
    deal_create,
    deal_update,
    meeting_feedback_set,
    sample_request_create,
    sample_request_update,
)
from expo.views.common import EXPO_PARAMETER, expo_from_request


class DealInputSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(
        required=False, help_text="Buyer id; buyers may omit it (their own profile at the expo)."
    )
    exhibitor = serializers.IntegerField(
        required=False, help_text="Exhibitor id; exhibitor staff may omit it (their own company)."
    )
    meeting = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The meeting the deal came from (accepted or checked in); its buyer and exhibitor by default.",
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
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
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
        meeting_id = values.pop("meeting", None)
        if meeting_id is not None:
            meeting = meeting_for_user(user=user, pk=meeting_id)
            if meeting is None or meeting.expo_id != expo.pk:
                raise ValidationError({"meeting": [_("No such meeting at this expo.")]})
            values["meeting"] = meeting
            buyer_id = meeting.buyer_id if buyer_id is None else buyer_id
            exhibitor_id = meeting.exhibitor_id if exhibitor_id is None else exhibitor_id
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


# --- Sample requests ---------------------------------------------------------------------------


class SampleInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="An accepted or checked-in meeting of yours.")
    fabric = serializers.SlugField(help_text="A fabric term's slug.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=10_000, default=1, help_text="Swatches or hangers."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SampleUpdateInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SampleStatus.choices, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    buyer = serializers.IntegerField(source="meeting.buyer_id")
    exhibitor = serializers.IntegerField(source="meeting.exhibitor_id")
    fabric = serializers.CharField(source="fabric.slug")
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SampleStatus.choices)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SampleListApi(ListAPIView):
    """Sample requests the signed-in user may see at the current expo (or `?expo=`); POST logs one."""

    serializer_class = SampleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SampleRequest.objects.none()
        samples = sample_list_for_user(user=self.request.user, expo=expo_from_request(self.request))
        status_ = self.request.query_params.get("status")
        return samples.filter(status=status_) if status_ in SampleStatus.values else samples

    @extend_schema(parameters=[EXPO_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SampleInputSerializer, responses={201: SampleSerializer})
    def post(self, request):
        data = SampleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = meeting_for_user(user=request.user, pk=values.pop("meeting"))
        if meeting is None:
            raise ValidationError({"meeting": [_("No such meeting of yours.")]})
        with _denials_explained():
            sample = sample_request_create(user=request.user, meeting=meeting, **values)
        return Response(SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleDetailApi(APIView):
    """One sample request; PATCH moves it forward (requested → sent → received) or changes it."""

    def _sample(self, request, pk: int) -> SampleRequest:
        sample = sample_list_for_user(user=request.user, expo=None).filter(pk=pk).first()
        if sample is None:
            raise NotFound(_("No such sample request."))
        return sample

    @extend_schema(responses=SampleSerializer)
    def get(self, request, pk: int):
        return Response(SampleSerializer(self._sample(request, pk)).data)

    @extend_schema(request=SampleUpdateInputSerializer, responses=SampleSerializer)
    def patch(self, request, pk: int):
        sample = self._sample(request, pk)
        data = SampleUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with _denials_explained():
            sample = sample_request_update(user=request.user, sample=sample, data=data.validated_data)
        return Response(SampleSerializer(sample).data)


# --- Post-meeting feedback ---------------------------------------------------------------------


class FeedbackInputSerializer(serializers.Serializer):
    took_place = serializers.BooleanField()
    interest = serializers.ChoiceField(choices=Interest.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class FeedbackSerializer(serializers.Serializer):
    side = serializers.CharField()
    took_place = serializers.BooleanField()
    interest = serializers.CharField()
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class MeetingFeedbackApi(APIView):
    """Both sides' feedback on a meeting (GET); PUT sets the signed-in side's own."""

    def _meeting(self, request, pk: int):
        meeting = meeting_for_user(user=request.user, pk=pk)
        if meeting is None:
            raise NotFound(_("No such meeting."))
        return meeting

    @extend_schema(responses=FeedbackSerializer(many=True))
    def get(self, request, pk: int):
        meeting = self._meeting(request, pk)
        feedback = MeetingFeedback.objects.filter(meeting=meeting).order_by("side")
        return Response(FeedbackSerializer(feedback, many=True).data)

    @extend_schema(request=FeedbackInputSerializer, responses=FeedbackSerializer)
    def put(self, request, pk: int):
        meeting = self._meeting(request, pk)
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _denials_explained():
            feedback = meeting_feedback_set(user=request.user, meeting=meeting, **data.validated_data)
        return Response(FeedbackSerializer(feedback).data)
