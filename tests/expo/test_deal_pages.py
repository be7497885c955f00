"""The web side of deals: a meeting's intended deal, sample requests and feedback, logged from the
buyer's schedule (`/meetings/`) and the staff's floor page (`/floor/`) through the deal services."""

import datetime
import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from expo.models import Deal, DealChange, MeetingFeedback, SampleRequest
from expo.services.deals import deal_create
from expo.services.floor import expo_slots_generate
from expo.services.money import exchange_rate_set
from tests.factories.accounts import OrganiserFactory
from tests.factories.expo import ExpoFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, meeting_between, staff_of

pytestmark = pytest.mark.django_db

_MINUTES = itertools.count()


@pytest.fixture
def expo():
    """An expo on now (today in its zone and two more days) that knows the US dollar at 7.1."""
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.1"))
    return expo


@pytest.fixture
def scene(expo):
    return exhibitor_with_tables(expo=expo, tables=3), buyer_at(expo, verified=True)


def _today_meeting(buyer, exhibitor, status="accepted"):
    """A meeting today (in the expo's zone) that started a little while ago (just after midnight, one
    starting soon): on the floor page too."""
    now, minutes = timezone.now().replace(second=0, microsecond=0), timedelta(minutes=next(_MINUTES) + 1)
    tz = exhibitor.expo.tzinfo
    start = (
        now - minutes if (now - minutes).astimezone(tz).date() == now.astimezone(tz).date() else now + minutes
    )
    return meeting_between(buyer, exhibitor, status=status, start=start)


def _signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _deal_form(**extra):
    return {
        "amount": "12,345.67",
        "currency": "USD",
        "quantity_m": "3000",
        "category": "chiffon",
        "stage": "negotiating",
        "date": "",
        "note": "Lab dips first",
        "next": "/meetings/",
        **extra,
    }


def _squash(html: str) -> str:
    """The page without the blank space between tags (Django renders options one a line)."""
    return re.sub(r">\s+<", "><", html)


def _error(meeting, form: str, field: str, message: str) -> str:
    return f'<small class="error" id="{form}{meeting.pk}_{field}_error">{message}</small>'


# --- The buyer's schedule -------------------------------------------------------------------------


def test_schedule_offers_the_deal_form_on_accepted_and_checked_in_meetings_only(client, scene, expo):
    exhibitor, buyer = scene
    accepted = _today_meeting(buyer, exhibitor, "accepted")
    checked_in = _today_meeting(buyer, exhibitor, "checked_in")
    requested = _today_meeting(buyer, exhibitor, "requested")

    html = _signed_in(client, buyer.user).get("/meetings/").content.decode()

    forms = [f'action="/meetings/{m.pk}/deal/"' for m in (accepted, checked_in, requested)]
    assert [html.count(form) for form in forms] == [1, 1, 0]
    samples = [f'action="/meetings/{m.pk}/samples/"' for m in (accepted, checked_in, requested)]
    assert [html.count(form) for form in samples] == [1, 1, 0]
    today = timezone.now().astimezone(expo.tzinfo).date()
    # The date defaults to today in the expo's zone; the currencies are CNY and those with a rate.
    assert (
        f'name="date" value="{today:%Y-%m-%d}" aria-describedby="deal{accepted.pk}_date_helptext" id="deal{accepted.pk}_date"'
        in html
    )
    assert (
        '<option value="CNY">CNY · Chinese yuan</option><option value="USD">USD · US dollar</option></select>'
        in _squash(html)
    )


def test_buyer_logs_the_meetings_deal_and_sees_it_on_the_card(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user)

    response = signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/#meeting-{meeting.pk}"
    deal = Deal.objects.get()
    expected_fen = int((Decimal("12345.67") * Decimal("7.1")).quantize(Decimal("0.01")) * 100)
    assert expected_fen == 8765426  # 87,654.257 yuan, half-up to the fen
    assert (deal.meeting, deal.buyer, deal.exhibitor, deal.created_by) == (
        meeting,
        buyer,
        exhibitor,
        buyer.user,
    )
    assert (deal.amount, deal.currency, deal.rate, deal.amount_cny_fen) == (
        Decimal("12345.67"),
        "USD",
        Decimal("7.1"),
        expected_fen,
    )
    assert (deal.quantity_m, deal.category.slug, deal.stage, deal.note) == (
        3000,
        "chiffon",
        "negotiating",
        "Lab dips first",
    )
    assert deal.date == timezone.now().astimezone(expo.tzinfo).date()
    page = signed_in.get("/meetings/").content.decode()
    assert '<span class="deal-amount">12,345.67 USD</span>' in page
    assert '<span class="deal-cny">≈ 87,654.26 CNY</span>' in page
    assert "The intended deal is saved: 12,345.67 USD, 87,654.26 CNY." in page


def test_changing_the_deal_updates_it_and_keeps_its_history(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user)
    signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    html = signed_in.get("/meetings/").content.decode()
    assert 'name="amount" value="12345.67"' in html  # the form holds the deal
    response = signed_in.post(
        f"/meetings/{meeting.pk}/deal/", _deal_form(amount="20000", stage="signed", date="2026-01-05")
    )

    assert response.status_code == 302
    deal = Deal.objects.get()  # the meeting holds one deal: changed, not doubled
    assert (deal.amount, deal.amount_cny_fen, deal.stage, deal.date) == (
        Decimal("20000.00"),
        14200000,
        "signed",
        datetime.date(2026, 1, 5),
    )
    changes = list(DealChange.objects.filter(deal=deal).order_by("id"))
    assert [c.action for c in changes] == ["created", "changed"]
    assert (changes[1].changed_by, changes[1].before, changes[1].after) == (
        buyer.user,
        {
            "amount": "12345.67",
            "amount_cny": "87654.26",
            "stage": "negotiating",
            "date": changes[0].after["date"],
        },
        {"amount": "20000.00", "amount_cny": "142000.00", "stage": "signed", "date": "2026-01-05"},
    )


def test_a_cny_deal_shows_no_conversion(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user)

    signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form(amount="8800", currency="CNY"))

    page = signed_in.get("/meetings/").content.decode()
    assert '<span class="deal-amount">8,800.00 CNY</span>' in page
    assert "deal-cny" not in page
    assert Deal.objects.get().amount_cny_fen == 880000


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "1.001"}, "amount", "Use at most two decimal places."),
        ({"amount": "-5"}, "amount", "The amount must be greater than zero."),
        ({"amount": "0"}, "amount", "The amount must be greater than zero."),
        ({"amount": "100000000000000"}, "amount", "The amount is too large."),
        ({"amount": "1e400"}, "amount", "The amount is too large."),
        ({"amount": "12\x0034"}, "amount", "Null characters are not allowed."),
        ({"amount": "abc"}, "amount", "Enter the amount as a decimal number, e.g. 12500.00."),
        ({"amount": "1,5"}, "amount", "Enter the amount as a decimal number, e.g. 12500.00."),
        ({"amount": "NaN"}, "amount", "Enter the amount as a decimal number, e.g. 12500.00."),
        ({"amount": ""}, "amount", "This field is required."),
        ({"currency": "GBP"}, "currency", "Choose one of this expo&#x27;s currencies."),
        ({"currency": "US\x00"}, "currency", "Choose one of this expo&#x27;s currencies."),
        ({"category": "dyeing"}, "category", "Choose a fabric from the list."),  # a process
        ({"quantity_m": "0"}, "quantity_m", "Ensure this value is greater than or equal to 1."),
        (
            {"quantity_m": "99999999999"},
            "quantity_m",
            "Ensure this value is less than or equal to 2147483647.",
        ),
        ({"stage": "closed"}, "stage", "Select a valid choice. closed is not one of the available choices."),
        ({"date": "2027-02-30"}, "date", "Enter a valid date."),
        ({"note": "a\x00b"}, "note", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_400_next_to_its_field_and_writes_nothing(client, scene, change, field, message):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user).post(f"/meetings/{meeting.pk}/deal/", _deal_form(**change))

    assert response.status_code == 400
    html = response.content.decode()
    assert _error(meeting, "deal", field, message) in html
    assert html.count('<small class="error"') == 1
    assert '<details class="follow-up-form" open>' in html  # the deal form, unfolded
    assert (Deal.objects.count(), DealChange.objects.count()) == (0, 0)


def test_a_bad_change_leaves_the_deal_as_it_was(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user)
    signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    response = signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form(amount="5", currency="JPY"))

    assert response.status_code == 400
    assert _error(meeting, "deal", "currency", "Choose one of this expo&#x27;s currencies.") in (
        response.content.decode()
    )
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency, DealChange.objects.count()) == (Decimal("12345.67"), "USD", 1)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "1.001"}, "amount", "最多保留两位小数。"),
        ({"amount": "-5"}, "amount", "金额必须大于零。"),
        ({"amount": "12\x0034"}, "amount", "不允许出现空字符。"),
        ({"currency": "GBP"}, "currency", "请选择本届展会的一种币种。"),
    ],
)
def test_errors_in_chinese(client, scene, change, field, message):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user, "zh-hans").post(
        f"/meetings/{meeting.pk}/deal/", _deal_form(**change)
    )

    assert response.status_code == 400
    assert _error(meeting, "deal", field, message) in response.content.decode()


def test_schedule_in_chinese(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user, "zh-hans")

    response = signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form(), follow=True)

    html = response.content.decode()
    assert "意向成交已保存：12,345.67 USD，折合 87,654.26 元。" in html
    assert '<span class="deal-cny">≈ 87,654.26 元</span>' in html
    assert "<small>雪纺 · 3000 米 · 洽谈中 · " in html
    assert "<summary>修改成交</summary>" in html
    assert "<summary>申请样品</summary>" in html
    assert "<summary>洽谈反馈</summary>" in html
    assert (
        f'<label for="deal{meeting.pk}_amount">金额 <span class="required" aria-hidden="true">*</span></label>'
        in html
    )
    assert '<optgroup label="梭织"><option value="woven">梭织</option><option value="chiffon"' in _squash(
        html
    )
    assert '<option value="negotiating" selected>洽谈中</option>' in html
    assert '<option value="CNY">CNY · 人民币</option>' in html
    assert '<option value="USD" selected>USD · 美元</option>' in html


def test_another_buyers_meeting_is_a_404(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    other = buyer_at(expo, verified=True)
    signed_in = _signed_in(client, other.user)

    answers = [
        signed_in.get(f"/meetings/{meeting.pk}/deal/").status_code,
        signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form()).status_code,
        signed_in.post(
            f"/meetings/{meeting.pk}/samples/", {"fabric": "chiffon", "quantity": "1"}
        ).status_code,
        signed_in.post(f"/meetings/{meeting.pk}/feedback/", {"took_place": "yes"}).status_code,
        signed_in.post("/meetings/999999/deal/", _deal_form()).status_code,
    ]

    assert answers == [404, 404, 404, 404, 404]
    assert (Deal.objects.count(), SampleRequest.objects.count(), MeetingFeedback.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("status", ["requested", "declined", "cancelled"])
def test_a_meeting_that_was_not_accepted_is_refused_with_a_message(client, scene, status):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor, status)
    signed_in = _signed_in(client, buyer.user)

    shown = signed_in.get(f"/meetings/{meeting.pk}/deal/")
    posted = signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    message = '<p class="form-error" role="alert">Only an accepted or checked-in meeting can hold a deal.</p>'
    assert (shown.status_code, posted.status_code) == (409, 400)
    assert message in shown.content.decode()
    assert message in posted.content.decode()
    assert 'class="deal-form"' not in posted.content.decode()
    assert Deal.objects.count() == 0


def test_organisers_use_the_back_office(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, OrganiserFactory()).post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    assert response.status_code == 403
    assert Deal.objects.count() == 0


def test_the_deal_page_shows_the_forms_on_their_own(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user).get(f"/meetings/{meeting.pk}/deal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/meetings/#meeting-{meeting.pk}">My meetings</a>' in html
    assert [
        html.count(f'action="/meetings/{meeting.pk}/{name}/"') for name in ("deal", "samples", "feedback")
    ] == [
        1,
        1,
        1,
    ]


def test_the_schedules_queries_do_not_grow_with_deals(client, expo):
    def queries(n: int) -> int:
        exhibitor = exhibitor_with_tables(expo=expo, tables=n)
        buyer = buyer_at(expo, verified=True)
        for _ in range(n):
            meeting = _today_meeting(buyer, exhibitor)
            deal_create(
                user=buyer.user,
                expo=expo,
                buyer=buyer,
                exhibitor=exhibitor,
                meeting=meeting,
                amount="10",
                currency="USD",
                category="satin",
            )
        signed_in = _signed_in(client, buyer.user)
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get("/meetings/").status_code == 200
        return len(captured)

    assert queries(1) == queries(3)


# --- Samples and feedback -------------------------------------------------------------------------


def test_buyer_requests_samples_and_sees_them_on_the_card(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    signed_in = _signed_in(client, buyer.user)

    response = signed_in.post(
        f"/meetings/{meeting.pk}/samples/",
        {"fabric": "satin", "quantity": "3", "note": "Navy", "next": "/meetings/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/#meeting-{meeting.pk}"
    sample = SampleRequest.objects.get()
    assert (
        sample.meeting,
        sample.fabric.slug,
        sample.quantity,
        sample.note,
        sample.status,
        sample.requested_by,
    ) == (
        meeting,
        "satin",
        3,
        "Navy",
        "requested",
        buyer.user,
    )
    page = signed_in.get("/meetings/").content.decode()
    assert '<span class="sample">3 × Satin <span class="status">Requested</span></span>' in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"fabric": "satin", "quantity": "0"},
            "quantity",
            "Ensure this value is greater than or equal to 1.",
        ),
        ({"fabric": "twill-x", "quantity": "1"}, "fabric", "Choose a fabric from the list."),
        ({"fabric": "satin", "quantity": "1", "note": "x\x00"}, "note", "Null characters are not allowed."),
    ],
)
def test_bad_sample_requests_are_400s_next_to_the_field(client, scene, form, field, message):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user).post(f"/meetings/{meeting.pk}/samples/", form)

    assert response.status_code == 400
    assert _error(meeting, "sample", field, message) in response.content.decode()
    assert SampleRequest.objects.count() == 0


def test_feedback_is_set_then_changed(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor, "checked_in")
    signed_in = _signed_in(client, buyer.user)

    first = signed_in.post(f"/meetings/{meeting.pk}/feedback/", {"took_place": "yes", "interest": "high"})
    second = signed_in.post(f"/meetings/{meeting.pk}/feedback/", {"took_place": "yes", "interest": "medium"})

    assert (first.status_code, second.status_code) == (302, 302)
    feedback = MeetingFeedback.objects.get()
    assert (feedback.side, feedback.took_place, feedback.interest, feedback.given_by) == (
        "buyer",
        True,
        "medium",
        buyer.user,
    )
    page = signed_in.get("/meetings/").content.decode()
    assert "<summary>Feedback on the meeting · took place, interest: Medium</summary>" in page


def test_interest_without_the_meeting_taking_place_is_refused_next_to_interest(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user, "zh-hans").post(
        f"/meetings/{meeting.pk}/feedback/", {"took_place": "no", "interest": "high"}
    )

    assert response.status_code == 400
    assert (
        _error(meeting, "feedback", "interest", "只有已进行的洽谈才能填写意向程度。")
        in response.content.decode()
    )
    assert MeetingFeedback.objects.count() == 0


# --- Exhibitor staff on the floor page --------------------------------------------------------------


def test_staff_log_and_change_their_meetings_deal_on_the_floor(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    staff = staff_of(exhibitor)
    signed_in = _signed_in(client, staff)

    html = signed_in.get("/floor/").content.decode()
    assert html.count(f'action="/meetings/{meeting.pk}/deal/"') == 1
    assert '<input type="hidden" name="next" value="/floor/">' in html
    created = signed_in.post(f"/meetings/{meeting.pk}/deal/", _deal_form(next="/floor/"))
    # The buyer changes the same deal from the schedule: both sides edit one deal.
    changed = _signed_in(client, buyer.user).post(f"/meetings/{meeting.pk}/deal/", _deal_form(amount="100"))

    assert created["Location"] == f"/floor/#meeting-{meeting.pk}"
    assert changed.status_code == 302
    deal = Deal.objects.get()
    assert (deal.created_by, deal.amount) == (staff, Decimal("100.00"))
    assert [(c.action, c.changed_by) for c in DealChange.objects.order_by("id")] == [
        ("created", staff),
        ("changed", buyer.user),
    ]


def test_staff_of_another_company_get_a_404(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    stranger = staff_of(exhibitor_with_tables(expo=expo))

    response = _signed_in(client, stranger).post(f"/meetings/{meeting.pk}/deal/", _deal_form())

    assert response.status_code == 404
    assert Deal.objects.count() == 0


def test_staff_feedback_is_the_exhibitors_side(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    _signed_in(client, buyer.user).post(f"/meetings/{meeting.pk}/feedback/", {"took_place": "yes"})

    response = _signed_in(client, staff_of(exhibitor)).post(
        f"/meetings/{meeting.pk}/feedback/", {"took_place": "no", "next": "/floor/"}
    )

    assert response["Location"] == f"/floor/#meeting-{meeting.pk}"
    assert sorted(MeetingFeedback.objects.values_list("side", "took_place")) == [
        ("buyer", True),
        ("exhibitor", False),
    ]


def test_amount_written_with_full_width_digits_is_read(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)

    response = _signed_in(client, buyer.user).post(
        f"/meetings/{meeting.pk}/deal/", _deal_form(amount="１２，３４５．６７")
    )

    assert response.status_code == 302
    assert Deal.objects.get().amount == Decimal("12345.67")


def _sample(meeting, user):
    from expo.services.deals import sample_request_create

    return sample_request_create(user=user, meeting=meeting, fabric="satin", quantity=2)


def test_staff_mark_samples_sent_and_the_buyer_received(client, scene):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    sample = _sample(meeting, buyer.user)
    staff = _signed_in(client, staff_of(exhibitor))
    assert f'action="/meetings/samples/{sample.pk}/"' in staff.get("/floor/").content.decode()

    sent = staff.post(f"/meetings/samples/{sample.pk}/", {"status": "sent", "next": "/floor/"})
    buyer_client = _signed_in(client, buyer.user, "zh-hans")
    page = buyer_client.get("/meetings/").content.decode()
    received = buyer_client.post(f"/meetings/samples/{sample.pk}/", {"status": "received"}, follow=True)

    assert sent["Location"] == f"/floor/#meeting-{meeting.pk}"
    assert 'name="status" value="received" class="outline">标记为已收到</button>' in page
    assert "色丁样品：已收到。" in received.content.decode()
    sample.refresh_from_db()
    assert sample.status == "received"


def test_a_sample_never_moves_back_and_strangers_get_a_404(client, scene, expo):
    exhibitor, buyer = scene
    meeting = _today_meeting(buyer, exhibitor)
    sample = _sample(meeting, buyer.user)
    signed_in = _signed_in(client, buyer.user)
    signed_in.post(f"/meetings/samples/{sample.pk}/", {"status": "received"})

    back = signed_in.post(f"/meetings/samples/{sample.pk}/", {"status": "sent"}, follow=True)
    other = _signed_in(client, buyer_at(expo).user).post(
        f"/meetings/samples/{sample.pk}/", {"status": "sent"}
    )
    stranger = _signed_in(client, staff_of(exhibitor_with_tables(expo=expo))).post(
        f"/meetings/samples/{sample.pk}/", {"status": "sent"}
    )

    assert "A sample&#x27;s status only moves forward: requested, sent, received." in back.content.decode()
    assert (other.status_code, stranger.status_code) == (404, 404)
    sample.refresh_from_db()
    assert sample.status == "received"
