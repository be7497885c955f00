from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import flatten_choices_dict, to_choices_dict

from expo.models import BUYER_FACETS, Booth, Buyer, Exhibitor, Term, TermKind
from expo.provinces import province_name
from expo.selectors import buyer_meeting_request_allowance


class LazyCountryField(CountryField):
    """django-countries' serializer field, without building its choices each time a serializer is
    made: that translates and sorts 250 country names, twice a profile save (input and output),
    about 40 ms under load. Validation and output never use them (they look codes and names up in
    `countries`); the schema and the browsable API still get them, built when first asked for."""

    def _set_choices(self, choices):
        self.__dict__["_lazy_choices"] = choices
        self.__dict__.pop("_expanded", None)

    def _expanded_choices(self) -> dict:
        if "_expanded" not in self.__dict__:
            grouped = to_choices_dict(self.__dict__["_lazy_choices"])
            flat = flatten_choices_dict(grouped)
            self.__dict__["_expanded"] = {
                "grouped": grouped,
                "flat": flat,
                "strings": {str(key): key for key in flat},
            }
        return self.__dict__["_expanded"]

    choices = property(lambda self: self._expanded_choices()["flat"], _set_choices)
    grouped_choices = property(lambda self: self._expanded_choices()["grouped"])
    choice_strings_to_values = property(lambda self: self._expanded_choices()["strings"])


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["kind", "slug", "name_en", "name_zh", "parent"]

    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)


class TermSlugsField(serializers.ListField):
    """A list of taxonomy slugs of one kind, in and out; unknown slugs are named in the error."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("child", serializers.SlugField(max_length=60))
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [term.slug for term in data.all()]

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list):  # also "a,b" items, as a form post sends them
            data = [part for item in data for part in (item.split(",") if isinstance(item, str) else [item])]
            data = [part for part in data if not isinstance(part, str) or part.strip()]
        slugs = list(dict.fromkeys(s.strip() for s in super().to_internal_value(data)))
        terms = {t.slug: t for t in Term.objects.filter(kind=self.kind, slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in terms]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown %(kind)s: %(slugs)s.")
                % {"kind": TermKind(self.kind).label.lower(), "slugs": ", ".join(unknown)}
            )
        return [terms[slug] for slug in slugs]


class BuyerProfileSerializer(serializers.Serializer):
    """The buyer's own sourcing profile (`buyers/me/`): validates input and renders output."""

    id = serializers.IntegerField(read_only=True)
    expo = serializers.CharField(source="expo.slug", read_only=True)
    company = serializers.CharField(max_length=200, allow_blank=True)
    country = LazyCountryField(allow_blank=True)
    fabrics = TermSlugsField(BUYER_FACETS["fabrics"])
    processes = TermSlugsField(BUYER_FACETS["processes"])
    fibres = TermSlugsField(BUYER_FACETS["fibres"])
    end_uses = TermSlugsField(BUYER_FACETS["end_uses"])
    certifications_required = TermSlugsField(BUYER_FACETS["certifications_required"])
    order_quantity_m = serializers.IntegerField(min_value=1, max_value=2_147_483_647, allow_null=True)
    price_min_cny = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), allow_null=True, coerce_to_string=True
    )
    price_max_cny = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), allow_null=True, coerce_to_string=True
    )
    lead_time_days = serializers.IntegerField(min_value=0, max_value=32767, allow_null=True)
    verified = serializers.BooleanField(read_only=True)
    meeting_requests_left = serializers.SerializerMethodField()

    def get_meeting_requests_left(self, buyer: Buyer) -> int | None:
        """Null when the buyer is verified (no limit)."""
        return buyer_meeting_request_allowance(buyer=buyer)

    def validate(self, attrs):
        low = attrs.get("price_min_cny", getattr(self.instance, "price_min_cny", None))
        high = attrs.get("price_max_cny", getattr(self.instance, "price_max_cny", None))
        if low is not None and high is not None and low > high:
            # Name the bound the client is changing: a PATCH of the minimum alone blames the minimum.
            if "price_max_cny" not in attrs:
                raise serializers.ValidationError(
                    {"price_min_cny": _("The minimum price cannot exceed the maximum price.")}
                )
            raise serializers.ValidationError(
                {"price_max_cny": _("The maximum price cannot be below the minimum price.")}
            )
        return attrs


class BoothSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    hall_name_en = serializers.CharField(source="hall.name_en")
    hall_name_zh = serializers.CharField(source="hall.name_zh")

    class Meta:
        model = Booth
        fields = ["code", "hall", "hall_name_en", "hall_name_zh"]


@extend_schema_field({"type": "string", "example": "CN", "description": "ISO 3166-1 alpha-2 code, or empty."})
class CountryCodeField(serializers.Field):
    """A country as its code, read only.

    The model serializer's default (a choice field over every country) builds and translates the
    list of 250 country names each time a serializer is made, which was most of a directory page's
    time; the output, the code, is the same.
    """

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return str(value or "")


class ExhibitorListSerializer(serializers.ModelSerializer):
    """A directory row. `booth` and `hall` are the first booth's (most exhibitors have one).

    `province` is the English name of the Chinese province (or, outside China, the region as
    given), `province_zh` its Chinese name and `province_code` its code (ISO 3166-2:CN, no prefix).
    """

    province = serializers.SerializerMethodField()
    province_zh = serializers.SerializerMethodField()
    province_code = serializers.CharField(source="province", read_only=True)
    country = CountryCodeField()
    booth = serializers.SerializerMethodField()
    hall = serializers.SerializerMethodField()
    booths = BoothSerializer(many=True, read_only=True)
    fabrics = TermSlugsField(TermKind.FABRIC, read_only=True)
    processes = TermSlugsField(TermKind.PROCESS, read_only=True)
    fibres = TermSlugsField(TermKind.FIBRE, read_only=True)
    end_uses = TermSlugsField(TermKind.END_USE, read_only=True)
    certifications = TermSlugsField(TermKind.CERTIFICATION, read_only=True)

    class Meta:
        model = Exhibitor
        fields = [
            "id",
            "name_en",
            "name_zh",
            "country",
            "province",
            "province_zh",
            "province_code",
            "booth",
            "hall",
            "booths",
            "fabrics",
            "processes",
            "fibres",
            "end_uses",
            "certifications",
            "moq_m",
            "capacity_m_month",
            "price_min_cny",
            "price_max_cny",
            "lead_time_days",
        ]

    def get_province(self, exhibitor: Exhibitor) -> str:
        return province_name(exhibitor.province, "en") if exhibitor.province else exhibitor.region

    def get_province_zh(self, exhibitor: Exhibitor) -> str:
        return province_name(exhibitor.province, "zh-hans")

    def _first_booth(self, exhibitor: Exhibitor) -> Booth | None:
        booths = exhibitor.booths.all()  # prefetched, ordered by code
        return booths[0] if booths else None

    def get_booth(self, exhibitor: Exhibitor) -> str | None:
        booth = self._first_booth(exhibitor)
        return booth.code if booth else None

    def get_hall(self, exhibitor: Exhibitor) -> str | None:
        booth = self._first_booth(exhibitor)
        return booth.hall.code if booth else None


class ExhibitorDetailSerializer(ExhibitorListSerializer):
    """One exhibitor; contact details only for signed-in users (the view decides).

    `description` is the one in the request's language, or the other when that one is empty.
    """

    description = serializers.CharField(read_only=True)

    class Meta(ExhibitorListSerializer.Meta):
        fields = [
            *ExhibitorListSerializer.Meta.fields,
            "description",
            "description_en",
            "description_zh",
            "website",
        ]


class ExhibitorContactSerializer(ExhibitorDetailSerializer):
    class Meta(ExhibitorDetailSerializer.Meta):
        fields = [*ExhibitorDetailSerializer.Meta.fields, "contact_email", "contact_phone"]
