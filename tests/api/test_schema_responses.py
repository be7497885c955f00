"""The OpenAPI schema describes what the API really returns: real responses validated against it.

Each case makes one real request and validates the JSON body against the schema that
`/api/v1/schema/` publishes for that path, method and status (OpenAPI 3.0 rules, so `nullable`
counts). Validation is strict both ways: a documented field that is missing or has the wrong type
fails, and so does a field the schema does not declare (every object schema is closed with
`additionalProperties: false` for the check). Values are chosen so that fields which can be null
are null in at least one response (a profile without prices, a run that has not finished, an
exhibitor without a booth). A new endpoint joins by adding its requests to one of the tests
below; `test_every_path_is_exercised` fails until it does.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_schema_validator import OAS30Validator

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tokens import email_confirmation_token
from expo.models import Buyer, Slot
from expo.services import meetings as svc
from expo.services.floor import booth_tables_sync
from matching.models import MatchRun, RunStatus
from matching.services import runs
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, ExhibitorStaffFactory, ExpoFactory
from tests.factories.matching import buyer_with, exhibitor_with
from tests.factories.meetings import buyer_at, exhibitor_with_tables, future_slots, slot_at

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def _closed(node):
    """A copy of the schema with every object schema that lists properties closed to others.

    drf-spectacular writes a nullable nested object as `{"allOf": [{"$ref": …}], "nullable": true}`,
    which OpenAPI 3.0 tools read as "the object or null"; the validator checks `allOf` parts one by
    one, so that idiom is spelled out here as `anyOf` [the object, null].
    """
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("nullable") is True and len(node.get("allOf", [])) == 1 and "type" not in node:
            node = {"anyOf": [node.pop("allOf")[0], {"enum": [None], "nullable": True}], **node}
            node.pop("nullable")
        return node
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


def _errors(schema: dict, path: str, method: str, status: int, body) -> list[str]:
    operation = schema["paths"][path][method]
    documented = operation["responses"].get(str(status))
    if documented is None:
        return [f"status {status} is not documented (documented: {sorted(operation['responses'])})"]
    if body is None:
        return [] if "content" not in documented else ["a body is documented, none was returned"]
    if "content" not in documented:
        return ["a body was returned, none is documented"]
    root = _closed(
        {**documented["content"]["application/json"]["schema"], "components": schema["components"]}
    )
    validator = OAS30Validator(root)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(body)
    )


def _check(schema, response, path: str, method: str):
    body = response.json() if response.content else None
    assert _errors(schema, path, method, response.status_code, body) == []
    return body


@pytest.fixture
def scene():
    """An expo with one exhibitor with a booth and one without, a buyer with a served list."""
    expo = ExpoFactory(is_current=True, slug="shengze")
    with_booth = exhibitor_with(expo=expo, fabrics=["chiffon"], external_id="EX1")
    booth = BoothFactory(expo=expo, exhibitor=with_booth)
    booth_tables_sync(booth=booth)
    without_booth = exhibitor_with(expo=expo, fabrics=["chiffon"], external_id="EX2", contact_email="")
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    organiser = user_set_role(user=UserFactory(), role=Role.ORGANISER)
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    pending = runs.match_run_start(expo=expo, dispatch=False)  # started, not finished: nulls
    return {
        "expo": expo,
        "buyer": buyer,
        "with_booth": with_booth,
        "without_booth": without_booth,
        "organiser": organiser,
        "pending": pending,
    }


def test_public_endpoints_match_schema(schema, api_client, scene):
    _check(schema, api_client.get("/api/v1/health/"), "/api/v1/health/", "get")
    terms = _check(schema, api_client.get("/api/v1/taxonomy/"), "/api/v1/taxonomy/", "get")
    listing = _check(schema, api_client.get("/api/v1/exhibitors/"), "/api/v1/exhibitors/", "get")
    for exhibitor in (scene["with_booth"], scene["without_booth"]):
        response = api_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/")
        _check(schema, response, "/api/v1/exhibitors/{id}/", "get")

    assert len(terms) > 100
    assert sorted(row["booth"] is None for row in listing["results"]) == [False, True]


def test_signed_in_endpoints_match_schema(schema, client_for, scene):
    buyer_client = client_for(scene["buyer"].user)
    for exhibitor in (scene["with_booth"], scene["without_booth"]):  # with contact details
        response = buyer_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/")
        _check(schema, response, "/api/v1/exhibitors/{id}/", "get")
    _check(schema, buyer_client.get("/api/v1/auth/me/"), "/api/v1/auth/me/", "get")
    profile = _check(schema, buyer_client.get("/api/v1/buyers/me/"), "/api/v1/buyers/me/", "get")
    cleared = buyer_client.patch(
        "/api/v1/buyers/me/",
        {"price_min_cny": None, "price_max_cny": None, "lead_time_days": None, "order_quantity_m": None},
        format="json",
    )
    cleared_body = _check(schema, cleared, "/api/v1/buyers/me/", "patch")
    replaced = buyer_client.put("/api/v1/buyers/me/", {**profile, "company": "Atelier Lyon"}, format="json")
    _check(schema, replaced, "/api/v1/buyers/me/", "put")
    matches = _check(schema, buyer_client.get("/api/v1/matches/"), "/api/v1/matches/", "get")
    first = matches["results"][0]["id"]
    feedback = buyer_client.post(f"/api/v1/matches/{first}/feedback/", {"value": "interested"}, format="json")
    _check(schema, feedback, "/api/v1/matches/{id}/feedback/", "post")
    resend = buyer_client.post("/api/v1/auth/confirm-email/resend/")
    _check(schema, resend, "/api/v1/auth/confirm-email/resend/", "post")
    token = email_confirmation_token(user=scene["buyer"].user)
    confirmed = buyer_client.post("/api/v1/auth/confirm-email/", {"token": token}, format="json")
    _check(schema, confirmed, "/api/v1/auth/confirm-email/", "post")
    again = buyer_client.post("/api/v1/auth/confirm-email/resend/")
    _check(schema, again, "/api/v1/auth/confirm-email/resend/", "post")

    assert (resend.status_code, confirmed.status_code, again.status_code) == (202, 200, 200)
    assert cleared_body["price_min_cny"] is None
    assert cleared_body["lead_time_days"] is None


def test_organiser_endpoints_match_schema(schema, client_for, scene):
    organiser = client_for(scene["organiser"])
    buyer_id = scene["buyer"].pk
    listing = _check(schema, organiser.get("/api/v1/match-runs/"), "/api/v1/match-runs/", "get")
    detail = organiser.get(f"/api/v1/match-runs/{scene['pending'].pk}/")
    pending = _check(schema, detail, "/api/v1/match-runs/{id}/", "get")
    matches = organiser.get(f"/api/v1/matches/?buyer={buyer_id}")
    _check(schema, matches, "/api/v1/matches/", "get")
    MatchRun.objects.filter(pk=scene["pending"].pk).update(status=RunStatus.FAILED)
    started = organiser.post("/api/v1/match-runs/", {}, format="json")
    _check(schema, started, "/api/v1/match-runs/", "post")

    assert [run["status"] for run in listing["results"]] == ["pending", "completed"]
    assert pending["finished_at"] is None
    assert started.status_code == 202


def test_account_endpoints_match_schema(schema, api_client, scene):
    registered = api_client.post(
        "/api/v1/auth/register/",
        {
            "email": "new.buyer@example.com",
            "password": "a-long-enough-passphrase",
            "name": "New Buyer",
            "company": "Garments GmbH",
            "country": "DE",
        },
        format="json",
    )
    _check(schema, registered, "/api/v1/auth/register/", "post")
    token = api_client.post(
        "/api/v1/auth/token/",
        {"email": "new.buyer@example.com", "password": "a-long-enough-passphrase"},
        format="json",
    )
    _check(schema, token, "/api/v1/auth/token/", "post")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    revoked = api_client.post("/api/v1/auth/token/revoke/")
    _check(schema, revoked, "/api/v1/auth/token/revoke/", "post")

    assert (registered.status_code, revoked.status_code) == (201, 204)
    assert Buyer.objects.filter(user__email="new.buyer@example.com").count() == 1


def test_the_check_fails_on_an_undeclared_null_or_field(schema):
    """The validator itself: a null where the schema has no `nullable`, and an extra field, are caught."""
    health = {"status": "ok", "database": "ok", "broker": "eager"}

    assert _errors(schema, "/api/v1/health/", "get", 200, health) == []
    assert _errors(schema, "/api/v1/health/", "get", 200, {**health, "database": None}) == [
        "database: None for not nullable",
        "database: None is not of type 'string'",
        "database: None is not one of ['ok', 'error']",
    ]
    assert _errors(schema, "/api/v1/health/", "get", 200, {**health, "extra": 1}) == [
        "(root): Additional properties are not allowed ('extra' was unexpected)"
    ]
    assert _errors(schema, "/api/v1/health/", "get", 299, health) == [
        "status 299 is not documented (documented: ['200'])"
    ]


def test_every_path_is_exercised():
    """Guard against a new endpoint that no test above requests: every schema path appears in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    generated = SchemaGenerator().get_schema(request=None, public=True)
    missing = [path for path in generated["paths"] if f'"{path}"' not in source]

    assert missing == [], "add a request for these paths to tests/api/test_schema_responses.py"


def test_meeting_endpoints_match_schema(schema, client_for, expo):
    exhibitor = exhibitor_with_tables(expo=expo, tables=2, staff=2)
    staff, colleague = (link.user for link in exhibitor.staff.select_related("user").order_by("pk"))
    buyer = buyer_at(expo, verified=True)
    slots = future_slots(expo, 4)
    soon = slot_at(expo, timezone.now() + timedelta(minutes=10))
    buyer_client, staff_client = client_for(buyer.user), client_for(staff)
    base = "/api/v1/meetings/"

    free = staff_client.get(f"/api/v1/exhibitors/{exhibitor.pk}/slots/")
    _check(schema, free, "/api/v1/exhibitors/{id}/slots/", "get")
    booked = buyer_client.post(base, {"exhibitor": exhibitor.pk, "slot": slots[0].pk}, format="json")
    first = _check(schema, booked, "/api/v1/meetings/", "post")["id"]
    calls = [
        (buyer_client, "/api/v1/meetings/{id}/reschedule/", {"slot": soon.pk}),  # check-in opens
        (staff_client, "/api/v1/meetings/{id}/accept/", {}),
        (staff_client, "/api/v1/meetings/{id}/owner/", {"owner": colleague.pk}),
        (client_for(colleague), "/api/v1/meetings/{id}/check-in/", {"code": ""}),
    ]
    for client, path, body in calls:
        response = client.post(path.replace("{id}", str(first)), body, format="json")
        _check(schema, response, path, "post")
    second = buyer_client.post(base, {"exhibitor": exhibitor.pk, "slot": slots[2].pk}, format="json").json()[
        "id"
    ]
    declined = staff_client.post(f"{base}{second}/decline/", {"reason": "Away"}, format="json")
    _check(schema, declined, "/api/v1/meetings/{id}/decline/", "post")
    third = buyer_client.post(base, {"exhibitor": exhibitor.pk, "slot": slots[3].pk}, format="json").json()[
        "id"
    ]
    cancelled = buyer_client.post(f"{base}{third}/cancel/", {}, format="json")
    _check(schema, cancelled, "/api/v1/meetings/{id}/cancel/", "post")
    late = svc.meeting_book(buyer=buyer, exhibitor=exhibitor, slot=slots[2], actor=buyer.user)
    svc.meeting_accept(meeting=late, actor=staff)
    Slot.objects.filter(pk=slots[2].pk).update(
        start=timezone.now() - timedelta(hours=1), end=timezone.now() - timedelta(minutes=40)
    )
    absent = staff_client.post(f"{base}{late.pk}/no-show/", {}, format="json")
    _check(schema, absent, "/api/v1/meetings/{id}/no-show/", "post")
    listing = _check(schema, buyer_client.get(base), "/api/v1/meetings/", "get")

    assert [booked.status_code, declined.status_code, cancelled.status_code, absent.status_code] == [
        201,
        200,
        200,
        200,
    ]
    assert sorted(row["status"] for row in listing["results"]) == [
        "cancelled",
        "checked_in",
        "declined",
        "no_show",
    ]


def test_deal_sample_feedback_and_report_endpoints_match_schema(schema, client_for, expo):
    from tests.factories.meetings import meeting_between, staff_of

    exhibitor = exhibitor_with_tables(expo=expo, tables=2)
    buyer = buyer_at(expo)
    meeting = meeting_between(buyer, exhibitor, status="checked_in")
    buyer_client, staff_client = client_for(buyer.user), client_for(staff_of(exhibitor))
    organiser = user_set_role(user=UserFactory(), role=Role.ORGANISER)

    body = {
        "meeting": meeting.pk,
        "amount": "1000.05",
        "currency": "CNY",
        "category": "satin",
        "quantity_m": 300,
    }
    deal = _check(schema, buyer_client.post("/api/v1/deals/", body, format="json"), "/api/v1/deals/", "post")
    _check(schema, staff_client.get("/api/v1/deals/"), "/api/v1/deals/", "get")
    url = f"/api/v1/deals/{deal['id']}/"
    _check(schema, staff_client.get(url), "/api/v1/deals/{id}/", "get")
    _check(
        schema, staff_client.patch(url, {"stage": "signed"}, format="json"), "/api/v1/deals/{id}/", "patch"
    )
    totals = client_for(organiser).get("/api/v1/reports/deal-totals/", {"group_by": "category"})
    assert _check(schema, totals, "/api/v1/reports/deal-totals/", "get")["grand_total_cny"] == "1000.05"
    sample = buyer_client.post("/api/v1/samples/", {"meeting": meeting.pk, "fabric": "satin"}, format="json")
    sample_id = _check(schema, sample, "/api/v1/samples/", "post")["id"]
    _check(schema, staff_client.get("/api/v1/samples/"), "/api/v1/samples/", "get")
    _check(schema, buyer_client.get(f"/api/v1/samples/{sample_id}/"), "/api/v1/samples/{id}/", "get")
    sent = staff_client.patch(f"/api/v1/samples/{sample_id}/", {"status": "sent"}, format="json")
    _check(schema, sent, "/api/v1/samples/{id}/", "patch")
    # Every grouping's rows, with the count columns it carries (the day grouping's depend on the clock).
    counts = {
        "exhibitor": [1, 1],
        "buyer": [1, 1],
        "category": [1, None],
        "country": [1, 1],
        "deal": [None, None],
    }
    for group_by in ("exhibitor", "buyer", "category", "country", "day", "deal"):
        report = client_for(organiser).get("/api/v1/reports/deal-totals/", {"group_by": group_by})
        row = _check(schema, report, "/api/v1/reports/deal-totals/", "get")["rows"][0]
        assert [row.get("samples"), row.get("meetings")] == counts.get(group_by, [row.get("samples"), 1])
    feedback = f"/api/v1/meetings/{meeting.pk}/feedback/"
    given = buyer_client.put(feedback, {"took_place": True, "interest": "high"}, format="json")
    _check(schema, given, "/api/v1/meetings/{id}/feedback/", "put")
    _check(schema, staff_client.get(feedback), "/api/v1/meetings/{id}/feedback/", "get")


def test_calendar_and_leads_endpoints_match_schema(schema, client_for, api_client, scene):
    buyer_client = client_for(scene["buyer"].user)
    staff = ExhibitorStaffFactory(exhibitor=scene["with_booth"]).user

    none_yet = _check(
        schema,
        buyer_client.get("/api/v1/meetings/calendar/subscription/"),
        "/api/v1/meetings/calendar/subscription/",
        "get",
    )
    made = _check(
        schema,
        buyer_client.post("/api/v1/meetings/calendar/subscription/"),
        "/api/v1/meetings/calendar/subscription/",
        "post",
    )
    feed = api_client.get(made["url"].removeprefix("http://testserver"))
    own = buyer_client.get("/api/v1/meetings/calendar.ics")
    revoked = buyer_client.delete("/api/v1/meetings/calendar/subscription/")
    _check(schema, revoked, "/api/v1/meetings/calendar/subscription/", "delete")
    gone = api_client.get(made["url"].removeprefix("http://testserver"))
    _check(schema, gone, "/api/v1/meetings/calendar/{token}.ics", "get")
    leads = _check(
        schema, client_for(staff).get("/api/v1/exhibitors/me/leads/"), "/api/v1/exhibitors/me/leads/", "get"
    )

    assert none_yet == {"url": None, "created_at": None}
    for response, path in (
        (feed, "/api/v1/meetings/calendar/{token}.ics"),
        (own, "/api/v1/meetings/calendar.ics"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert list(schema["paths"][path]["get"]["responses"]["200"]["content"]) == ["text/calendar"]
    assert (revoked.status_code, gone.status_code) == (204, 404)
    assert [row["buyer"]["id"] for row in leads["results"]] == [scene["buyer"].pk]
