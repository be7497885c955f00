"""A browser journey through deals, in Debian's Chromium driven by Playwright: after an accepted
meeting, the buyer, reading Chinese on a phone, logs an intended deal in US dollars on the schedule
page (a mistyped amount first, refused next to the field); the exhibitor's staff find it on
their floor page; the organiser, also in Chinese on a
phone, finds it in the dashboard's totals and charts and downloads the deal totals as XLSX, whose
total is the deal's CNY amount worked out here with Decimal at the expo's rate.

Never downloads a browser: it uses /usr/bin/chromium and is skipped, with the reason, where that
or the Playwright client is missing. Screenshots go to $SHUTTLE_SCREENSHOTS when it is set.
"""

import datetime
import os
import shutil
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.utils import timezone

from expo.models import Deal, DealChange, Slot
from expo.services import meetings as meeting_services
from expo.services.floor import expo_slots_generate
from expo.services.money import exchange_rate_set
from tests.factories.accounts import PASSWORD, OrganiserFactory
from tests.factories.expo import ExhibitorStaffFactory, ExpoFactory
from tests.factories.matching import buyer_with, exhibitor_with
from tests.factories.meetings import booth_with_tables, slot_at, staff_of

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
RATE = Decimal("7.1")

playwright_api = pytest.importorskip("playwright.sync_api", reason="the Playwright client is not installed")
pytestmark = [
    pytest.mark.e2e,
    # Serialized: the data migrations' rows come back from the snapshot, and the flush after the test
    # does not run post_migrate (which would recreate the role groups under the next serialized test).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # plain synchronous code between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def scene():
    """An expo on today, a mill that knows the buyer, their meeting accepted an hour from now."""
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=RATE)
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    booth_with_tables(expo=expo, exhibitor=exhibitor, tables=1)
    ExhibitorStaffFactory(exhibitor=exhibitor, user__preferred_language="zh-hans")
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], verified=True)
    buyer.user.preferred_language = "zh-hans"
    buyer.user.save(update_fields=["preferred_language"])
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    slot = Slot.objects.filter(expo=expo, start=start).first() or slot_at(expo, start)  # the grid's, if any
    meeting = meeting_services.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    meeting = meeting_services.meeting_accept(meeting=meeting, actor=staff_of(exhibitor))
    return expo, exhibitor, buyer, meeting


def _sign_in(browser, base: str, email: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def _shot(page, name: str) -> None:
    folder = os.environ.get("SHUTTLE_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"deal-{name}.png"), full_page=True)


def _fits_the_phone(page) -> None:
    """Nothing is wider than the phone's screen: the page never scrolls sideways."""
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_buyer_logs_a_deal_in_chinese_organiser_sees_it_and_downloads_the_totals(
    live_server, browser, scene, tmp_path
):
    expo, exhibitor, buyer, meeting = scene
    base = live_server.url
    cny = (Decimal("12345.67") * RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert cny == Decimal("87654.26")  # 87,654.257 yuan, half-up to the fen

    # The buyer, in Chinese on a phone, opens the meeting's deal form on the schedule.
    buyer_context, page = _sign_in(browser, base, buyer.user.email)
    page.goto(f"{base}/meetings/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    card = page.locator(f"#meeting-{meeting.pk}")
    card.get_by_text("登记意向成交").click()
    form = card.locator("form.deal-form")
    today = timezone.now().astimezone(expo.tzinfo).date()
    assert form.locator("input[name=date]").input_value() == today.isoformat()
    _fits_the_phone(page)
    _shot(page, "1-schedule-form-zh")

    # A mistyped amount (three decimals) is refused next to the amount; nothing is written.
    form.locator("input[name=amount]").fill("12,345.678")
    form.locator("select[name=currency]").select_option("USD")
    form.locator("select[name=category]").select_option("chiffon")
    form.locator("input[name=quantity_m]").fill("3000")
    form.get_by_role("button", name="保存成交").click()
    page.wait_for_load_state()
    assert page.locator(f"#deal{meeting.pk}_amount_error").inner_text() == "最多保留两位小数。"
    assert Deal.objects.count() == 0
    _fits_the_phone(page)
    _shot(page, "2-amount-refused-zh")

    # Corrected on the same page (the other fields kept), the deal is saved and shown on the card.
    form = page.locator("form.deal-form")
    assert form.locator("select[name=currency]").input_value() == "USD"
    form.locator("input[name=amount]").fill("12,345.67")
    form.get_by_role("button", name="保存成交").click()
    page.wait_for_url(f"**/meetings/#meeting-{meeting.pk}")
    card = page.locator(f"#meeting-{meeting.pk}")
    assert card.locator(".deal-amount").inner_text() == "12,345.67 USD"
    assert card.locator(".deal-cny").inner_text() == "≈ 87,654.26 元"
    assert (
        page.locator(".message.success").inner_text() == "意向成交已保存：12,345.67 USD，折合 87,654.26 元。"
    )
    _fits_the_phone(page)
    _shot(page, "3-deal-on-card-zh")

    # On the same card: two swatches of chiffon asked for, then the buyer's feedback.
    card.get_by_text("申请样品").click()
    samples = card.locator("form.sample-form")
    samples.locator("select[name=fabric]").select_option("chiffon")
    samples.locator("input[name=quantity]").fill("2")
    samples.get_by_role("button", name="登记样品申请").click()
    page.wait_for_url(f"**/meetings/#meeting-{meeting.pk}")
    card = page.locator(f"#meeting-{meeting.pk}")
    assert card.locator(".sample").inner_text() == "2 × 雪纺 已申请"
    card.get_by_text("洽谈反馈").click()
    feedback = card.locator("form.feedback-form")
    feedback.get_by_label("是").check()
    feedback.locator("select[name=interest]").select_option("high")
    _fits_the_phone(page)
    _shot(page, "3b-feedback-form-zh")
    feedback.get_by_role("button", name="保存我的反馈").click()
    page.wait_for_url(f"**/meetings/#meeting-{meeting.pk}")
    summary = page.locator(f"#meeting-{meeting.pk} form.feedback-form").locator(
        "xpath=ancestor::details/summary"
    )
    assert summary.inner_text() == "洽谈反馈 · 已进行，意向程度：高"
    buyer_context.close()

    deal = Deal.objects.get()
    assert (deal.meeting_id, deal.amount, deal.currency, deal.rate, deal.amount_cny_fen) == (
        meeting.pk,
        Decimal("12345.67"),
        "USD",
        RATE,
        int(cny * 100),
    )
    assert list(DealChange.objects.values_list("action", "changed_by")) == [("created", buyer.user.pk)]

    # The exhibitor's staff member, in Chinese on a phone, finds the same deal on the floor page.
    staff_context, floor = _sign_in(browser, base, staff_of(exhibitor).email)
    day = meeting.slot.start.astimezone(expo.tzinfo).date()
    floor.goto(f"{base}/floor/?date={day.isoformat()}")
    card = floor.locator(f"#meeting-{meeting.pk}")
    assert card.locator(".deal-amount").inner_text() == "12,345.67 USD"
    assert card.locator(".deal-cny").inner_text() == "≈ 87,654.26 元"
    assert card.locator("form.deal-form input[name=amount]").input_value() == "12345.67"
    _fits_the_phone(floor)
    _shot(floor, "4-floor-zh")
    staff_context.close()

    # The organiser, in Chinese on a phone, sees it in the dashboard's totals and charts.
    organiser = OrganiserFactory(preferred_language="zh-hans")
    organiser_context, dash = _sign_in(browser, base, organiser.email)
    dash.goto(f"{base}/organiser/dashboard/")
    volume = dash.locator(".figure.wide .number")
    assert volume.inner_text() == "¥87,654.26"
    data = dash.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")
    assert (data["fabrics"]["labels"], data["fabrics"]["values"]) == (["雪纺"], ["87654.26"])
    assert data["days"]["values"] == ["87654.26"]
    assert data["days"]["counts"] == [1]
    assert (data["exhibitors"]["labels"], data["exhibitors"]["values"]) == ([exhibitor.name_zh], ["87654.26"])
    dash.wait_for_function("typeof Chart !== 'undefined' && Chart.getChart('chart-fabrics') !== undefined")
    drawn = dash.evaluate(
        """['chart-days', 'chart-fabrics', 'chart-exhibitors'].map(function (id) {
             var chart = Chart.getChart(id);
             return [chart.data.labels, chart.data.datasets[0].data];
           })"""
    )
    assert drawn == [
        [data["days"]["labels"], [87654.26]],
        [["雪纺"], [87654.26]],
        [[exhibitor.name_zh], [87654.26]],
    ]
    _fits_the_phone(dash)
    _shot(dash, "5-dashboard-zh")

    # The deal totals as XLSX: the total is the deal's CNY amount, exactly.
    link = dash.locator("a[href*='format=xlsx']")
    assert link.inner_text() == "按展商汇总成交（XLSX）"
    with dash.expect_download() as download:
        link.click()
    path = tmp_path / "deal-totals.xlsx"
    download.value.save_as(path)
    organiser_context.close()

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, total = rows[0], rows[-1]
    column = header.index("total_cny")
    assert total[1] == "合计"
    assert Decimal(str(total[column])) == cny
    (only,) = rows[1:-1]
    assert (only[0], only[1], Decimal(str(only[column]))) == (str(exhibitor.pk), exhibitor.name_zh, cny)
