from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.models import FeedbackValue, Match, MatchRun


class MatchExhibitorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    booth = serializers.SerializerMethodField()

    def get_booth(self, exhibitor) -> str | None:
        booths = list(exhibitor.booths.all())  # prefetched, ordered by code
        return booths[0].code if booths else None


class MatchSerializer(serializers.ModelSerializer):
    """One recommendation; `reasons` and `feedback` come from the view's context (one query each)."""

    exhibitor = MatchExhibitorSerializer()
    score = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = ["id", "rank", "score", "exhibitor", "reasons", "feedback"]

    def get_score(self, match) -> float:
        return round(match.score, 4)

    def get_reasons(self, match) -> list[str]:
        return self.context.get("reasons", {}).get(match.pk, [])

    def get_feedback(self, match) -> str | None:
        return self.context.get("feedback", {}).get(match.exhibitor_id)


class MatchFeedbackInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=FeedbackValue.choices)


class MatchFeedbackOutputSerializer(serializers.Serializer):
    match = serializers.IntegerField()
    exhibitor = serializers.IntegerField()
    value = serializers.CharField()


class MatchRunStartInputSerializer(serializers.Serializer):
    expo = serializers.SlugField(required=False, help_text="Expo slug; the current expo when omitted.")


class MatchRunSerializer(serializers.ModelSerializer):
    expo = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    served = serializers.SerializerMethodField()
    stale = serializers.BooleanField(
        source="is_stale",
        read_only=True,
        help_text="Pending or running without progress for 10 minutes: its worker was lost; "
        "the periodic check marks it failed.",
    )

    class Meta:
        model = MatchRun
        fields = [
            "id",
            "expo",
            "status",
            "progress",
            "buyers_count",
            "exhibitors_count",
            "matches_count",
            "chunks_total",
            "chunks_done",
            "top_k",
            "engine",
            "timings",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "served",
            "stale",
        ]

    def get_served(self, run) -> bool:
        return run.pk in self.context.get("served_run_ids", ())


class LeadBuyerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.CharField()
    country = serializers.CharField(source="country.code", allow_blank=True)


class LeadMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="meeting_id")
    status = serializers.CharField(source="meeting_status")


class LeadSerializer(serializers.ModelSerializer):
    """One lead: a buyer whose recommendations include the exhibitor, with its score, the rank the
    exhibitor has in the buyer's list, the buyer's feedback and any live meeting."""

    buyer = LeadBuyerSerializer()
    score = serializers.SerializerMethodField()
    feedback = serializers.CharField(allow_null=True)
    meeting = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = ["id", "rank", "score", "buyer", "feedback", "meeting"]

    def get_score(self, match) -> float:
        return round(match.score, 4)

    @extend_schema_field(LeadMeetingSerializer(allow_null=True))
    def get_meeting(self, match) -> dict | None:
        return LeadMeetingSerializer(match).data if match.meeting_id else None
