"""Meetings API: input serializers that only validate, output serializers that nest what a person reads."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from expo.models import Meeting, Slot
from expo.views.common import parse_day


class SlotSerializer(serializers.ModelSerializer):
    """A slot; `start` and `end` in the expo's time zone, with their offset."""

    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    class Meta:
        model = Slot
        fields = ["id", "start", "end"]

    def _local(self, slot: Slot, value) -> str:
        tz = self.context.get("tz") or slot.expo.tzinfo
        return value.astimezone(tz).isoformat()

    def get_start(self, slot: Slot) -> str:
        return self._local(slot, slot.start)

    def get_end(self, slot: Slot) -> str:
        return self._local(slot, slot.end)


class FreeSlotSerializer(SlotSerializer):
    free_tables = serializers.IntegerField(read_only=True)

    class Meta(SlotSerializer.Meta):
        fields = [*SlotSerializer.Meta.fields, "free_tables"]


class MeetingExhibitorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    booth = serializers.SerializerMethodField()

    def get_booth(self, exhibitor) -> str | None:
        booths = exhibitor.booths.all()  # prefetched, ordered by code
        return booths[0].code if booths else None


class MeetingBuyerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.CharField()


class MeetingTableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.SerializerMethodField()
    booth = serializers.CharField(source="booth.code")
    hall = serializers.CharField(source="booth.hall.code")
    lounge = serializers.BooleanField(source="booth.is_lounge")

    def get_label(self, table) -> str:
        return str(table)


class MeetingOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class MeetingSerializer(serializers.ModelSerializer):
    slot = SlotSerializer()
    exhibitor = MeetingExhibitorSerializer()
    buyer = MeetingBuyerSerializer()
    table = MeetingTableSerializer()
    owner = MeetingOwnerSerializer(allow_null=True)
    check_in_code = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "status",
            "requested_by",
            "slot",
            "exhibitor",
            "buyer",
            "table",
            "owner",
            "expires_at",
            "decline_reason",
            "no_show_side",
            "checked_in_at",
            "check_in_code",
        ]

    def get_check_in_code(self, meeting: Meeting) -> str | None:
        """The code the buyer's QR carries: only the buyer sees it (staff scan it)."""
        request = self.context.get("request")
        if request is not None and meeting.buyer.user_id == request.user.pk:
            return meeting.check_in_code
        return None


class MeetingBookInputSerializer(serializers.Serializer):
    """A buyer gives `exhibitor`, exhibitor staff give `buyer`; both give `slot` (ids)."""

    exhibitor = serializers.IntegerField(min_value=1, required=False)
    buyer = serializers.IntegerField(min_value=1, required=False)
    slot = serializers.IntegerField(min_value=1)


class MeetingReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MeetingRescheduleInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)


class MeetingCheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The code of the buyer's QR."),
    )


class MeetingOwnerInputSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, help_text=_("A user id among the exhibitor's staff."))


class DayField(serializers.DateField):
    """A `YYYY-MM-DD` day whose error says whether the text is no date at all or a day that does
    not exist (2027-02-30), rather than calling both a wrong format."""

    def to_internal_value(self, value):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        try:
            return parse_day(str(value))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None


class FreeSlotsQuerySerializer(serializers.Serializer):
    date = DayField(required=False, help_text=_("A day in the expo's time zone (YYYY-MM-DD)."))
