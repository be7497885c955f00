"""The exhibitor's leads: buyers whose served recommendations include it, by score, with their
feedback and live meeting; staff invite a lead from the page through the invitation service."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from expo.models import Meeting, MeetingStatus, Side, Slot
from expo.services.floor import expo_slots_generate
from expo.services.meetings import meeting_book
from matching.models import FeedbackValue, Match
from tests.factories.expo import ExpoFactory
from tests.factories.matching import MatchFactory, MatchFeedbackFactory, MatchRunFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, staff_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/exhibitors/me/leads/"


@pytest.fixture
def scene():
    today = timezone.now().astimezone(datetime.timezone(timedelta(hours=8))).date()
    expo = ExpoFactory(is_current=True, start_date=today, days=3)
    expo_slots_generate(expo=expo)
    exhibitor = exhibitor_with_tables(expo=expo, tables=1)
    other = exhibitor_with_tables(expo=expo, tables=1)
    old_run = MatchRunFactory(expo=expo, finished_at=timezone.now() - timedelta(days=1))
    run = MatchRunFactory(expo=expo)
    keen, fair, cold, elsewhere = (buyer_at(expo, verified=True) for _ in range(4))
    MatchFactory(run=old_run, buyer=elsewhere, exhibitor=exhibitor, score=0.99)  # not served any more
    MatchFactory(run=run, buyer=fair, exhibitor=exhibitor, rank=3, score=0.62)
    MatchFactory(run=run, buyer=keen, exhibitor=exhibitor, rank=1, score=0.91)
    MatchFactory(run=run, buyer=cold, exhibitor=exhibitor, rank=2, score=0.80)
    MatchFactory(run=run, buyer=elsewhere, exhibitor=other, rank=1, score=0.95)
    MatchFeedbackFactory(buyer=keen, exhibitor=exhibitor, value=FeedbackValue.INTERESTED)
    MatchFeedbackFactory(buyer=cold, exhibitor=exhibitor, value=FeedbackValue.NOT_INTERESTED)
    return expo, exhibitor, keen, fair


def test_leads_ranked_by_score_with_feedback_and_meeting(scene, client_for):
    expo, exhibitor, keen, fair = scene
    staff = staff_of(exhibitor)
    slot = Slot.objects.filter(expo=expo).order_by("start").last()
    meeting = meeting_book(buyer=fair, exhibitor=exhibitor, slot=slot, actor=fair.user)

    body = client_for(staff).get(URL).json()

    assert body["count"] == 2  # the "not interested" buyer and the old run's buyer are not leads
    assert [
        (row["buyer"]["id"], row["rank"], row["score"], row["feedback"], row["meeting"])
        for row in body["results"]
    ] == [
        (keen.pk, 1, 0.91, "interested", None),
        (fair.pk, 3, 0.62, None, {"id": meeting.pk, "status": "requested"}),
    ]
    assert body["results"][0]["buyer"] == {"id": keen.pk, "company": keen.company, "country": "DE"}


def test_leads_api_is_for_staff_only(scene, client_for, api_client):
    _expo, _exhibitor, keen, _fair = scene

    assert api_client.get(URL).status_code == 401
    assert client_for(keen.user).get(URL).status_code == 403


def test_invite_a_lead_from_the_page(scene, client):
    expo, exhibitor, keen, _fair = scene
    staff = staff_of(exhibitor)
    tomorrow = expo.start_date + timedelta(days=1)
    client.force_login(staff)
    page = client.get("/leads/", {"date": tomorrow.isoformat()})
    start = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=expo.tzinfo)
    slot = Slot.objects.filter(expo=expo, start__gte=start).order_by("start")[3]

    response = client.post(f"/leads/{keen.pk}/invite/", {"slot": slot.pk, "date": tomorrow.isoformat()})

    assert page.status_code == 200
    assert f'<option value="{slot.pk}">' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/?date={tomorrow.isoformat()}#lead-{keen.pk}"
    meeting = Meeting.objects.get()
    assert (
        meeting.buyer,
        meeting.exhibitor,
        meeting.slot,
        meeting.status,
        meeting.requested_by,
        meeting.owner,
    ) == (
        keen,
        exhibitor,
        slot,
        MeetingStatus.REQUESTED,
        Side.EXHIBITOR,
        staff,
    )


def test_invite_refused_shows_the_reason_and_a_stranger_is_404(scene, client):
    expo, exhibitor, keen, _fair = scene
    client.force_login(staff_of(exhibitor))
    stranger = buyer_at(expo, verified=True)

    missing = client.post(f"/leads/{keen.pk}/invite/", {"slot": ""}, follow=True)
    not_a_lead = client.post(f"/leads/{stranger.pk}/invite/", {"slot": ""})

    assert f"{keen.company}: Choose one of the free times." in missing.content.decode()
    assert not_a_lead.status_code == 404
    assert Meeting.objects.exists() is False


def test_leads_page_queries_do_not_grow_with_leads(scene, client):
    expo, exhibitor, _keen, _fair = scene
    client.force_login(staff_of(exhibitor))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/leads/").status_code == 200
    run = Match.objects.filter(exhibitor=exhibitor).order_by("-run__finished_at").first().run
    for i in range(6):
        MatchFactory(run=run, buyer=buyer_at(expo, verified=True), exhibitor=exhibitor, rank=5 + i, score=0.5)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/leads/").status_code == 200

    assert len(many) == len(few)
