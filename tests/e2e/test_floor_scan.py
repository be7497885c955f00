"""Check-in by camera on the staff's floor page, in Debian's Chromium with a fake camera that films
the buyer's real meeting QR code (a Y4M video made here with segno).

Debian's Chromium has no BarcodeDetector (nor has iPhone Safari), and the test removes it in any
case, so the page's fallback runs: the vendored jsQR decoder reading video frames drawn onto a
canvas, under the site's strict Content-Security-Policy. Skipped, with the reason, where Chromium
or Playwright is absent (tests/e2e/conftest.py).
"""

import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from django.utils import timezone

from expo.models import Meeting, MeetingStatus
from expo.services import meetings as svc
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.factories.accounts import PASSWORD
from tests.factories.expo import ExpoFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, slot_at, staff_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
WIDTH, HEIGHT = 640, 480


def qr_video(text: str, path: Path, *, frames: int = 5) -> Path:
    """A Y4M (YUV 4:2:0) video of `text` as a QR code, black modules on white with a quiet zone,
    as the buyer's phone shows it; Chromium's fake camera plays it in a loop."""
    qr = segno.make(text, micro=False, error="m")
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(scale=1, border=4)]
    scale = (min(WIDTH, HEIGHT) - 40) // len(rows)  # as large as fits, whole pixels per module
    size = len(rows) * scale
    top, left = (HEIGHT - size) // 2, (WIDTH - size) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for y in range(size):
        row = rows[y // scale]
        line = bytes(row[x // scale] for x in range(size))
        start = (top + y) * WIDTH + left
        luma[start : start + size] = line
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path


@pytest.fixture
def meeting():
    """An accepted meeting starting in ten minutes (check-in is open), the staff reading Chinese."""
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today - timedelta(days=1), days=3)
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    buyer = buyer_at(expo, verified=True)
    slot = slot_at(expo, timezone.now().replace(microsecond=0, second=0) + timedelta(minutes=10))
    booked = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slot, actor=buyer.user)
    staff = staff_of(exhibitor)
    staff.preferred_language = "zh-hans"
    staff.save(update_fields=["preferred_language"])
    return svc.meeting_accept(meeting=booked, actor=staff)


@pytest.fixture
def camera_browser(monkeypatch, meeting, tmp_path):
    """Chromium whose camera films the buyer's QR code for `meeting` (permission prompts accepted)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    video = qr_video(meeting.check_in_code, tmp_path / "qr.y4m")
    args = [
        *LAUNCH_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        yield browser
        browser.close()


def test_staff_check_a_buyer_in_by_scanning_with_the_camera(camera_browser, live_server, meeting, shot):
    base = live_server.url
    staff = meeting.owner
    context = camera_browser.new_context(viewport=PHONE, locale="zh-CN", base_url=base)
    context.grant_permissions(["camera"], origin=base)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    # The fallback is what this test is about: take BarcodeDetector away even where it exists.
    context.add_init_script("delete window.BarcodeDetector;")
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    day = meeting.slot.start.astimezone(meeting.expo.tzinfo).date().isoformat()
    page.goto(f"/floor/?date={day}")
    card = page.locator(f"#meeting-{meeting.pk}")
    assert card.locator(".status").inner_text() == "已接受"
    shot(page, "floor-zh-phone")
    scripts = []
    page.on("request", lambda r: scripts.append(r.url.split("/static/")[-1]) if "jsQR" in r.url else None)
    page.get_by_role("button", name="用摄像头扫码").click()

    # The page decodes a frame, fills in the code and posts it; the floor comes back with the answer.
    page.locator(".messages").wait_for(timeout=20_000)
    shot(page, "floor-zh-phone-checked-in")
    local = meeting.slot.start.astimezone(meeting.expo.tzinfo)
    assert f"{meeting.buyer} 已签到（{local:%H:%M} 的洽谈）。" in page.locator("main").inner_text()
    assert card.locator(".status").inner_text() == "已签到"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CHECKED_IN
    assert Meeting.objects.get(pk=meeting.pk).checked_in_at is not None
    assert scripts == ["vendor/jsqr/jsQR.js"]  # loaded once, when the camera was asked for
    assert violations == []
    context.close()
