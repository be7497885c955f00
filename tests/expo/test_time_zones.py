"""Times in the expo's own zone: API offsets, day filters, pages and emails, across a DST change.

Europe/Paris leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC): the Paris expo below
runs 2026-10-23 .. 2026-10-26, so its first days are UTC+2 and its last two UTC+1.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from expo.models import Expo, Slot
from expo.selectors import slot_list
from expo.services.floor import expo_create, expo_make_current
from expo.services.mail import expo_email_render, expo_email_send
from matching.models import RunStatus
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.matching import MatchRunFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _expo(slug, zone, start, *, opening=datetime.time(9, 0), closing=datetime.time(17, 0), current=False):
    return expo_create(
        slug=slug,
        name=slug.title(),
        start_date=start,
        days=4,
        opening_time=opening,
        closing_time=closing,
        slot_minutes=60,
        time_zone=zone,
        make_current=current,
    )


@pytest.fixture
def paris():
    return _expo("paris", "Europe/Paris", datetime.date(2026, 10, 23))


@pytest.fixture
def shanghai():
    return _expo("shengze", "Asia/Shanghai", datetime.date(2026, 10, 23), current=True)


def _utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_slots_are_stored_in_utc_at_local_opening_hours_on_both_sides_of_the_change(paris):
    firsts = [slot_list(expo=paris, day=datetime.date(2026, 10, d)).first().start for d in (23, 24, 25, 26)]
    assert firsts == [
        _utc(2026, 10, 23, 7),
        _utc(2026, 10, 24, 7),
        _utc(2026, 10, 25, 8),
        _utc(2026, 10, 26, 8),
    ]


def test_day_filter_uses_the_expos_calendar_day(paris):
    day = list(slot_list(expo=paris, day=datetime.date(2026, 10, 25)).values_list("start", flat=True))
    assert day == [_utc(2026, 10, 25, h) for h in range(8, 16)]  # 09:00 .. 16:00 CET
    assert slot_list(expo=paris, day=datetime.date(2026, 10, 27)).count() == 0


def test_date_lookup_follows_the_active_zone():
    """`start__date` means the expo's day once its zone is active (as the middleware does)."""
    early = _expo("early", "Asia/Shanghai", datetime.date(2026, 10, 23), opening=datetime.time(6, 0),
                  closing=datetime.time(10, 0))  # fmt: skip
    day = datetime.date(2026, 10, 24)
    with timezone.override(early.tzinfo):
        local = list(Slot.objects.filter(expo=early, start__date=day).values_list("start", flat=True))
    with timezone.override(UTC):
        in_utc = list(Slot.objects.filter(expo=early, start__date=day).values_list("start", flat=True))
    # 06:00 and 07:00 in Shanghai are 22:00 and 23:00 UTC the evening before.
    assert local == [
        _utc(2026, 10, 23, 22),
        _utc(2026, 10, 23, 23),
        _utc(2026, 10, 24, 0),
        _utc(2026, 10, 24, 1),
    ]
    assert local == list(slot_list(expo=early, day=day).values_list("start", flat=True))
    assert in_utc == [_utc(2026, 10, 24, h) for h in (0, 1, 22, 23)]


def _runs(expo):
    before = MatchRunFactory(
        expo=expo, started_at=_utc(2026, 10, 24, 7, 30), finished_at=_utc(2026, 10, 24, 7, 45)
    )
    after = MatchRunFactory(
        expo=expo, started_at=_utc(2026, 10, 26, 7, 30), finished_at=_utc(2026, 10, 26, 7, 45)
    )
    return before, after


def test_api_times_carry_the_paris_offsets_of_each_side_of_the_change(client_for, paris, shanghai):
    before, after = _runs(paris)
    body = client_for(OrganiserFactory()).get("/api/v1/match-runs/?expo=paris").json()
    times = {run["id"]: (run["started_at"], run["finished_at"]) for run in body["results"]}
    assert times == {
        before.pk: ("2026-10-24T09:30:00+02:00", "2026-10-24T09:45:00+02:00"),
        after.pk: ("2026-10-26T08:30:00+01:00", "2026-10-26T08:45:00+01:00"),
    }


def test_api_times_follow_the_current_expo_without_a_parameter(client_for, paris, shanghai):
    before, _after = _runs(paris)
    client = client_for(OrganiserFactory())
    assert client.get(f"/api/v1/match-runs/{before.pk}/").json()["started_at"] == "2026-10-24T15:30:00+08:00"
    expo_make_current(expo=paris)
    assert client.get(f"/api/v1/match-runs/{before.pk}/").json()["started_at"] == "2026-10-24T09:30:00+02:00"


def test_pages_show_local_times_of_the_expo(client, paris):
    expo_make_current(expo=paris)
    MatchRunFactory(expo=paris, status=RunStatus.COMPLETED, finished_at=_utc(2026, 10, 25, 9, 30))
    organiser = OrganiserFactory(preferred_language="en")
    client.force_login(organiser)
    html = client.get(reverse("matching:organiser")).content.decode()
    assert "10/25/2026 10:30 a.m." in html  # CET, the day summer time ended
    organiser.preferred_language = "zh-hans"
    organiser.save()
    html = client.get(reverse("matching:organiser")).content.decode()
    assert "2026年10月25日 10:30" in html


def test_request_zone_does_not_leak_into_the_next_request(client, paris, shanghai):
    client.get("/?expo=paris")
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"  # settings.TIME_ZONE again


@pytest.fixture
def mail_templates(tmp_path, settings):
    (tmp_path / "subject.txt").write_text("Meeting at {{ at|time:'H:i' }}")
    (tmp_path / "body.txt").write_text("{{ user.email }}: {{ at|date:'Y-m-d H:i T' }} {{ expo.slug }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_emails_render_times_in_the_expos_zone(paris, mail_templates):
    user = UserFactory(email="a@example.com")
    expo_email_send(
        expo=paris, user=user, subject_template="subject.txt", body_template="body.txt",
        context={"at": _utc(2026, 10, 26, 8)},
    )  # fmt: skip
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        ("Meeting at 09:00", "a@example.com: 2026-10-26 09:00 CET paris", ["a@example.com"])
    ]
    subject, _body = expo_email_render(
        expo=paris, language="en", subject_template="subject.txt", body_template="body.txt",
        context={"at": _utc(2026, 10, 24, 8)},
    )  # fmt: skip
    assert subject == "Meeting at 10:00"  # CEST
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_free_slot_times_carry_the_offset_of_their_day_across_the_change(api_client, shanghai):
    """Summer time ends in Paris on 2027-10-31 too (the free slots are those still to come)."""
    from tests.factories.meetings import exhibitor_with_tables

    paris = _expo("paris-2027", "Europe/Paris", datetime.date(2027, 10, 29))
    mill = exhibitor_with_tables(expo=paris)

    def starts(day):
        url = f"/api/v1/exhibitors/{mill.pk}/slots/?expo=paris-2027&date={day}&page_size=50"
        return [(row["start"], row["end"]) for row in api_client.get(url).json()["results"]]

    assert starts("2027-10-30")[0] == ("2027-10-30T09:00:00+02:00", "2027-10-30T10:00:00+02:00")
    assert starts("2027-10-31") == [
        (f"2027-10-31T{h:02d}:00:00+01:00", f"2027-10-31T{h + 1:02d}:00:00+01:00") for h in range(9, 17)
    ]
    assert starts("2027-11-02") == []


def test_time_zone_label_names_the_zone_as_each_language_reads_it():
    shanghai = Expo(
        time_zone="Asia/Shanghai", start_date=datetime.date(2027, 9, 22), opening_time=datetime.time(9)
    )
    paris = Expo(
        time_zone="Europe/Paris", start_date=datetime.date(2027, 10, 30), opening_time=datetime.time(9)
    )
    paris_winter = Expo(
        time_zone="Europe/Paris", start_date=datetime.date(2027, 11, 2), opening_time=datetime.time(9)
    )

    with translation.override("zh-hans"):
        chinese = (shanghai.time_zone_label, paris.time_zone_label, paris_winter.time_zone_label)
    with translation.override("en"):
        english = (shanghai.time_zone_label, paris.time_zone_label)

    assert chinese == ("北京时间", "UTC+02:00", "UTC+01:00")
    assert english == ("Asia/Shanghai", "Europe/Paris")
