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
    chinese = client.get(reverse("expo:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")

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
    client.force_login(organiser)

    response = client.get(reverse("expo:summary"), HTTP_ACCEPT_LANGUAGE="zh-hans")

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
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
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
