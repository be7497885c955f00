"""Meetings API: free slots of an exhibitor, booking and invitations, schedules, and every change.

Reads are generic views over selectors; each command is input serializer → one service → the
meeting as `MeetingSerializer` renders it. Services raise `ValidationError` (400 naming the
field), `Conflict` (409) and `PermissionDenied` (403); `config.api` renders them all with `detail`.
"""

from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from expo.filters import MeetingFilter
from expo.models import Buyer, Exhibitor, Expo, Meeting, Slot
from expo.selectors import exhibitor_for_user, exhibitor_free_slots, meeting_list_for_user
from expo.serializers.meetings import (
    FreeSlotSerializer,
    FreeSlotsQuerySerializer,
    MeetingBookInputSerializer,
    MeetingCheckInInputSerializer,
    MeetingOwnerInputSerializer,
    MeetingReasonInputSerializer,
    MeetingRescheduleInputSerializer,
    MeetingSerializer,
)
from expo.services import meetings as services
from expo.views.common import EXPO_PARAMETER, expo_from_request

DATE_PARAMETER = OpenApiParameter("date", str, description="A day in the expo's time zone (YYYY-MM-DD).")


class ExhibitorFreeSlotsApi(ListAPIView):
    """The exhibitor's free slots (open, in the future, available, with a free table), optionally on
    one `date`; times in the expo's time zone with their offset. For a signed-in buyer, without the
    slots where they already have a meeting (they could not book them)."""

    permission_classes = [AllowAny]
    serializer_class = FreeSlotSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Slot.objects.none()
        query = FreeSlotsQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        expo = expo_from_request(self.request)
        exhibitor = Exhibitor.objects.select_related("expo").filter(expo=expo, pk=self.kwargs["pk"]).first()
        if exhibitor is None:
            raise NotFound(_("No such exhibitor."))
        user = self.request.user
        buyer = Buyer.objects.filter(expo=expo, user=user).first() if user.is_authenticated else None
        free = []
        date = query.validated_data.get("date")
        for slot, tables in exhibitor_free_slots(exhibitor=exhibitor, date=date, buyer=buyer):
            slot.free_tables = tables
            free.append(slot)
        self.tz = expo.tzinfo
        return free

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "tz": getattr(self, "tz", None)}

    @extend_schema(parameters=[EXPO_PARAMETER, DATE_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _meeting_response(request, meeting: Meeting, *, code: int = status.HTTP_200_OK) -> Response:
    expo = meeting.expo
    fresh = meeting_list_for_user(user=request.user, expo=expo).get(pk=meeting.pk)
    context = {"request": request, "tz": expo.tzinfo}
    return Response(MeetingSerializer(fresh, context=context).data, status=code)


def _object(queryset, pk, message: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({message[0]: [message[1]]})
    return found


class MeetingListApi(ListAPIView):
    """GET: the signed-in user's meetings (a buyer their own, staff their company's, organisers all),
    filtered by `date` (in the expo's time zone) and `status`.

    POST: book. A buyer gives `exhibitor` and `slot` → 201 `requested` (or `accepted` where the
    exhibitor accepts automatically); exhibitor staff give `buyer` and `slot` (an invitation the
    buyer accepts); organisers give all three. 409 when the buyer or every table is taken or a limit
    is reached; 400 naming `slot` for a closed, past, unavailable or other-expo slot.
    """

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    @cached_property
    def expo(self) -> Expo:
        return expo_from_request(self.request)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["tz"] = self.expo.tzinfo
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return meeting_list_for_user(user=self.request.user, expo=self.expo)

    def filter_queryset(self, queryset):
        filterset = MeetingFilter(
            self.request.query_params, queryset=queryset, request=self.request, expo=self.expo
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    @extend_schema(parameters=[EXPO_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[EXPO_PARAMETER], request=MeetingBookInputSerializer, responses={201: MeetingSerializer}
    )
    def post(self, request):
        data = MeetingBookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expo = self.expo
        user = request.user
        slot = _object(Slot.objects.all(), values["slot"], ("slot", _("No such slot.")))
        if user.is_exhibitor_staff or user.is_organiser:
            if user.is_organiser:
                if "exhibitor" not in values:
                    raise ValidationError({"exhibitor": [_("Organisers name the exhibitor.")]})
                exhibitor = _object(
                    Exhibitor.objects.filter(expo=expo),
                    values["exhibitor"],
                    ("exhibitor", _("No such exhibitor.")),
                )
            else:
                exhibitor = exhibitor_for_user(user=user)
                if exhibitor is None or exhibitor.expo_id != expo.pk:
                    raise PermissionDenied(_("You are not on the staff of an exhibitor at this expo."))
            if "buyer" not in values:
                raise ValidationError({"buyer": [_("Name the buyer to invite.")]})
            buyer = _object(
                Buyer.objects.select_related("expo", "user").filter(expo=expo),
                values["buyer"],
                ("buyer", _("No such buyer.")),
            )
            meeting = services.meeting_invite(exhibitor=exhibitor, buyer=buyer, slot=slot, actor=user)
        else:
            buyer = Buyer.objects.select_related("expo", "user").filter(expo=expo, user=user).first()
            if buyer is None:
                raise PermissionDenied(_("Only buyers with a profile at this expo book meetings."))
            if "exhibitor" not in values:
                raise ValidationError({"exhibitor": [_("Name the exhibitor to meet.")]})
            exhibitor = _object(
                Exhibitor.objects.select_related("expo").filter(expo=expo),
                values["exhibitor"],
                ("exhibitor", _("No such exhibitor.")),
            )
            meeting = services.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=user)
        return _meeting_response(request, meeting, code=status.HTTP_201_CREATED)


class _MeetingCommandApi(APIView):
    """One command on one meeting the user may see (others are a 404)."""

    input_serializer = None

    def meeting(self, request, pk: int) -> Meeting:
        meeting = Meeting.objects.select_related("expo").filter(pk=pk).first()
        if (
            meeting is None
            or not meeting_list_for_user(user=request.user, expo=meeting.expo).filter(pk=pk).exists()
        ):
            raise NotFound(_("No such meeting."))
        return meeting

    def act(self, request, meeting: Meeting, values: dict) -> Meeting:
        raise NotImplementedError

    def post(self, request, pk: int):
        meeting = self.meeting(request, pk)
        values = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        meeting = self.act(request, meeting, values)
        return _meeting_response(request, meeting)


class MeetingAcceptApi(_MeetingCommandApi):
    """The side that did not ask accepts (staff accept a buyer's request, a buyer an invitation)."""

    @extend_schema(request=None, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        return services.meeting_accept(meeting=meeting, actor=request.user)


class MeetingDeclineApi(_MeetingCommandApi):
    input_serializer = MeetingReasonInputSerializer

    @extend_schema(request=MeetingReasonInputSerializer, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        return services.meeting_decline(meeting=meeting, actor=request.user, reason=values["reason"])


class MeetingCancelApi(_MeetingCommandApi):
    input_serializer = MeetingReasonInputSerializer

    @extend_schema(request=MeetingReasonInputSerializer, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        return services.meeting_cancel(meeting=meeting, actor=request.user, reason=values["reason"])


class MeetingRescheduleApi(_MeetingCommandApi):
    input_serializer = MeetingRescheduleInputSerializer

    @extend_schema(request=MeetingRescheduleInputSerializer, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        slot = _object(Slot.objects.all(), values["slot"], ("slot", _("No such slot.")))
        return services.meeting_reschedule(meeting=meeting, slot=slot, actor=request.user)


class MeetingCheckInApi(_MeetingCommandApi):
    """Check the buyer in: the meeting's owner without a code, or any of the exhibitor's staff with
    the code of the buyer's QR (`code`)."""

    input_serializer = MeetingCheckInInputSerializer

    @extend_schema(request=MeetingCheckInInputSerializer, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        return services.meeting_check_in(meeting=meeting, actor=request.user, code=values["code"])


class MeetingNoShowApi(_MeetingCommandApi):
    """The side that waited marks the other absent, after the slot ended."""

    @extend_schema(request=None, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        return services.meeting_no_show(meeting=meeting, actor=request.user)


class MeetingOwnerApi(_MeetingCommandApi):
    """Give the meeting to another of the exhibitor's staff."""

    input_serializer = MeetingOwnerInputSerializer

    @extend_schema(request=MeetingOwnerInputSerializer, responses=MeetingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, meeting, values):
        owner = _object(get_user_model().objects.all(), values["owner"], ("owner", _("No such user.")))
        return services.meeting_owner_set(meeting=meeting, owner=owner, actor=request.user)
