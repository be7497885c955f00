"""Deals, samples and feedback that follow meetings: who may log what, one deal per meeting."""

from decimal import Decimal

import pytest
from django.urls import reverse

from expo.models import Deal, MeetingFeedback, SampleRequest
from expo.services.money import exchange_rate_set
from tests.factories.expo import BuyerFactory
from tests.factories.meetings import exhibitor_with_tables, meeting_between, staff_of

pytestmark = pytest.mark.django_db

DEALS = reverse("api:expo:deal-list")
SAMPLES = reverse("api:expo:sample-list")


def feedback_url(meeting) -> str:
    return reverse("api:expo:meeting-feedback", args=[meeting.pk])


@pytest.fixture
def sides(expo):
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7"))
    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    return BuyerFactory(expo=expo), exhibitor


def _deal_body(**extra):
    return {"amount": "100.00", "currency": "USD", "category": "satin", **extra}


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("accepted", True),
        ("checked_in", True),
        ("requested", False),
        ("declined", False),
        ("cancelled", False),
        ("no_show", False),
    ],
)
def test_buyer_and_staff_log_deals_only_after_an_accepted_or_checked_in_meeting(
    client_for, sides, status, allowed
):
    buyer, exhibitor = sides
    meeting_between(buyer, exhibitor, status=status)

    by_buyer = client_for(buyer.user).post(DEALS, _deal_body(exhibitor=exhibitor.pk), format="json")
    by_staff = client_for(staff_of(exhibitor)).post(DEALS, _deal_body(buyer=buyer.pk), format="json")

    assert [by_buyer.status_code, by_staff.status_code] == ([201, 201] if allowed else [403, 403])
    assert Deal.objects.count() == (2 if allowed else 0)


def test_staff_of_another_exhibitor_cannot_log_for_a_met_pair(client_for, sides, expo):
    buyer, exhibitor = sides
    meeting_between(buyer, exhibitor)
    stranger = staff_of(exhibitor_with_tables(expo=expo))

    response = client_for(stranger).post(
        DEALS, _deal_body(buyer=buyer.pk, exhibitor=exhibitor.pk), format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Staff log deals for their own company only."}


def test_a_meeting_holds_one_deal_which_both_sides_edit(client_for, sides, organiser):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor, status="checked_in")

    first = client_for(buyer.user).post(DEALS, _deal_body(meeting=meeting.pk), format="json")
    second = client_for(staff_of(exhibitor)).post(DEALS, _deal_body(meeting=meeting.pk), format="json")
    by_organiser = client_for(organiser).post(DEALS, _deal_body(meeting=meeting.pk), format="json")
    edited = client_for(staff_of(exhibitor)).patch(
        reverse("api:expo:deal-detail", args=[first.json()["id"]]), {"stage": "signed"}, format="json"
    )

    assert first.status_code == 201
    body = first.json()
    assert (body["meeting"], body["buyer"]["id"], body["exhibitor"]["id"]) == (
        meeting.pk,
        buyer.pk,
        exhibitor.pk,
    )
    deal_id = body["id"]
    message = f"This meeting already holds deal {deal_id}; change that deal instead (PATCH deals/{deal_id}/)."
    assert (second.status_code, second.json()) == (409, {"detail": message})
    assert by_organiser.status_code == 409
    assert (edited.status_code, edited.json()["stage"]) == (200, "signed")
    assert Deal.objects.get().meeting == meeting


@pytest.mark.parametrize("status", ["requested", "cancelled"])
def test_a_meeting_that_did_not_happen_holds_no_deal(client_for, organiser, sides, status):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor, status=status)

    response = client_for(organiser).post(DEALS, _deal_body(meeting=meeting.pk), format="json")

    assert response.status_code == 400
    assert response.json()["meeting"] == ["Only an accepted or checked-in meeting can hold a deal."]


def test_deal_meeting_must_be_the_pairs_and_visible(client_for, organiser, sides, expo):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor)
    other_buyer = BuyerFactory(expo=expo)

    mismatched = client_for(organiser).post(
        DEALS, _deal_body(meeting=meeting.pk, buyer=other_buyer.pk), format="json"
    )
    hidden = client_for(other_buyer.user).post(DEALS, _deal_body(meeting=meeting.pk), format="json")

    assert mismatched.json()["meeting"] == ["This meeting is between another buyer and exhibitor."]
    assert (hidden.status_code, hidden.json()["meeting"]) == (400, ["No such meeting at this expo."])


def test_organisers_log_deals_without_a_meeting(client_for, organiser, sides):
    buyer, exhibitor = sides

    response = client_for(organiser).post(
        DEALS, _deal_body(buyer=buyer.pk, exhibitor=exhibitor.pk), format="json"
    )

    assert (response.status_code, response.json()["meeting"]) == (201, None)


def test_samples_are_logged_against_a_meeting_and_move_forward(client_for, sides, organiser, expo):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor)
    staff = staff_of(exhibitor)

    created = client_for(buyer.user).post(
        SAMPLES, {"meeting": meeting.pk, "fabric": "chiffon", "quantity": 3}, format="json"
    )
    url = reverse("api:expo:sample-detail", args=[created.json()["id"]])
    sent = client_for(staff).patch(url, {"status": "sent"}, format="json")
    backwards = client_for(buyer.user).patch(url, {"status": "requested"}, format="json")
    received = client_for(buyer.user).patch(url, {"status": "received"}, format="json")
    stranger = client_for(BuyerFactory(expo=expo).user)

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("meeting", "buyer", "exhibitor", "fabric", "quantity", "status")} == {
        "meeting": meeting.pk, "buyer": buyer.pk, "exhibitor": exhibitor.pk, "fabric": "chiffon", "quantity": 3,
        "status": "requested",
    }  # fmt: skip
    assert sent.json()["status"] == "sent"
    assert (backwards.status_code, list(backwards.json())) == (400, ["detail", "status"])
    assert received.json()["status"] == "received"
    assert stranger.get(url).status_code == 404
    assert stranger.get(SAMPLES).json()["count"] == 0
    assert client_for(organiser).get(SAMPLES).json()["count"] == 1
    assert client_for(staff).get(SAMPLES, {"status": "received"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"fabric": "dyeing"}, "fabric"), ({"quantity": 0}, "quantity"), ({"meeting": 0}, "meeting")],
)
def test_bad_sample_input_names_the_field(client_for, sides, body, field):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor)

    response = client_for(buyer.user).post(
        SAMPLES, {"meeting": meeting.pk, "fabric": "chiffon", **body}, format="json"
    )

    assert (response.status_code, list(response.json())) == (400, ["detail", field])
    assert not SampleRequest.objects.exists()


def test_no_samples_for_a_meeting_that_was_only_requested(client_for, sides):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor, status="requested")

    response = client_for(buyer.user).post(
        SAMPLES, {"meeting": meeting.pk, "fabric": "chiffon"}, format="json"
    )

    assert (response.status_code, list(response.json())) == (400, ["detail", "meeting"])


def test_each_side_gives_its_own_feedback_and_both_see_both(client_for, sides, organiser):
    buyer, exhibitor = sides
    meeting = meeting_between(buyer, exhibitor, status="checked_in")
    staff = staff_of(exhibitor)

    first = client_for(buyer.user).put(
        feedback_url(meeting), {"took_place": True, "interest": "medium"}, format="json"
    )
    changed = client_for(buyer.user).put(
        feedback_url(meeting), {"took_place": True, "interest": "high"}, format="json"
    )
    theirs = client_for(staff).put(
        feedback_url(meeting), {"took_place": True, "interest": "low", "note": "price"}, format="json"
    )
    by_organiser = client_for(organiser).put(feedback_url(meeting), {"took_place": True}, format="json")
    listed = client_for(organiser).get(feedback_url(meeting))

    assert [first.status_code, changed.status_code, theirs.status_code] == [200, 200, 200]
    assert by_organiser.status_code == 403
    assert [(f["side"], f["took_place"], f["interest"], f["note"]) for f in listed.json()] == [
        ("buyer", True, "high", ""),
        ("exhibitor", True, "low", "price"),
    ]
    assert MeetingFeedback.objects.count() == 2


def test_feedback_rules(client_for, sides, expo):
    buyer, exhibitor = sides
    requested = meeting_between(buyer, exhibitor, status="requested")
    no_show = meeting_between(buyer, exhibitor, status="no_show")
    client = client_for(buyer.user)

    too_early = client.put(feedback_url(requested), {"took_place": False}, format="json")
    contradictory = client.put(
        feedback_url(no_show), {"took_place": False, "interest": "high"}, format="json"
    )
    missed = client.put(feedback_url(no_show), {"took_place": False}, format="json")
    stranger = client_for(BuyerFactory(expo=expo).user).put(
        feedback_url(no_show), {"took_place": True}, format="json"
    )

    assert (too_early.status_code, list(too_early.json())) == (400, ["detail", "meeting"])
    assert (contradictory.status_code, list(contradictory.json())) == (400, ["detail", "interest"])
    assert (missed.status_code, missed.json()["took_place"]) == (200, False)
    assert stranger.status_code == 404


def test_staff_admin_buyer_choices_are_buyers_their_company_met(client, sides, expo):
    buyer, exhibitor = sides
    meeting_between(buyer, exhibitor)
    BuyerFactory(expo=expo)  # never met
    from accounts.models import Role
    from accounts.services import user_set_role

    staff = user_set_role(user=staff_of(exhibitor), role=Role.EXHIBITOR_STAFF)
    client.force_login(staff)

    response = client.get(reverse("admin:expo_deal_add"))

    assert list(response.context["adminform"].form.fields["buyer"].queryset) == [buyer]
