import statistics
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from accounts.services import GROUP_EXHIBITOR_STAFF, GROUP_ORGANISERS
from expo.management.commands.seed_demo import logins_box
from expo.management.commands.serve_demo import Command as ServeDemoCommand
from expo.models import (
    Booth,
    Buyer,
    Deal,
    ExchangeRate,
    Exhibitor,
    ExhibitorStaff,
    Expo,
    Hall,
    Meeting,
    MeetingEvent,
    MeetingFeedback,
    SampleRequest,
    Slot,
    Table,
    Term,
)
from expo.services.demo import DemoLogin, demo_email_domain, demo_plan, demo_reset, demo_seed
from expo.services.demo.plan import _band
from expo.services.reports import TotalsFilter, deal_totals
from expo.signals import profiles_imported

pytestmark = pytest.mark.django_db

EXHIBITOR_FACETS = ("fabrics", "processes", "fibres", "end_uses", "certifications")
BUYER_FACETS = ("fabrics", "processes", "fibres", "end_uses", "certifications_required")


def slugs(manager) -> tuple[str, ...]:
    return tuple(sorted(term.slug for term in manager.all()))


def dump(slug: str) -> dict:
    """Everything the demo wrote for an expo, without primary keys, emails without their domain."""
    domain = demo_email_domain(slug)
    expo = Expo.objects.get(slug=slug)
    exhibitors = Exhibitor.objects.filter(expo=expo).prefetch_related(*EXHIBITOR_FACETS, "booths__hall")
    buyers = Buyer.objects.filter(expo=expo).select_related("user").prefetch_related(*BUYER_FACETS)
    return {
        "expo": (expo.name, expo.name_zh, expo.start_date, expo.days, expo.slot_minutes, expo.time_zone),
        "halls": sorted(Hall.objects.filter(expo=expo).values_list("code", "name_en", "name_zh")),
        "rates": sorted(ExchangeRate.objects.filter(expo=expo).values_list("currency", "rate_to_cny")),
        "exhibitors": sorted(
            (
                e.external_id,
                e.name_en,
                e.name_zh,
                e.country.code,
                e.province,
                e.region,
                e.description_en,
                e.description_zh,
                e.moq_m,
                e.capacity_m_month,
                e.price_min_cny,
                e.price_max_cny,
                e.lead_time_days,
                e.contact_email,
                e.contact_phone,
                e.website,
                *(slugs(getattr(e, name)) for name in EXHIBITOR_FACETS),
                tuple((b.hall.code, b.code, b.tables) for b in e.booths.all()),
            )
            for e in exhibitors
        ),
        "buyers": sorted(
            (
                b.external_id,
                b.user.email.removesuffix(domain),
                b.user.name,
                b.user.role,
                b.company,
                b.country.code,
                b.order_quantity_m,
                b.price_min_cny,
                b.price_max_cny,
                b.lead_time_days,
                b.verified,
                *(slugs(getattr(b, name)) for name in BUYER_FACETS),
            )
            for b in buyers
        ),
        "tables": sorted(
            Table.objects.filter(booth__expo=expo).values_list("booth__code", "number", "is_active")
        ),
    }


def test_demo_seed_is_deterministic_for_a_fixed_seed():
    demo_seed(buyers=60, exhibitors=15, seed=7, expo_slug="demo-a")
    demo_seed(buyers=60, exhibitors=15, seed=7, expo_slug="demo-b")

    first, second = dump("demo-a"), dump("demo-b")
    assert first == second
    assert len(first["exhibitors"]) == 15
    assert len(first["buyers"]) == 60


def test_demo_seed_reseeded_after_reset_gives_the_same_data():
    demo_seed(buyers=30, exhibitors=8, seed=3)
    before = dump("demo")

    demo_reset(expo_slug="demo")
    demo_seed(buyers=30, exhibitors=8, seed=3)

    assert dump("demo") == before


def test_demo_seed_differs_for_another_seed():
    demo_seed(buyers=60, exhibitors=15, seed=1, expo_slug="demo-a")
    demo_seed(buyers=60, exhibitors=15, seed=2, expo_slug="demo-b")

    first, second = dump("demo-a"), dump("demo-b")
    assert first["exhibitors"] != second["exhibitors"]
    assert first["buyers"][1:] != second["buyers"][1:]
    names_a = {row[1] for row in first["exhibitors"]}
    names_b = {row[1] for row in second["exhibitors"]}
    assert len(names_a & names_b) < 5


def test_demo_seed_counts_match_the_arguments():
    result = demo_seed(buyers=50, exhibitors=12, seed=1)

    expo = Expo.objects.get(slug="demo")
    assert expo.is_current is True
    assert Expo.objects.current() == expo
    assert (result.buyers, result.exhibitors, result.booths) == (50, 12, 12)
    assert Buyer.objects.filter(expo=expo).count() == 50
    assert Exhibitor.objects.filter(expo=expo).count() == 12
    assert Booth.objects.filter(expo=expo, exhibitor__isnull=False).count() == 12
    table_total = Booth.objects.filter(expo=expo).aggregate(n=Sum("tables"))["n"]
    assert Table.objects.filter(booth__expo=expo).count() == table_total == result.tables
    assert all(1 <= t <= 4 for t in Booth.objects.filter(expo=expo).values_list("tables", flat=True))
    assert User.objects.filter(email__endswith="@demo.shuttle.test").count() == 50 + 2
    assert Hall.objects.filter(expo=expo).count() == result.halls == 8
    assert Slot.objects.filter(expo=expo).count() == 3 * 24  # 09:00–17:00 in 20-minute slots
    assert ExchangeRate.objects.filter(expo=expo, currency="USD").get().rate_to_cny == Decimal("7.12")
    assert len(set(Buyer.objects.filter(expo=expo).values_list("user__email", flat=True))) == 50


def test_demo_seed_logins_authenticate_with_the_demo_password():
    demo_seed(buyers=10, exhibitors=3, seed=1)
    password = settings.SHUTTLE_DEMO_PASSWORD

    organiser = authenticate(email="organiser@demo.shuttle.test", password=password)
    staff = authenticate(email="staff@demo.shuttle.test", password=password)
    buyer = authenticate(email="buyer@demo.shuttle.test", password=password)
    bulk_buyer = authenticate(email="buyer00002@demo.shuttle.test", password=password)

    assert (organiser.role, organiser.is_superuser, organiser.is_staff) == (Role.ORGANISER, True, True)
    assert (staff.role, staff.is_staff, staff.is_superuser) == (Role.EXHIBITOR_STAFF, True, False)
    assert ExhibitorStaff.objects.get(user=staff).exhibitor.external_id == "EX00001"
    assert (buyer.role, buyer.is_staff) == (Role.BUYER, False)
    assert bulk_buyer is not None
    assert authenticate(email="buyer@demo.shuttle.test", password="wrong") is None
    assert list(organiser.groups.values_list("name", flat=True)) == [GROUP_ORGANISERS]
    assert list(staff.groups.values_list("name", flat=True)) == [GROUP_EXHIBITOR_STAFF]
    assert list(buyer.groups.all()) == []


def test_demo_seed_staff_login_opens_its_company_in_the_admin(client):
    demo_seed(buyers=4, exhibitors=3, seed=1)
    own = Exhibitor.objects.get(external_id="EX00001")

    assert client.login(email="staff@demo.shuttle.test", password=settings.SHUTTLE_DEMO_PASSWORD)
    response = client.get(f"/admin/expo/exhibitor/{own.pk}/change/")

    assert response.status_code == 200
    assert own.name_en in response.content.decode()


def test_demo_seed_buyer_login_has_a_complete_profile():
    demo_seed(buyers=5, exhibitors=2, seed=1)

    profile = Buyer.objects.get(user__email="buyer@demo.shuttle.test")

    assert profile.external_id == "B000001"
    assert (profile.company, profile.country.code, profile.verified) == ("Alster Mode GmbH", "DE", True)
    assert slugs(profile.fabrics) == ("chiffon", "georgette", "satin")
    assert slugs(profile.certifications_required) == ("oeko-tex-100",)
    assert all(getattr(profile, name).exists() for name in BUYER_FACETS)
    assert (
        profile.order_quantity_m,
        profile.price_min_cny,
        profile.price_max_cny,
        profile.lead_time_days,
    ) == (
        5000,
        Decimal("9.00"),
        Decimal("22.00"),
        45,
    )


def test_demo_seed_profiles_satisfy_the_model_constraints():
    demo_seed(buyers=120, exhibitors=40, seed=5)

    for exhibitor in Exhibitor.objects.order_by("external_id")[::3]:
        exhibitor.full_clean()
        assert exhibitor.price_min_cny < exhibitor.price_max_cny
        assert exhibitor.price_max_cny.as_tuple().exponent == -2
        assert 7 <= exhibitor.lead_time_days <= 60
        assert exhibitor.moq_m < exhibitor.capacity_m_month
        assert exhibitor.fabrics.exists()
        assert exhibitor.fibres.exists()
    for buyer in Buyer.objects.select_related("user").order_by("external_id")[::7]:
        buyer.full_clean()
        buyer.user.full_clean()
        assert 1 <= buyer.fabrics.count() <= 3
        assert buyer.processes.count() <= 3
    for booth in Booth.objects.select_related("hall", "exhibitor")[::5]:
        booth.full_clean()


def test_demo_seed_facet_popularity_is_skewed():
    demo_seed(buyers=300, exhibitors=20, seed=1)

    counts = Counter(Buyer.fabrics.through.objects.values_list("term__slug", flat=True))
    frequencies = sorted(counts.values(), reverse=True)

    assert frequencies[0] >= 3 * statistics.median(frequencies)


def test_demo_seed_prices_follow_the_fabric_and_fibre():
    silk_low, silk_high, silk_factor, _ = _band(("crepe-de-chine",), ("silk",))
    poly_low, poly_high, poly_factor, _ = _band(("chiffon",), ("polyester-fdy",))

    assert silk_low * silk_factor > poly_high * poly_factor


def test_demo_seed_refuses_bad_counts_naming_the_field():
    with pytest.raises(ValidationError) as error:
        demo_seed(buyers=0, exhibitors=-1, seed=1)

    assert set(error.value.message_dict) == {"buyers", "exhibitors"}
    assert not Expo.objects.filter(slug="demo").exists()


def test_demo_seed_refuses_an_existing_expo():
    demo_seed(buyers=5, exhibitors=2, seed=1)

    with pytest.raises(ValidationError) as error:
        demo_seed(buyers=5, exhibitors=2, seed=2)

    assert list(error.value.message_dict) == ["expo_slug"]


def test_demo_reset_removes_the_expo_its_accounts_and_what_hangs_off_them():
    demo_seed(buyers=8, exhibitors=3, seed=1)
    kept = demo_seed(buyers=4, exhibitors=2, seed=1, expo_slug="kept").expo
    other = User.objects.create_user(email="someone@example.com", password="x-long-password")
    Token.objects.create(user=User.objects.get(email="buyer@demo.shuttle.test"))
    Token.objects.create(user=other)

    demo_reset(expo_slug="demo")

    assert not Expo.objects.filter(slug="demo").exists()
    assert not User.objects.filter(email__endswith="@demo.shuttle.test").exists()
    assert list(Token.objects.values_list("user__email", flat=True)) == ["someone@example.com"]
    assert ExhibitorStaff.objects.get().user.email == "staff@kept.shuttle.test"
    assert Buyer.fabrics.through.objects.filter(buyer__expo=kept).count() == (
        Buyer.fabrics.through.objects.count()
    )
    assert (Buyer.objects.count(), Exhibitor.objects.count(), Booth.objects.count()) == (4, 2, 2)
    assert Hall.objects.filter(expo=kept).count() == Hall.objects.count() == 8
    assert User.objects.count() == 4 + 2 + 1


def test_demo_seed_reports_progress_per_phase():
    calls = []

    result = demo_seed(buyers=12, exhibitors=4, seed=1, progress=lambda *call: calls.append(call))

    phases = list(dict.fromkeys(phase for phase, _done, _total in calls))
    assert phases == [
        "plan",
        "expo",
        "exhibitors",
        "booths",
        "buyers",
        "buyer facets",
        "logins",
        "meetings",
        "commit",
    ]
    assert ("buyers", 12, 12) in calls
    assert ("exhibitors", 4, 4) in calls
    assert list(result.seconds) == phases


def test_demo_seed_announces_profiles_only_when_asked():
    received = []

    def receiver(sender, expo, kind, ids, **kwargs):
        received.append((kind, len(ids)))

    profiles_imported.connect(receiver)
    try:
        demo_seed(buyers=6, exhibitors=2, seed=1, expo_slug="quiet")
        demo_seed(buyers=6, exhibitors=2, seed=1, expo_slug="loud", announce=True)
    finally:
        profiles_imported.disconnect(receiver)

    assert received == [("exhibitors", 2), ("buyers", 6)]


def test_seed_demo_command_seeds_and_prints_the_logins():
    out = StringIO()

    call_command(
        "seed_demo", "--buyers", "20", "--exhibitors", "5", "--seed", "1", "--no-progress", stdout=out
    )

    output = out.getvalue()
    assert "Seeded demo: 5 exhibitors, 20 buyers" in output
    for email in ("organiser@demo.shuttle.test", "staff@demo.shuttle.test", "buyer@demo.shuttle.test"):
        assert email in output
    assert settings.SHUTTLE_DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/admin/" in output


def test_seed_demo_command_if_empty_keeps_existing_data():
    call_command(
        "seed_demo", "--buyers", "10", "--exhibitors", "3", "--seed", "1", "--if-empty", stdout=StringIO()
    )
    before = sorted(Buyer.objects.values_list("pk", "external_id"))
    out = StringIO()

    call_command("seed_demo", "--buyers", "40", "--exhibitors", "9", "--seed", "2", "--if-empty", stdout=out)

    assert "already has data; keeping it" in out.getvalue()
    assert "buyer@demo.shuttle.test" in out.getvalue()
    assert sorted(Buyer.objects.values_list("pk", "external_id")) == before
    assert Exhibitor.objects.count() == 3


def test_seed_demo_command_no_logins_keeps_them_for_serve_demo():
    call_command("seed_demo", "--buyers", "4", "--exhibitors", "2", "--no-logins", stdout=(out := StringIO()))

    assert out.getvalue().startswith("Seeded demo: 2 exhibitors, 4 buyers")
    assert "@demo.shuttle.test" not in out.getvalue()


def test_serve_demo_prints_the_logins_last_below_the_server_start_up_lines():
    call_command("seed_demo", "--buyers", "4", "--exhibitors", "2", "--no-logins", stdout=StringIO())
    out = StringIO()
    command = ServeDemoCommand(stdout=out)
    command.demo_expo, command.addr, command._raw_ipv6 = "demo", "127.0.0.1", False

    command.on_bind(8107)  # what runserver calls once it listens

    staff = ExhibitorStaff.objects.get(user__email="staff@demo.shuttle.test").exhibitor.name_en
    box = logins_box(
        [
            DemoLogin("organiser", "organiser@demo.shuttle.test", "superuser, admin and dashboard"),
            DemoLogin("exhibitor staff", "staff@demo.shuttle.test", staff),
            DemoLogin("buyer", "buyer@demo.shuttle.test", "Alster Mode GmbH"),
        ],
        8107,
    )
    output = out.getvalue()
    assert "Starting development server at http://127.0.0.1:8107/\nQuit the server with CONTROL-C." in output
    assert output.endswith("\n" + box + "\n")
    assert [line.rstrip("| ") for line in box.splitlines()[-3:-1]] == [
        "| Site:  http://127.0.0.1:8107/",
        "| Admin: http://127.0.0.1:8107/admin/",
    ]


def test_make_run_serves_with_serve_demo_and_seeds_without_printing_logins():
    recipe = (Path(settings.BASE_DIR) / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [line.split("manage.py ", 1)[1] for line in recipe.splitlines() if "manage.py" in line]

    assert commands[-1] == "serve_demo 127.0.0.1:$(PORT)"
    assert [c for c in commands if c.startswith("seed_demo")][0].endswith("--if-empty --no-logins")


def test_seed_demo_command_if_empty_clears_leftover_accounts_and_seeds():
    User.objects.create_user(email="buyer@demo.shuttle.test", password="leftover-password")

    call_command("seed_demo", "--buyers", "4", "--exhibitors", "2", "--if-empty", stdout=StringIO())

    assert Buyer.objects.filter(expo__slug="demo").count() == 4


def test_seed_demo_command_refuses_an_existing_demo_without_reset():
    call_command("seed_demo", "--buyers", "5", "--exhibitors", "2", "--seed", "1", stdout=StringIO())

    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", "--buyers", "7", "--exhibitors", "2", "--seed", "1", stdout=StringIO())
    assert Buyer.objects.count() == 5

    call_command(
        "seed_demo", "--buyers", "7", "--exhibitors", "2", "--seed", "1", "--reset", stdout=StringIO()
    )
    assert Buyer.objects.count() == 7
    assert Expo.objects.filter(slug="demo").count() == 1


def test_seed_demo_command_names_bad_arguments():
    with pytest.raises(CommandError, match="buyers: "):
        call_command("seed_demo", "--buyers", "0", stdout=StringIO())


def test_demo_plan_ignores_the_order_the_taxonomy_comes_in():
    terms = list(Term.objects.values_list("kind", "slug", "name_en", "name_zh", "parent__slug"))

    forward = demo_plan(buyers=40, exhibitors=10, seed=4, expo_slug="demo", terms=terms)
    backward = demo_plan(buyers=40, exhibitors=10, seed=4, expo_slug="demo", terms=list(reversed(terms)))

    assert forward == backward
    assert forward.exhibitors[0].external_id == "EX00001"
    assert forward.buyers[1].email == "buyer00002@demo.shuttle.test"


# --- Meetings, deals and samples -------------------------------------------------------------------


def meetings_dump(slug: str) -> dict:
    """The demo's meetings, deals and samples without primary keys, secret codes or timestamps."""
    expo = Expo.objects.get(slug=slug)
    return {
        "meetings": sorted(
            Meeting.objects.filter(expo=expo).values_list(
                "buyer__external_id",
                "exhibitor__external_id",
                "slot__start",
                "table__booth__code",
                "table__number",
                "status",
                "requested_by",
                "owner__name",
                "decline_reason",
            )
        ),
        "events": sorted(
            MeetingEvent.objects.filter(meeting__expo=expo).values_list(
                "meeting__buyer__external_id", "meeting__slot__start", "action", "from_status", "to_status"
            )
        ),
        "deals": sorted(
            Deal.objects.filter(expo=expo).values_list(
                "buyer__external_id",
                "exhibitor__external_id",
                "meeting__slot__start",
                "amount",
                "currency",
                "rate",
                "amount_cny_fen",
                "category__slug",
                "stage",
                "date",
                "quantity_m",
            )
        ),
        "samples": sorted(
            SampleRequest.objects.filter(meeting__expo=expo).values_list(
                "meeting__buyer__external_id", "meeting__slot__start", "fabric__slug", "quantity", "status"
            )
        ),
    }


def test_demo_seed_meetings_deals_and_samples_are_deterministic():
    demo_seed(buyers=60, exhibitors=15, seed=7, expo_slug="demo-a")
    demo_seed(buyers=60, exhibitors=15, seed=7, expo_slug="demo-b")
    demo_seed(buyers=60, exhibitors=15, seed=8, expo_slug="demo-c")

    first, second = meetings_dump("demo-a"), meetings_dump("demo-b")
    assert first == second
    assert first["meetings"] != meetings_dump("demo-c")["meetings"]


def test_demo_seed_meetings_by_status_and_for_the_demo_logins():
    result = demo_seed(buyers=300, exhibitors=100, seed=1)

    expo = Expo.objects.get(slug="demo")
    counts = Counter(Meeting.objects.filter(expo=expo).values_list("status", flat=True))
    assert set(counts) == {"requested", "accepted", "declined", "cancelled"}
    assert sum(counts.values()) == result.meetings
    assert counts["accepted"] > counts["declined"] > 0
    # A share of the buyers meets someone: about 30 %, 1 to 4 meetings each.
    meeting_buyers = Meeting.objects.filter(expo=expo).values("buyer").distinct().count()
    assert 80 <= meeting_buyers <= 90
    assert (
        Meeting.objects.filter(expo=expo).values("buyer").annotate(n=Count("id")).filter(n__gt=4).count() == 0
    )
    # The expo's slots are all ahead: nothing checked in, no no-show, no feedback yet.
    assert not Meeting.objects.filter(expo=expo, slot__start__lte=timezone.now()).exists()
    assert MeetingFeedback.objects.count() == 0
    buyer = Buyer.objects.get(user__email="buyer@demo.shuttle.test")
    assert sorted(Meeting.objects.filter(buyer=buyer).values_list("status", flat=True)) == [
        "accepted",
        "accepted",
        "declined",
        "requested",
    ]
    assert Deal.objects.filter(buyer=buyer).count() == 2
    staff = ExhibitorStaff.objects.get(user__email="staff@demo.shuttle.test")
    assert Meeting.objects.filter(exhibitor=staff.exhibitor).count() >= 5
    assert Meeting.objects.filter(owner=staff.user, status="accepted").exists()
    assert result.deals == Deal.objects.filter(expo=expo).count() > 0
    assert result.samples == SampleRequest.objects.filter(meeting__expo=expo).count() > 0
    # Every meeting's history starts with its request and ends in its status.
    for meeting in Meeting.objects.filter(expo=expo).prefetch_related("events"):
        events = list(meeting.events.order_by("id"))
        assert events[0].action in ("request", "invite")
        assert events[-1].to_status == meeting.status


def test_demo_seed_reasons_are_in_the_language_of_the_person_who_gave_them():
    from expo.services.demo.meetings import CANCEL_REASONS, DECLINE_REASONS

    demo_seed(buyers=300, exhibitors=100, seed=1)

    def reason_language(reasons, text: str) -> str:
        found = {language for pair in reasons for language, value in zip(("en", "zh-hans"), pair, strict=True)
                 if value == text}  # fmt: skip
        assert len(found) == 1, text
        return found.pop()

    seen = Counter()
    gone = Meeting.objects.filter(status__in=["declined", "cancelled"]).exclude(decline_reason="")
    for meeting in gone.select_related("buyer__user", "exhibitor").prefetch_related("events"):
        if meeting.status == "declined":
            # The side that was asked declines: the exhibitor (a mill in China writes Chinese) when
            # the buyer asked, the buyer when the exhibitor invited.
            if meeting.requested_by == "buyer":
                expected = "zh-hans" if meeting.exhibitor.country == "CN" else "en"
            else:
                expected = meeting.buyer.user.preferred_language
            language = reason_language(DECLINE_REASONS, meeting.decline_reason)
        else:
            expected = meeting.buyer.user.preferred_language  # the buyer cancels
            language = reason_language(CANCEL_REASONS, meeting.decline_reason)
        assert language == expected, meeting.decline_reason
        assert list(meeting.events.all())[-1].note == meeting.decline_reason
        seen[language] += 1
    assert seen["en"] > 0
    assert seen["zh-hans"] > 0


def test_demo_seed_meetings_respect_the_booking_rules():
    demo_seed(buyers=300, exhibitors=100, seed=2)

    expo = Expo.objects.get(slug="demo")
    active = Meeting.objects.filter(expo=expo).active()
    assert not active.values("buyer", "slot").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not active.values("table", "slot").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Meeting.objects.filter(expo=expo).exclude(table__booth__exhibitor=F("exhibitor")).exists()
    assert not Meeting.objects.filter(expo=expo).exclude(slot__expo=expo).exists()
    requested = Meeting.objects.filter(expo=expo, status="requested")
    assert not requested.filter(expires_at__isnull=True).exists()
    assert not requested.filter(expires_at__gt=F("slot__start")).exists()
    # Deals and samples sit on accepted meetings of their own buyer and exhibitor.
    assert set(Deal.objects.filter(expo=expo).values_list("meeting__status", flat=True)) == {"accepted"}
    assert not Deal.objects.filter(expo=expo).exclude(meeting__buyer=F("buyer")).exists()
    assert not Deal.objects.filter(expo=expo).exclude(meeting__exhibitor=F("exhibitor")).exists()
    assert set(
        SampleRequest.objects.filter(meeting__expo=expo).values_list("meeting__status", flat=True)
    ) == {"accepted"}
    for meeting in Meeting.objects.filter(expo=expo).select_related("slot", "table", "exhibitor"):
        meeting.full_clean()


def test_demo_seed_deals_convert_at_the_expo_rates_and_sum_to_the_report_total():
    demo_seed(buyers=300, exhibitors=100, seed=1)

    expo = Expo.objects.get(slug="demo")
    rates = dict(ExchangeRate.objects.filter(expo=expo).values_list("currency", "rate_to_cny"))
    deals = list(Deal.objects.filter(expo=expo))
    assert len({d.currency for d in deals}) >= 3
    for deal in deals:
        assert isinstance(deal.amount, Decimal)
        rate = Decimal(1) if deal.currency == "CNY" else rates[deal.currency]
        assert deal.rate == rate
        assert deal.amount_cny_fen == int((deal.amount * rate * 100).quantize(Decimal(1), ROUND_HALF_UP))
        assert deal.stage == "intended"
    totals = deal_totals(TotalsFilter(expo=expo, group_by="exhibitor"))
    assert totals.fen == sum(d.amount_cny_fen for d in deals)
    assert totals.deals == len(deals)


def test_demo_seed_meetings_are_capped_for_many_buyers(monkeypatch):
    monkeypatch.setattr("expo.services.demo.meetings.MAX_MEETING_BUYERS", 20)
    monkeypatch.setattr("expo.services.demo.meetings.MAX_DEALS", 5)
    monkeypatch.setattr("expo.services.demo.meetings.MAX_SAMPLES", 3)

    result = demo_seed(buyers=200, exhibitors=10, seed=1)

    assert Meeting.objects.values("buyer").distinct().count() == 20
    assert result.meetings <= 20 * 4
    assert (result.deals, result.samples) == (5, 3)


def test_demo_reset_removes_meetings_deals_and_samples():
    demo_seed(buyers=60, exhibitors=15, seed=1)

    demo_reset(expo_slug="demo")

    assert (Meeting.objects.count(), Deal.objects.count(), SampleRequest.objects.count()) == (0, 0, 0)
    assert not Expo.objects.filter(slug="demo").exists()


def test_demo_seed_fills_the_dashboard_and_the_demo_buyers_schedule(client):
    demo_seed(buyers=60, exhibitors=15, seed=1)
    expo = Expo.objects.get(slug="demo")
    deals = Deal.objects.filter(expo=expo)

    client.force_login(User.objects.get(email="organiser@demo.shuttle.test"))
    response = client.get(reverse("expo:dashboard"))
    assert response.status_code == 200
    assert response.context["figures"]["deals"]["fen"] == sum(d.amount_cny_fen for d in deals) > 0

    client.force_login(User.objects.get(email="buyer@demo.shuttle.test"))
    response = client.get(reverse("expo:schedule"))
    assert response.status_code == 200
    shown = [stop.meeting.status for day in response.context["days"] for stop in day.stops]
    gone = [meeting.status for meeting in response.context["gone"]]
    assert sorted(shown + gone) == ["accepted", "accepted", "declined", "requested"]
