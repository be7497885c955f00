import csv
import datetime
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.urls import reverse

from expo.models import DealStage, SampleRequest
from expo.services.money import exchange_rate_set
from tests.factories.expo import (
    BuyerFactory,
    ExhibitorFactory,
    ExhibitorStaffFactory,
    ExpoFactory,
    deal,
    term,
)
from tests.factories.meetings import booth_with_tables, meeting_between

pytestmark = pytest.mark.django_db

URL = reverse("api:expo:deal-totals")
RATES = {"CNY": Decimal("1"), "USD": Decimal("7.1234"), "EUR": Decimal("7.7777"), "JPY": Decimal("0.04761")}
FABRICS = ["chiffon", "satin", "twill", "jersey"]
GROUPINGS = ["exhibitor", "buyer", "category", "country", "day"]
# The count columns each grouping's rows carry after key, label, total_cny, deals, metres.
COUNTS = {
    "exhibitor": ["samples", "meetings"],
    "buyer": ["samples", "meetings"],
    "category": ["samples"],
    "country": ["samples", "meetings"],
    "day": ["samples", "meetings"],
}
HEADER = ["key", "label", "total_cny", "deals", "metres"]
STATUSES = ["accepted", "checked_in", "requested", "declined", "cancelled", "no_show"]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


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
    for exhibitor in exhibitors:
        booth_with_tables(expo=expo, exhibitor=exhibitor)
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
    # Meetings in every status over the three days, each in its own slot (Beijing time), one at 07:00
    # on the 13th (23:00 UTC on the 12th: its day is the 13th); samples at some of the held ones,
    # one of a fabric no deal has (it has no row).
    counted: dict[str, dict[str, dict[str, int]]] = {
        g: {c: defaultdict(int) for c in COUNTS[g]} for g in GROUPINGS
    }
    starts = [datetime.datetime(2027, 4, 13, 7, 0, tzinfo=SHANGHAI)] + [
        datetime.datetime(2027, 4, 12 + i % 3, 9, 0, tzinfo=SHANGHAI)
        + datetime.timedelta(minutes=20 * (i // 3))
        for i in range(30)
    ]
    for number, start in enumerate(starts):
        buyer, exhibitor = rng.choice(buyers), rng.choice(exhibitors)
        status = "checked_in" if number == 0 else STATUSES[(number - 1) // 3 % len(STATUSES)]
        meeting = meeting_between(buyer, exhibitor, status=status, start=start)
        keys = {
            "exhibitor": str(exhibitor.pk),
            "buyer": str(buyer.pk),
            "country": buyer.country.code or "",
            "day": start.date().isoformat(),
        }
        if status in ("accepted", "checked_in"):
            for grouping, key in keys.items():
                counted[grouping]["meetings"][key] += 1
            for fabric in rng.sample(FABRICS + ["georgette"], rng.randint(0, 2)):
                SampleRequest.objects.create(meeting=meeting, fabric=term("fabric", fabric), quantity=3)
                for grouping, key in {**keys, "category": fabric}.items():
                    counted[grouping]["samples"][key] += 1
    for grouping, rows in expected.items():
        for key, row in rows.items():
            row.extend(counted[grouping][column][key] for column in COUNTS[grouping])
    expected["counted"] = counted
    return expected


def _as_rows(expected_group: dict) -> dict[str, tuple]:
    """{key: (total_cny, deals, metres, *the grouping's counts)}."""
    return {key: (f"{v[0]:.2f}", *v[1:]) for key, v in expected_group.items()}


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_json_totals_equal_independent_decimal_sums(client_for, organiser, ledger, group_by):
    response = client_for(organiser).get(URL, {"group_by": group_by})

    assert response.status_code == 200
    body = response.json()
    columns = ["total_cny", "deals", "metres", *COUNTS[group_by]]
    got = {row["key"]: tuple(row[c] for c in columns) for row in body["rows"]}
    assert got == _as_rows(ledger[group_by])
    grand = sum(Decimal(row["total_cny"]) for row in body["rows"])
    assert body["grand_total_cny"] == f"{grand:.2f}"
    assert body["grand_total_cny"] == f"{sum(v[0] for v in ledger['day'].values()):.2f}"
    assert body["deals"] == 35  # five withdrawn never count
    for column in COUNTS[group_by]:
        assert body[column] == sum(row[column] for row in body["rows"])
    assert body["group_by"] == group_by
    assert [list(row) for row in body["rows"]] == [HEADER + COUNTS[group_by]] * len(body["rows"])


def test_count_columns_count_held_meetings_and_samples_of_the_listed_groups(client_for, organiser, ledger):
    client = client_for(organiser)
    counted = ledger["counted"]

    by_day = client.get(URL, {"group_by": "day"}).json()
    by_fabric = client.get(URL, {"group_by": "category"}).json()

    # Held meetings (accepted, checked in) by their day in Beijing time: 13 over the three days,
    # the 07:00 one on the 13th although it is the 12th in UTC.
    assert {r["key"]: r["meetings"] for r in by_day["rows"]} == dict(counted["day"]["meetings"])
    assert by_day["meetings"] == 13
    assert dict(counted["day"]["meetings"]) == {"2027-04-12": 4, "2027-04-13": 5, "2027-04-14": 4}
    assert by_day["samples"] == sum(counted["day"]["samples"].values())
    # Samples of a fabric no counted deal has are in no row.
    assert "georgette" in counted["category"]["samples"]
    assert by_fabric["samples"] == sum(
        n for k, n in counted["category"]["samples"].items() if k != "georgette"
    )
    assert "meetings" not in by_fabric


def test_count_columns_follow_the_date_range_but_not_the_stage(client_for, organiser, ledger):
    client = client_for(organiser)
    counted = ledger["counted"]

    one_day = client.get(URL, {"group_by": "day", "date_from": "2027-04-13", "date_to": "2027-04-13"}).json()
    signed = client.get(URL, {"group_by": "day", "stage": "signed"}).json()

    assert [(r["key"], r["meetings"], r["samples"]) for r in one_day["rows"]] == [
        ("2027-04-13", 5, counted["day"]["samples"]["2027-04-13"])
    ]
    assert {r["key"]: r["meetings"] for r in signed["rows"]} == {
        r["key"]: counted["day"]["meetings"][r["key"]] for r in signed["rows"]
    }


def test_rows_are_largest_first_and_days_in_order(client_for, organiser, ledger):
    client = client_for(organiser)

    exhibitors = client.get(URL, {"group_by": "exhibitor"}).json()["rows"]
    days = client.get(URL, {"group_by": "day"}).json()["rows"]

    totals = [Decimal(r["total_cny"]) for r in exhibitors]
    assert totals == sorted(totals, reverse=True)
    assert [r["key"] for r in days] == ["2027-04-12", "2027-04-13", "2027-04-14"]


def _speaks(user, language: str):
    """API calls signed in by token answer in the person's saved language."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def test_labels_follow_the_language(client_for, organiser, ledger):
    client = client_for(organiser)

    english = client.get(URL, {"group_by": "category"}).json()["rows"]
    _speaks(organiser, "zh-hans")
    chinese = client.get(URL, {"group_by": "category"}).json()["rows"]
    countries = client.get(URL, {"group_by": "country"}).json()["rows"]

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
    assert rows[0] == HEADER + COUNTS[group_by]
    *data, total = rows[1:]
    assert {r[0]: (r[2], *map(int, r[3:])) for r in data} == _as_rows(ledger[group_by])
    assert total[:2] == ["", "Total"]
    assert Decimal(total[2]) == sum(Decimal(r[2]) for r in data)
    assert int(total[3]) == 35
    assert [int(t) for t in total[4:]] == [sum(int(r[i]) for r in data) for i in range(4, len(total))]
    json_body = client_for(organiser).get(URL, {"group_by": group_by}).json()
    assert [int(t) for t in total[5:]] == [json_body[c] for c in COUNTS[group_by]]


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_xlsx_parses_back_to_the_same_totals(client_for, organiser, ledger, group_by):
    response = client_for(_speaks(organiser, "zh-hans")).get(URL, {"group_by": group_by, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER + COUNTS[group_by])
    *data, total = rows[1:]
    got = {r[0] or "": (f"{Decimal(repr(r[2])):.2f}", *r[3:]) for r in data}  # an empty cell reads as None
    assert got == _as_rows(ledger[group_by])
    assert total[1] == "合计"
    assert list(total[3:]) == [sum(r[i] for r in data) for i in range(3, len(total))]
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
        "samples": 0,
        "meetings": 0,
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
