"""A browser journey through the meeting pages, in Debian's Chromium driven by Playwright:
a buyer reading Chinese books from a recommendation on a phone-sized page, the exhibitor's staff
member accepts in the admin agenda, the buyer sees it accepted and downloads the calendar file.

Never downloads a browser: it uses /usr/bin/chromium and is skipped, with the reason, where that
or the Playwright client is missing.
"""

import datetime
import os
import shutil
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from expo.models import Meeting, MeetingStatus, Slot
from expo.services.floor import expo_slots_generate
from matching.services import runs
from tests.factories.accounts import PASSWORD
from tests.factories.expo import ExhibitorStaffFactory, ExpoFactory
from tests.factories.matching import buyer_with, exhibitor_with
from tests.factories.meetings import booth_with_tables, staff_of

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

playwright_api = pytest.importorskip("playwright.sync_api", reason="the Playwright client is not installed")
pytestmark = [
    pytest.mark.e2e,
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
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    booth_with_tables(expo=expo, exhibitor=exhibitor, tables=1)
    ExhibitorStaffFactory(exhibitor=exhibitor)
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], verified=True)
    buyer.user.preferred_language = "zh-hans"
    buyer.user.save(update_fields=["preferred_language"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    return expo, exhibitor, buyer, today + timedelta(days=1)


def _sign_in(browser, base: str, email: str, *, language: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN" if language == "zh-hans" else "en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def test_buyer_books_in_chinese_staff_accepts_buyer_downloads_calendar(live_server, browser, scene, tmp_path):
    expo, exhibitor, buyer, tomorrow = scene
    base = live_server.url
    first_of_tomorrow = (
        Slot.objects.filter(
            expo=expo, start__gte=datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=expo.tzinfo)
        )
        .order_by("start")
        .first()
    )

    # The buyer, in Chinese on a phone, books from the recommendation.
    buyer_context, page = _sign_in(browser, base, buyer.user.email, language="zh-hans")
    page.goto(f"{base}/recommendations/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_role("button", name="预约洽谈").first.click()
    page.wait_for_url(f"**/exhibitors/{exhibitor.pk}/book/**")
    page.locator(".day-tabs a").nth(1).click()  # tomorrow, swapped in by htmx
    page.locator(f'button[data-slot="{first_of_tomorrow.pk}"]').wait_for()
    page.locator(f'button[data-slot="{first_of_tomorrow.pk}"]').click()
    page.wait_for_url("**/meetings/**")
    card = page.locator(".meeting-card").first
    assert card.locator(".status").inner_text() == "待确认"
    meeting = Meeting.objects.get(buyer=buyer)
    assert (meeting.exhibitor, meeting.slot, meeting.status) == (
        exhibitor,
        first_of_tomorrow,
        MeetingStatus.REQUESTED,
    )

    # The staff member accepts in the admin agenda.
    staff = staff_of(exhibitor)
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff_context.new_page()
    admin.goto(f"{base}/admin/login/")
    admin.fill("input[name=username]", staff.email)
    admin.fill("input[name=password]", PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.goto(f"{base}/admin/expo/exhibitor/agenda/?date={tomorrow.isoformat()}")
    admin.locator(f"#meeting-{meeting.pk} button[value=accept]").click()
    admin.wait_for_load_state()
    assert admin.locator(f"#meeting-{meeting.pk}").get_attribute("class") == "meeting accepted"
    staff_context.close()

    # The buyer sees it accepted, with the check-in code, and downloads the calendar file.
    page.goto(f"{base}/meetings/")
    card = page.locator(f"#meeting-{meeting.pk}")
    assert card.locator(".status").inner_text() == "已接受"
    assert card.locator("svg.segno").count() == 1
    with page.expect_download() as download:
        page.get_by_role("button", name="下载日历文件（.ics）").click()
    path = tmp_path / "meetings.ics"
    download.value.save_as(path)
    buyer_context.close()

    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@{expo.slug}.shuttle"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").astimezone(datetime.UTC) == first_of_tomorrow.start
    assert str(event["SUMMARY"]) == f"洽谈：{exhibitor.name_zh}"
