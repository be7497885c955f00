"""Reports API: `GET reports/deal-totals/` for organisers, as JSON, streamed CSV or XLSX.

`format` is our query parameter here (json, csv, xlsx). DRF reserves `?format=` for choosing a
renderer and would answer 404 for `csv`; this view's content negotiation ignores the parameter,
answers errors in JSON and builds the CSV and XLSX responses itself.
"""

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.permissions import IsOrganiser
from expo.models import DealStage
from expo.services.reports import (
    COUNTED_STAGES,
    GROUPINGS,
    TotalsFilter,
    deal_totals_csv,
    deal_totals_json,
    deal_totals_xlsx,
)
from expo.views.common import EXPO_PARAMETER, expo_or_404

FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _SettingsWithoutFormatOverride:
    """DRF's settings, except that `?format=` is not a renderer override."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class FormatIsOursNegotiation(DefaultContentNegotiation):
    settings = _SettingsWithoutFormatOverride()


class StageListField(serializers.Field):
    """Stages from `?stage=a&stage=b` or `?stage=a,b`; withdrawn deals are never counted."""

    def to_internal_value(self, data):
        values = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        for value in values:
            if value == DealStage.WITHDRAWN:
                raise serializers.ValidationError("Withdrawn deals are never counted.")
            if value not in COUNTED_STAGES:
                raise serializers.ValidationError(
                    f"Unknown stage “{value}”: use {', '.join(COUNTED_STAGES)}."
                )
        return tuple(dict.fromkeys(values))


class DealTotalsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=list(GROUPINGS))
    format = serializers.ChoiceField(choices=FORMATS, default="json")
    expo = serializers.CharField(required=False, allow_blank=True)
    stage = StageListField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        low, high = attrs.get("date_from"), attrs.get("date_to")
        if low and high and low > high:
            raise serializers.ValidationError({"date_to": "The end date is before the start date."})
        return attrs


_ROWS = inline_serializer(
    "DealTotalsRow",
    {
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        "total_cny": serializers.CharField(help_text="Decimal string, exact to the fen."),
        "deals": serializers.IntegerField(),
        "metres": serializers.IntegerField(),
        "samples": serializers.IntegerField(
            required=False,
            help_text="Sample requests logged at the group's meetings (by fabric for `category`); "
            "absent for `deal`.",
        ),
        "meetings": serializers.IntegerField(
            required=False,
            help_text="The group's meetings held (accepted or checked in); absent for `category` and `deal`.",
        ),
    },
    many=True,
)
_TOTALS = inline_serializer(
    "DealTotals",
    {
        "group_by": serializers.ChoiceField(choices=list(GROUPINGS)),
        "grand_total_cny": serializers.CharField(help_text="Decimal string: the exact sum of the rows."),
        "deals": serializers.IntegerField(),
        "metres": serializers.IntegerField(),
        "samples": serializers.IntegerField(required=False, help_text="The sum of the rows' `samples`."),
        "meetings": serializers.IntegerField(required=False, help_text="The sum of the rows' `meetings`."),
        "rows": _ROWS,
    },
)


class DealTotalsApi(APIView):
    """Intended deals summed by exhibitor, buyer, fabric, buyer country or day (organisers only).

    Withdrawn deals never count. Money is a decimal string of CNY, exact to the fen; the rows
    add up to `grand_total_cny`. Rows also count the group's sample requests and meetings held
    (`samples`, `meetings`; `category` rows have no `meetings`, `deal` rows neither).
    `format=csv` streams UTF-8 with a byte-order mark, `format=xlsx` returns a workbook; both carry
    the JSON's columns and a last "Total" row.
    """

    permission_classes = [IsOrganiser]
    content_negotiation_class = FormatIsOursNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=list(GROUPINGS), required=True),
            OpenApiParameter("format", str, enum=FORMATS, description="json (default), csv or xlsx"),
            OpenApiParameter(
                "stage", str, many=True, enum=COUNTED_STAGES, description="Default: all but withdrawn."
            ),
            OpenApiParameter(
                "date_from", OpenApiTypes.DATE, description="First day (expo time zone), inclusive."
            ),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="Last day (expo time zone), inclusive."
            ),
            EXPO_PARAMETER,
        ],
        responses={
            200: OpenApiResponse(_TOTALS, description="JSON; text/csv or XLSX with `format`."),
        },
    )
    def get(self, request):
        params = {key: request.query_params.get(key) for key in request.query_params if key != "stage"}
        if "stage" in request.query_params:
            params["stage"] = request.query_params.getlist("stage")
        query = DealTotalsQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        expo = expo_or_404(data.get("expo"))
        spec = TotalsFilter(
            expo=expo,
            group_by=data["group_by"],
            stages=data.get("stage", ()),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        filename = f"deal-totals-{expo.slug}-{spec.group_by}"
        language = translation.get_language() or "en"
        if data["format"] == "csv":
            response = StreamingHttpResponse(
                deal_totals_csv(spec, language=language), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if data["format"] == "xlsx":
            output = deal_totals_xlsx(spec, language=language)
            return FileResponse(
                output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
            )
        return Response(deal_totals_json(spec))
