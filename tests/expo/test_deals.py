import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from expo.models import Deal, DealChange, DealStage
from expo.services.deals import deal_update
from expo.services.money import exchange_rate_set
from tests.factories.accounts import StaffUserFactory, UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExhibitorStaffFactory, ExpoFactory, deal

pytestmark = pytest.mark.django_db

URL = reverse("api:expo:deal-list")


def detail(pk: int) -> str:
    return reverse("api:expo:deal-detail", args=[pk])


@pytest.fixture
def parties(expo):
    buyer = BuyerFactory(expo=expo, company="Hamburg Mode GmbH")
    exhibitor = ExhibitorFactory(expo=expo, name_en="Wujiang Silk", name_zh="吴江丝绸")
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.1"))
    return buyer, exhibitor


def _body(buyer, exhibitor, **extra):
    return {
        "buyer": buyer.pk,
        "exhibitor": exhibitor.pk,
        "amount": "1000.05",
        "currency": "USD",
        "quantity_m": 5000,
        "category": "chiffon",
        "note": "Sample approved",
        **extra,
    }


def test_organiser_logs_deal_converted_at_expo_rate(client_for, organiser, parties, expo):
    buyer, exhibitor = parties

    response = client_for(organiser).post(URL, _body(buyer, exhibitor), format="json")

    assert response.status_code == 201
    body = response.json()
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert body == {
        "id": body["id"],
        "buyer": {"id": buyer.pk, "name": "Hamburg Mode GmbH"},
        "exhibitor": {"id": exhibitor.pk, "name": "Wujiang Silk"},
        "meeting": None,
        "amount": "1000.05",
        "currency": "USD",
        "rate": "7.10000000",
        "amount_cny": "7100.36",  # 7100.355 rounds half-up
        "quantity_m": 5000,
        "category": "chiffon",
        "stage": "intended",
        "date": today.isoformat(),
        "note": "Sample approved",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    saved = Deal.objects.get()
    assert (saved.amount_cny_fen, saved.created_by) == (710036, organiser)
    change = DealChange.objects.get()
    assert (change.action, change.changed_by, change.before) == ("created", organiser, {})
    assert change.after["amount_cny"] == "7100.36"


def test_deal_date_defaults_to_today_in_the_expos_time_zone(client_for, organiser):
    expo = ExpoFactory(is_current=True, time_zone="Pacific/Kiritimati")  # UTC+14: often another day
    buyer, exhibitor = BuyerFactory(expo=expo), ExhibitorFactory(expo=expo)

    response = client_for(organiser).post(URL, _body(buyer, exhibitor, currency="CNY"), format="json")

    expected = timezone.localdate(timezone=zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    assert response.json()["date"] == expected.isoformat()


def test_old_deals_keep_their_rate_when_the_expo_rate_changes(client_for, organiser, parties, expo):
    buyer, exhibitor = parties
    client = client_for(organiser)
    first = client.post(URL, _body(buyer, exhibitor, amount="100"), format="json").json()

    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.3"))
    second = client.post(URL, _body(buyer, exhibitor, amount="100"), format="json").json()
    # Changing only the amount converts at the deal's own rate; changing its currency takes today's.
    patched = client.patch(detail(first["id"]), {"amount": "200"}, format="json").json()

    assert (first["rate"], first["amount_cny"]) == ("7.10000000", "710.00")
    assert (second["rate"], second["amount_cny"]) == ("7.30000000", "730.00")
    assert (patched["rate"], patched["amount_cny"]) == ("7.10000000", "1420.00")
    exchange_rate_set(expo=expo, currency="EUR", rate_to_cny=Decimal("7.7"))
    moved = client.patch(detail(first["id"]), {"currency": "eur"}, format="json").json()
    assert (moved["currency"], moved["rate"], moved["amount_cny"]) == ("EUR", "7.70000000", "1540.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "100000000000000"}, "amount"),
        ({"currency": "GBP"}, "currency"),  # no rate at this expo
        ({"currency": "dollars"}, "currency"),
        ({"category": "dyeing"}, "category"),  # a process, not a fabric
        ({"category": "no-such-fabric"}, "category"),
        ({"stage": "closed"}, "stage"),
        ({"quantity_m": 0}, "quantity_m"),
        ({"date": "2027-02-30"}, "date"),
        ({"buyer": 0}, "buyer"),
        ({"exhibitor": 0}, "exhibitor"),
    ],
)
def test_bad_deal_input_is_400_naming_the_field(client_for, organiser, parties, change, field):
    buyer, exhibitor = parties

    response = client_for(organiser).post(URL, _body(buyer, exhibitor) | change, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["detail", field]
    assert not Deal.objects.exists()
    assert not DealChange.objects.exists()


def test_deal_sides_must_be_at_the_expo(client_for, organiser, parties):
    buyer, exhibitor = parties
    elsewhere = BuyerFactory(expo=ExpoFactory())

    response = client_for(organiser).post(URL, _body(elsewhere, exhibitor), format="json")

    assert response.status_code == 400
    assert response.json()["buyer"] == ["No such buyer at this expo."]


def test_buyer_without_a_meeting_cannot_log_a_deal(client_for, parties):
    buyer, exhibitor = parties

    body = _body(buyer, exhibitor)
    del body["buyer"]  # a buyer's own profile by default

    response = client_for(buyer.user).post(URL, body, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "You can log a deal only with an exhibitor you met."}
    assert not Deal.objects.exists()


def test_staff_without_a_meeting_cannot_log_a_deal(client_for, parties):
    buyer, exhibitor = parties
    staff = ExhibitorStaffFactory(exhibitor=exhibitor).user

    response = client_for(staff).post(URL, _body(buyer, exhibitor), format="json")

    assert response.status_code == 403
    assert not Deal.objects.exists()


def test_anonymous_gets_401(api_client, parties):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {}, format="json").status_code == 401


def test_each_role_lists_only_its_own_deals(client_for, organiser, parties, expo):
    buyer, exhibitor = parties
    other_buyer, other_exhibitor = BuyerFactory(expo=expo), ExhibitorFactory(expo=expo)
    mine = deal(buyer=buyer, exhibitor=exhibitor)
    theirs = deal(buyer=other_buyer, exhibitor=other_exhibitor)
    staff = ExhibitorStaffFactory(exhibitor=exhibitor).user
    lonely_staff = StaffUserFactory()

    def ids(user):
        return [d["id"] for d in client_for(user).get(URL).json()["results"]]

    assert sorted(ids(organiser)) == sorted([mine.pk, theirs.pk])
    assert ids(buyer.user) == [mine.pk]
    assert ids(staff) == [mine.pk]
    assert ids(lonely_staff) == []
    assert ids(UserFactory()) == []
    assert client_for(other_buyer.user).get(detail(mine.pk)).status_code == 404
    assert client_for(buyer.user).get(detail(mine.pk)).json()["id"] == mine.pk


def test_list_filters_by_stage_and_dates(client_for, organiser, parties):
    buyer, exhibitor = parties
    early = deal(buyer=buyer, exhibitor=exhibitor, date=datetime.date(2027, 4, 12))
    deal(buyer=buyer, exhibitor=exhibitor, date=datetime.date(2027, 4, 13), stage=DealStage.SIGNED)
    client = client_for(organiser)

    by_date = client.get(URL, {"date_to": "2027-04-12"}).json()["results"]
    by_stage = client.get(URL, {"stage": "intended"}).json()["results"]

    assert [d["id"] for d in by_date] == [early.pk]
    assert [d["id"] for d in by_stage] == [early.pk]
    assert client.get(URL, {"stage": "closed"}).status_code == 400


@pytest.mark.parametrize("count", [1, 3])
def test_deal_list_query_count(client_for, organiser, parties, count, django_assert_num_queries):
    buyer, exhibitor = parties
    for _ in range(count):
        deal(buyer=buyer, exhibitor=exhibitor)
    client = client_for(organiser)

    with django_assert_num_queries(4):  # token+user, expo, count, page (with its joins)
        response = client.get(URL)

    assert response.json()["count"] == count


def test_both_sides_and_organisers_edit_with_history(client_for, organiser, parties):
    buyer, exhibitor = parties
    staff = ExhibitorStaffFactory(exhibitor=exhibitor).user
    logged = deal(buyer=buyer, exhibitor=exhibitor, amount="100.00", currency="USD", user=organiser)

    by_buyer = client_for(buyer.user).patch(detail(logged.pk), {"stage": "negotiating"}, format="json")
    by_staff = client_for(staff).patch(
        detail(logged.pk), {"quantity_m": 800, "note": "Lab dips"}, format="json"
    )
    unchanged = client_for(organiser).patch(detail(logged.pk), {"stage": "negotiating"}, format="json")
    by_organiser = client_for(organiser).patch(detail(logged.pk), {"stage": "signed"}, format="json")

    assert [r.status_code for r in (by_buyer, by_staff, unchanged, by_organiser)] == [200, 200, 200, 200]
    history = list(logged.changes.order_by("id").values_list("action", "changed_by", "before", "after"))
    assert history[1:] == [
        ("changed", buyer.user.pk, {"stage": "intended"}, {"stage": "negotiating"}),
        ("changed", staff.pk, {"quantity_m": None, "note": ""}, {"quantity_m": 800, "note": "Lab dips"}),
        ("changed", organiser.pk, {"stage": "negotiating"}, {"stage": "signed"}),
    ]


def test_strangers_cannot_edit_and_fixed_fields_stay(client_for, organiser, parties, expo):
    buyer, exhibitor = parties
    logged = deal(buyer=buyer, exhibitor=exhibitor)
    stranger_staff = ExhibitorStaffFactory(exhibitor=ExhibitorFactory(expo=expo)).user

    assert (
        client_for(stranger_staff).patch(detail(logged.pk), {"stage": "signed"}, format="json").status_code
        == 404
    )
    moved = client_for(organiser).patch(
        detail(logged.pk), {"buyer": BuyerFactory(expo=expo).pk}, format="json"
    )
    assert (moved.status_code, list(moved.json())) == (400, ["detail", "buyer"])
    bad = client_for(organiser).patch(detail(logged.pk), {"amount": "-1"}, format="json")
    assert (bad.status_code, list(bad.json())) == (400, ["detail", "amount"])
    with pytest.raises(PermissionDenied):
        deal_update(user=stranger_staff, deal=logged, data={"stage": "signed"})
    logged.refresh_from_db()
    assert (logged.stage, logged.buyer) == ("intended", buyer)
    assert logged.changes.count() == 1


def test_organiser_logs_deal_at_another_expo_with_expo_param(client_for, organiser):
    other = ExpoFactory(slug="shengze-2028")
    buyer, exhibitor = BuyerFactory(expo=other), ExhibitorFactory(expo=other)

    response = client_for(organiser).post(
        URL + "?expo=shengze-2028", _body(buyer, exhibitor, currency="CNY"), format="json"
    )

    assert response.status_code == 201
    assert Deal.objects.get().expo == other
