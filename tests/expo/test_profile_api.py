from decimal import Decimal

import pytest

from expo.models import Buyer
from expo.selectors import buyer_meeting_request_allowance
from expo.signals import buyer_profile_changed
from tests.factories.accounts import UserFactory
from tests.factories.expo import BuyerFactory, ExpoFactory, term

pytestmark = pytest.mark.django_db

URL = "/api/v1/buyers/me/"


@pytest.fixture
def buyer(expo, buyer_user):
    buyer = BuyerFactory(expo=expo, user=buyer_user, company="Moda Lisboa", country="PT")
    buyer.fabrics.set([term("fabric", "chiffon")])
    return buyer


def full_body(**overrides):
    data = {
        "company": "Moda Lisboa",
        "country": "PT",
        "fabrics": ["chiffon", "satin"],
        "processes": ["digital-printing"],
        "fibres": ["recycled-polyester"],
        "end_uses": ["womens-wear"],
        "certifications_required": ["grs"],
        "order_quantity_m": 3000,
        "price_min_cny": "12.50",
        "price_max_cny": "20.00",
        "lead_time_days": 25,
    }
    data.update(overrides)
    return data


@pytest.fixture
def record_signals():
    received = []

    def receiver(sender, buyer, **kwargs):
        received.append((sender, buyer.pk))

    buyer_profile_changed.connect(receiver)
    yield received
    buyer_profile_changed.disconnect(receiver)


def test_profile_get_returns_own_profile(client_for, buyer, expo):
    response = client_for(buyer.user).get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": buyer.pk,
        "expo": expo.slug,
        "company": "Moda Lisboa",
        "country": "PT",
        "fabrics": ["chiffon"],
        "processes": [],
        "fibres": [],
        "end_uses": [],
        "certifications_required": [],
        "order_quantity_m": 5000,
        "price_min_cny": "9.00",
        "price_max_cny": "14.00",
        "lead_time_days": 30,
        "verified": False,
        "meeting_requests_left": 5,
    }


def test_profile_never_shows_another_buyers_profile(client_for, buyer, expo):
    other = UserFactory()
    BuyerFactory(expo=expo, user=other, company="Other Co")

    response = client_for(other).get(URL)

    assert response.json()["company"] == "Other Co"
    assert response.json()["id"] != buyer.pk


def test_profile_get_without_profile_is_404_with_hint(client_for, expo, buyer_user):
    response = client_for(buyer_user).get(URL)

    assert response.status_code == 404
    assert response.json() == {
        "detail": "You have no buyer profile at this expo yet; PUT or PATCH creates it."
    }


def test_profile_get_without_current_expo_is_404(client_for, buyer_user):
    response = client_for(buyer_user).get(URL)

    assert response.status_code == 404
    assert response.json() == {"detail": "No expo is current."}


def test_profile_expo_parameter_selects_another_edition(client_for, buyer, buyer_user):
    older = ExpoFactory(slug="shengze-2026")
    BuyerFactory(expo=older, user=buyer_user, company="Moda Lisboa 2026")

    response = client_for(buyer_user).get(URL, {"expo": "shengze-2026"})

    assert response.json()["company"] == "Moda Lisboa 2026"
    assert response.json()["expo"] == "shengze-2026"


def test_profile_unknown_expo_is_404(client_for, buyer):
    response = client_for(buyer.user).get(URL, {"expo": "nope"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No such expo."}


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_profile_anonymous_is_refused(api_client, expo, method):
    response = getattr(api_client, method)(URL, {}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("role", ["exhibitor_staff", "organiser"])
@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_profile_non_buyers_are_forbidden(client_for, expo, exhibitor_staff, organiser, role, method):
    user = exhibitor_staff if role == "exhibitor_staff" else organiser

    response = getattr(client_for(user), method)(URL, full_body(), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only buyers may do this."}
    assert Buyer.objects.count() == 0


def test_profile_put_replaces_everything(client_for, buyer, record_signals):
    response = client_for(buyer.user).put(URL, full_body(), format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["fabrics"] == ["chiffon", "satin"]
    assert body["processes"] == ["digital-printing"]
    assert body["fibres"] == ["recycled-polyester"]
    assert body["end_uses"] == ["womens-wear"]
    assert body["certifications_required"] == ["grs"]
    assert (
        body["order_quantity_m"],
        body["price_min_cny"],
        body["price_max_cny"],
        body["lead_time_days"],
    ) == (
        3000,
        "12.50",
        "20.00",
        25,
    )
    buyer.refresh_from_db()
    assert buyer.price_min_cny == Decimal("12.50")
    assert sorted(buyer.fabrics.values_list("slug", flat=True)) == ["chiffon", "satin"]
    assert record_signals == [(Buyer, buyer.pk)]


def test_profile_put_requires_every_field(client_for, buyer):
    body = full_body()
    del body["fibres"]

    response = client_for(buyer.user).put(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "fibres: This field is required.",
        "fibres": ["This field is required."],
    }


def test_profile_put_accepts_nulls_and_empty_lists(client_for, buyer):
    body = full_body(
        fabrics=[], order_quantity_m=None, price_min_cny=None, price_max_cny=None, lead_time_days=None
    )

    response = client_for(buyer.user).put(URL, body, format="json")

    assert response.status_code == 200
    buyer.refresh_from_db()
    assert list(buyer.fabrics.all()) == []
    assert (buyer.order_quantity_m, buyer.price_min_cny, buyer.lead_time_days) == (None, None, None)


def test_profile_patch_changes_only_given_fields(client_for, buyer, record_signals):
    response = client_for(buyer.user).patch(URL, {"processes": ["dyeing", "coating"]}, format="json")

    assert response.status_code == 200
    assert response.json()["fabrics"] == ["chiffon"]
    assert response.json()["processes"] == ["dyeing", "coating"]
    assert response.json()["order_quantity_m"] == 5000
    assert record_signals == [(Buyer, buyer.pk)]


def test_profile_patch_creates_missing_profile_at_current_expo(client_for, expo):
    user = UserFactory(company="Nord Tex", country="SE")

    response = client_for(user).patch(URL, {"fabrics": ["jersey"]}, format="json")

    assert response.status_code == 200
    buyer = Buyer.objects.get(user=user)
    assert (buyer.expo, buyer.company, buyer.country.code) == (expo, "Nord Tex", "SE")
    assert response.json()["fabrics"] == ["jersey"]


def test_profile_buyer_cannot_set_verified(client_for, buyer):
    response = client_for(buyer.user).patch(URL, {"verified": True}, format="json")

    assert response.status_code == 200
    buyer.refresh_from_db()
    assert buyer.verified is False


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"fabrics": ["chiffon", "velour-x"]}, "fabrics", "Unknown fabric: velour-x."),
        ({"fabrics": ["dyeing"]}, "fabrics", "Unknown fabric: dyeing."),
        ({"processes": ["chiffon"]}, "processes", "Unknown process: chiffon."),
        ({"fibres": ["nope"]}, "fibres", "Unknown fibre: nope."),
        ({"end_uses": ["nope"]}, "end_uses", "Unknown end use: nope."),
        ({"certifications_required": ["iso-1"]}, "certifications_required", "Unknown certification: iso-1."),
        ({"fabrics": {"a": 1}}, "fabrics", 'Expected a list of items but got type "dict".'),
        ({"fabrics": ["Not A Slug!"]}, "fabrics", None),
        (
            {"price_min_cny": "30.00", "price_max_cny": "20.00"},
            "price_max_cny",
            "The maximum price cannot be below the minimum price.",
        ),
        ({"price_min_cny": "15.00"}, "price_min_cny", "The minimum price cannot exceed the maximum price."),
        ({"order_quantity_m": 0}, "order_quantity_m", "Ensure this value is greater than or equal to 1."),
        ({"order_quantity_m": -5}, "order_quantity_m", "Ensure this value is greater than or equal to 1."),
        ({"order_quantity_m": "lots"}, "order_quantity_m", "A valid integer is required."),
        ({"price_min_cny": "0"}, "price_min_cny", "Ensure this value is greater than or equal to 0.01."),
        ({"price_max_cny": "-1"}, "price_max_cny", "Ensure this value is greater than or equal to 0.01."),
        ({"price_min_cny": "1.234"}, "price_min_cny", "Ensure that there are no more than 2 decimal places."),
        ({"lead_time_days": -1}, "lead_time_days", "Ensure this value is greater than or equal to 0."),
        ({"country": "XX"}, "country", '"XX" is not a valid choice.'),
    ],
)
def test_profile_invalid_input_is_400_naming_the_field(
    client_for, buyer, record_signals, body, field, message
):
    response = client_for(buyer.user).patch(URL, body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert response.json()["detail"].startswith(f"{field}: ")
    assert set(errors) == {"detail", field}
    if message is not None:
        assert message in str(errors[field])
    buyer.refresh_from_db()
    assert list(buyer.fabrics.values_list("slug", flat=True)) == ["chiffon"]
    assert buyer.order_quantity_m == 5000
    assert record_signals == []


def test_profile_accepts_comma_separated_slugs(client_for, buyer):
    response = client_for(buyer.user).patch(URL, {"fabrics": "chiffon,satin"}, format="multipart")

    assert response.status_code == 200
    assert response.json()["fabrics"] == ["chiffon", "satin"]


# --- Verification limit -------------------------------------------------------------------------


def test_allowance_unverified_buyer_gets_the_expo_limit(expo):
    expo.unverified_request_limit = 3
    expo.save()
    buyer = BuyerFactory(expo=expo, verified=False)

    assert buyer_meeting_request_allowance(buyer=buyer) == 3
    assert buyer_meeting_request_allowance(buyer=buyer, active_meetings=2) == 1
    assert buyer_meeting_request_allowance(buyer=buyer, active_meetings=3) == 0
    assert buyer_meeting_request_allowance(buyer=buyer, active_meetings=9) == 0


def test_allowance_verified_buyer_is_unlimited(expo):
    buyer = BuyerFactory(expo=expo, verified=True)

    assert buyer_meeting_request_allowance(buyer=buyer, active_meetings=500) is None


def test_allowance_limit_zero_blocks_unverified_buyers(expo):
    expo.unverified_request_limit = 0
    expo.save()

    assert buyer_meeting_request_allowance(buyer=BuyerFactory(expo=expo)) == 0


def test_allowance_shown_in_profile(client_for, buyer):
    buyer.verified = True
    buyer.save()

    assert client_for(buyer.user).get(URL).json()["meeting_requests_left"] is None
