import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from expo.services.money import exchange_rate_set
from tests.factories.accounts import UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExhibitorStaffFactory, ExpoFactory, deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(expo, organiser):
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7"))
    mill, other = (
        ExhibitorFactory(expo=expo, name_en="Alpha Mill", name_zh="阿尔法织造"),
        ExhibitorFactory(expo=expo),
    )
    buyer = BuyerFactory(expo=expo, company="Nordic Apparel", verified=True)
    BuyerFactory(expo=expo)
    deal(buyer=buyer, exhibitor=mill, amount="1000000.00", currency="USD", category="satin", quantity_m=9000)
    deal(buyer=buyer, exhibitor=mill, amount="0.01", category="chiffon", stage="withdrawn")
    deal(buyer=buyer, exhibitor=other, amount="2500.50", category="chiffon", note="secret of another mill")
    return {"mill": mill, "other": other, "buyer": buyer}


def test_dashboard_shows_figures_and_chart_data_in_both_languages(client, organiser, ledger):
    client.force_login(organiser)

    english = client.get(reverse("expo:dashboard"))
    organiser.preferred_language = "zh-hans"  # a signed-in person's own language wins
    organiser.save(update_fields=["preferred_language"])
    chinese = client.get(reverse("expo:dashboard"))

    assert english.status_code == 200
    context = english.context
    assert context["grand_total"] == "7,002,500.50"
    assert context["figures"]["buyers"] == {"registered": 2, "verified": 1, "signed_in": 0}
    assert (context["figures"]["exhibitors"], context["figures"]["deals"]["count"]) == (2, 2)
    assert context["charts"]["fabrics"] == {
        "labels": ["Satin", "Chiffon"],
        "values": ["7000000.00", "2500.50"],
    }
    assert context["charts"]["exhibitors"]["labels"][0] == "Alpha Mill"
    html = english.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="dashboard-data"' in html
    assert "¥7,002,500.50" in html
    assert chinese.context["charts"]["exhibitors"]["labels"][0] == "阿尔法织造"
    assert "意向成交总额" in chinese.content.decode()


def test_summary_page_prints_on_a4(client, organiser, ledger):
    organiser.preferred_language = "zh-hans"
    organiser.save(update_fields=["preferred_language"])
    client.force_login(organiser)

    response = client.get(reverse("expo:summary"))

    assert response.status_code == 200
    assert [row["label"] for row in response.context["fabrics"]] == ["色丁", "雪纺"]
    assert "css/dashboard.css" in response.content.decode()


@pytest.mark.parametrize("name", ["expo:dashboard", "expo:summary"])
def test_dashboard_pages_are_for_organisers_only(client, ledger, name):
    url = reverse(name)

    assert client.get(url).status_code == 302  # to sign in
    client.force_login(ledger["buyer"].user)
    assert client.get(url).status_code == 403
    client.force_login(ExhibitorStaffFactory(exhibitor=ledger["mill"]).user)
    assert client.get(url).status_code == 403


def test_dashboard_of_another_expo_and_none(client, organiser, ledger):
    client.force_login(organiser)
    ExpoFactory(slug="next-year")

    assert client.get(reverse("expo:dashboard"), {"expo": "next-year"}).context["grand_total"] == "0.00"
    assert client.get(reverse("expo:dashboard"), {"expo": "nope"}).status_code == 404


def test_exhibitor_sees_and_downloads_only_its_own_figures(client, ledger):
    staff = ExhibitorStaffFactory(exhibitor=ledger["mill"]).user
    client.force_login(staff)

    page = client.get(reverse("expo:exhibitor-figures"))
    download = client.get(reverse("expo:exhibitor-figures-xlsx"))

    assert page.status_code == 200
    assert [d.exhibitor for d in page.context["deals"]] == [ledger["mill"], ledger["mill"]]
    assert page.context["deals_total"] == "7,000,000.00"  # the withdrawn deal is listed, not counted
    assert "secret of another mill" not in page.content.decode()
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook["Intended deals"].iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "date", "buyer")
    assert sorted((r[2], r[6], r[7], r[9]) for r in rows[1:]) == [
        ("Nordic Apparel", 0.01, "CNY", 0.01),
        ("Nordic Apparel", 1000000, "USD", 7000000),
    ]
    assert all(r[11] != "secret of another mill" for r in rows[1:])


@pytest.mark.parametrize("name", ["expo:exhibitor-figures", "expo:exhibitor-figures-xlsx"])
def test_exhibitor_figures_are_for_staff_only(client, organiser, ledger, name):
    client.force_login(ledger["buyer"].user)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(organiser)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403


@pytest.fixture
def expo_floor(expo, organiser):
    """Two mills with tables, two buyers; meetings in several states, samples, feedback and deals."""
    import datetime as dt
    import zoneinfo

    from expo.services.deals import meeting_feedback_set, sample_request_create
    from tests.factories.meetings import exhibitor_with_tables, meeting_between, staff_of

    mill, rival = exhibitor_with_tables(expo=expo, tables=2), exhibitor_with_tables(expo=expo)
    anna, ben = BuyerFactory(expo=expo, company="Anna Mode"), BuyerFactory(expo=expo, company="Ben Wear")
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    at = lambda h, m=0: dt.datetime(2027, 4, 12, h, m, tzinfo=tz)  # noqa: E731
    met = meeting_between(anna, mill, status="checked_in", start=at(9))
    meeting_between(ben, mill, status="no_show", start=at(9, 20))
    meeting_between(ben, mill, status="requested", start=at(10))
    secret = meeting_between(anna, rival, status="accepted", start=at(10, 20))
    sample_request_create(user=anna.user, meeting=met, fabric="satin", quantity=3)
    sample_request_create(user=anna.user, meeting=secret, fabric="twill", quantity=5, note="rival's secret")
    meeting_feedback_set(user=staff_of(mill), meeting=met, took_place=True, interest="high")
    meeting_feedback_set(user=anna.user, meeting=met, took_place=True, interest="medium")
    deal(buyer=anna, exhibitor=mill, meeting=met, amount="300.00", category="satin", user=anna.user)
    deal(buyer=anna, exhibitor=rival, amount="999.00", category="twill", note="rival's deal")
    return {"mill": mill, "rival": rival, "anna": anna, "ben": ben, "staff": staff_of(mill)}


def test_dashboard_counts_meetings_samples_and_feedback(client, organiser, expo_floor):
    client.force_login(organiser)

    response = client.get(reverse("expo:dashboard"))

    figures = response.context["figures"]
    assert figures["meetings"]["total"] == 4
    assert (figures["meetings"]["checked_in"], figures["meetings"]["no_shows"]) == (1, 1)
    assert dict((s, n) for s, _label, n in figures["meetings"]["by_status"]) == {
        "requested": 1, "accepted": 1, "declined": 0, "cancelled": 0, "expired": 0, "checked_in": 1, "no_show": 1,
    }  # fmt: skip
    assert figures["samples"]["total"] == 8
    assert figures["feedback"] == {"given": 2, "took_place": 1, "high": 1}
    # Requested meetings are not on the floor; the others by their local hour.
    assert response.context["charts"]["hours"] == {"labels": ["09:00", "10:00"], "values": [2, 1]}
    assert 'id="chart-hours"' in response.content.decode()


def test_exhibitor_figures_show_meetings_leads_samples_of_their_own_company_only(client, expo_floor):
    client.force_login(expo_floor["staff"])

    page = client.get(reverse("expo:exhibitor-figures"))
    download = client.get(reverse("expo:exhibitor-figures-xlsx"))

    assert [m.exhibitor for m in page.context["meetings"]] == [expo_floor["mill"]] * 3
    leads = {lead["buyer"].company: lead for lead in page.context["leads"]}
    assert {
        name: (lead["meetings"], lead["met"], lead["samples"], lead["interest"], lead["total"])
        for name, lead in leads.items()
    } == {
        "Anna Mode": (1, True, 3, "High", "300.00"),
        "Ben Wear": (2, False, 0, "", "0.00"),
    }
    assert [s.note for s in page.context["samples"]] == [""]
    assert "rival" not in page.content.decode()
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Meetings", "Leads", "Samples", "Intended deals"]
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    assert [r[3] for r in sheets["Meetings"][1:]] == ["Anna Mode", "Ben Wear", "Ben Wear"]
    assert [r[:3] for r in sheets["Leads"][1:]] == [("Anna Mode", "DE", 1), ("Ben Wear", "DE", 2)]
    assert [(r[2], r[4]) for r in sheets["Samples"][1:]] == [("Anna Mode", 3)]
    assert [(r[2], r[9]) for r in sheets["Intended deals"][1:]] == [("Anna Mode", 300)]
    assert "rival" not in str(sheets)
