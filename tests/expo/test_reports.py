import csv
import datetime
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.urls import reverse

from expo.models import DealStage
from expo.services.money import exchange_rate_set
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExhibitorStaffFactory, ExpoFactory, deal

pytestmark = pytest.mark.django_db

URL = reverse("api:expo:deal-totals")
RATES = {"CNY": Decimal("1"), "USD": Decimal("7.1234"), "EUR": Decimal("7.7777"), "JPY": Decimal("0.04761")}
FABRICS = ["chiffon", "satin", "twill", "jersey"]
GROUPINGS = ["exhibitor", "buyer", "category", "country", "day"]


@pytest.fixture
def ledger(expo, organiser):
    """40 deals in four currencies over three days, five withdrawn; and the expected sums per grouping."""
    for currency, rate in RATES.items():
        if currency != "CNY":
            exchange_rate_set(expo=expo, currency=currency, rate_to_cny=rate)
    rng = random.Random(11)
    buyers = [
        BuyerFactory(expo=expo, country=country, company=f"Buyer {i}")
        for i, country in enumerate(["DE", "FR", "US", "DE", ""])
    ]
    exhibitors = [ExhibitorFactory(expo=expo, name_en=f"Mill {i}", name_zh=f"织造厂{i}") for i in range(4)]
    expected: dict[str, dict[str, list]] = {g: defaultdict(lambda: [Decimal(0), 0, 0]) for g in GROUPINGS}
    for number in range(40):
        buyer, exhibitor = rng.choice(buyers), rng.choice(exhibitors)
        currency = rng.choice(list(RATES))
        amount = Decimal(rng.randint(1, 10**9)) / 100
        quantity = rng.choice([None, rng.randint(1, 90000)])
        fabric = rng.choice(FABRICS)
        day = datetime.date(2027, 4, 12) + datetime.timedelta(days=rng.randint(0, 2))
        stage = DealStage.WITHDRAWN if number % 8 == 0 else rng.choice(["intended", "negotiating", "signed"])
        deal(
            buyer=buyer,
            exhibitor=exhibitor,
            amount=str(amount),
            currency=currency,
            category=fabric,
            quantity_m=quantity,
            date=day,
            stage=stage,
            user=organiser,
        )
        if stage == DealStage.WITHDRAWN:
            continue
        cny = (amount * RATES[currency]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        keys = {
            "exhibitor": str(exhibitor.pk),
            "buyer": str(buyer.pk),
            "category": fabric,
            "country": buyer.country.code or "",
            "day": day.isoformat(),
        }
        for grouping, key in keys.items():
            row = expected[grouping][key]
            row[0] += cny
            row[1] += 1
            row[2] += quantity or 0
    return expected


def _as_rows(expected_group: dict) -> dict[str, tuple[str, int, int]]:
    return {key: (f"{v[0]:.2f}", v[1], v[2]) for key, v in expected_group.items()}


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_json_totals_equal_independent_decimal_sums(client_for, organiser, ledger, group_by):
    response = client_for(organiser).get(URL, {"group_by": group_by})

    assert response.status_code == 200
    body = response.json()
    got = {row["key"]: (row["total_cny"], row["deals"], row["metres"]) for row in body["rows"]}
    assert got == _as_rows(ledger[group_by])
    grand = sum(Decimal(row["total_cny"]) for row in body["rows"])
    assert body["grand_total_cny"] == f"{grand:.2f}"
    assert body["grand_total_cny"] == f"{sum(v[0] for v in ledger['day'].values()):.2f}"
    assert body["deals"] == 35  # five withdrawn never count
    assert body["group_by"] == group_by
    assert list(body["rows"][0]) == ["key", "label", "total_cny", "deals", "metres"]


def test_rows_are_largest_first_and_days_in_order(client_for, organiser, ledger):
    client = client_for(organiser)

    exhibitors = client.get(URL, {"group_by": "exhibitor"}).json()["rows"]
    days = client.get(URL, {"group_by": "day"}).json()["rows"]

    totals = [Decimal(r["total_cny"]) for r in exhibitors]
    assert totals == sorted(totals, reverse=True)
    assert [r["key"] for r in days] == ["2027-04-12", "2027-04-13", "2027-04-14"]


def test_labels_follow_the_language(client_for, organiser, ledger):
    client = client_for(organiser)

    english = client.get(URL, {"group_by": "category"}).json()["rows"]
    chinese = client.get(URL, {"group_by": "category"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["rows"]
    countries = client.get(URL, {"group_by": "country"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["rows"]

    assert {r["key"]: r["label"] for r in english}["chiffon"] == "Chiffon"
    assert {r["key"]: r["label"] for r in chinese}["chiffon"] == "雪纺"
    assert {r["key"]: r["label"] for r in countries}["DE"] == "德国"


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_csv_streams_with_bom_and_parses_back_to_the_same_totals(
    client_for, organiser, expo, ledger, group_by
):
    response = client_for(organiser).get(URL, {"group_by": group_by, "format": "csv"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="deal-totals-{expo.slug}-{group_by}.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["key", "label", "total_cny", "deals", "metres"]
    *data, total = rows[1:]
    assert {r[0]: (r[2], int(r[3]), int(r[4])) for r in data} == _as_rows(ledger[group_by])
    assert total[:2] == ["", "Total"]
    assert Decimal(total[2]) == sum(Decimal(r[2]) for r in data)
    assert int(total[3]) == 35


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_xlsx_parses_back_to_the_same_totals(client_for, organiser, ledger, group_by):
    response = client_for(organiser).get(
        URL, {"group_by": group_by, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("key", "label", "total_cny", "deals", "metres")
    *data, total = rows[1:]
    got = {
        r[0] or "": (f"{Decimal(repr(r[2])):.2f}", r[3], r[4]) for r in data
    }  # an empty cell reads as None
    assert got == _as_rows(ledger[group_by])
    assert total[1] == "合计"
    assert f"{Decimal(repr(total[2])):.2f}" == f"{sum(v[0] for v in ledger['day'].values()):.2f}"


def test_filters_by_stage_and_date_range(client_for, organiser, expo):
    buyer, exhibitor = BuyerFactory(expo=expo), ExhibitorFactory(expo=expo)
    deal(buyer=buyer, exhibitor=exhibitor, amount="10.00", stage="signed", date=datetime.date(2027, 4, 12))
    deal(buyer=buyer, exhibitor=exhibitor, amount="20.00", stage="intended", date=datetime.date(2027, 4, 13))
    deal(
        buyer=buyer, exhibitor=exhibitor, amount="40.00", stage="negotiating", date=datetime.date(2027, 4, 14)
    )
    deal(buyer=buyer, exhibitor=exhibitor, amount="80.00", stage="withdrawn", date=datetime.date(2027, 4, 13))
    client = client_for(organiser)

    def total(**params):
        return client.get(URL, {"group_by": "day", **params}).json()["grand_total_cny"]

    assert total() == "70.00"
    assert total(stage="signed") == "10.00"
    assert total(stage="signed,intended") == "30.00"
    assert (
        client.get(URL + "?group_by=day&stage=signed&stage=negotiating").json()["grand_total_cny"] == "50.00"
    )
    assert total(date_from="2027-04-13") == "60.00"
    assert total(date_from="2027-04-13", date_to="2027-04-13") == "20.00"


def test_other_expo_by_slug_and_empty_report(client_for, organiser, expo):
    other = ExpoFactory(slug="shengze-2028")
    deal(buyer=BuyerFactory(expo=other), exhibitor=ExhibitorFactory(expo=other), amount="5.55")
    client = client_for(organiser)

    assert client.get(URL, {"group_by": "buyer"}).json() == {
        "group_by": "buyer",
        "grand_total_cny": "0.00",
        "deals": 0,
        "metres": 0,
        "rows": [],
    }
    assert client.get(URL, {"group_by": "buyer", "expo": "shengze-2028"}).json()["grand_total_cny"] == "5.55"
    assert client.get(URL, {"group_by": "buyer", "expo": "nope"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "group_by"),
        ({"group_by": "hall"}, "group_by"),
        ({"group_by": "day", "format": "pdf"}, "format"),
        ({"group_by": "day", "stage": "withdrawn"}, "stage"),
        ({"group_by": "day", "stage": "closed"}, "stage"),
        ({"group_by": "day", "date_from": "2027-13-01"}, "date_from"),
        ({"group_by": "day", "date_from": "2027-04-14", "date_to": "2027-04-12"}, "date_to"),
    ],
)
def test_bad_report_parameters_are_400_naming_the_field(client_for, organiser, expo, params, field):
    response = client_for(organiser).get(URL, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["detail", field]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_only_organisers_get_reports(client_for, api_client, expo, fmt):
    buyer = BuyerFactory(expo=expo)
    staff = ExhibitorStaffFactory(exhibitor=ExhibitorFactory(expo=expo)).user
    params = {"group_by": "day", "format": fmt}

    assert api_client.get(URL, params).status_code == 401
    assert client_for(buyer.user).get(URL, params).status_code == 403
    assert client_for(staff).get(URL, params).status_code == 403


def test_one_row_per_deal_shows_where_every_yuan_came_from(client_for, organiser, ledger, expo):
    from expo.models import Deal

    response = client_for(organiser).get(URL, {"group_by": "deal", "format": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))[1:-1]
    counted = Deal.objects.filter(expo=expo).exclude(stage="withdrawn").select_related("buyer", "exhibitor")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (str(d.pk), f"{d.buyer.company} → {d.exhibitor.name_en}", d.amount_cny)
        for d in counted.order_by("id")
    ]
    assert sum(Decimal(r[2]) for r in rows) == sum(v[0] for v in ledger["day"].values())
