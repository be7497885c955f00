"""The OpenAPI schema is valid, warning-free, and carries the v1 contract's paths."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# Paths of the v1 contract (DESIGN.md) built so far; meetings, deals and reports join them later.
CONTRACT_PATHS = {
    "/api/v1/health/": {"get"},
    "/api/v1/auth/register/": {"post"},
    "/api/v1/auth/token/": {"post"},
    "/api/v1/taxonomy/": {"get"},
    "/api/v1/buyers/me/": {"get", "put", "patch"},
    "/api/v1/exhibitors/": {"get"},
    "/api/v1/exhibitors/{id}/": {"get"},
    "/api/v1/matches/": {"get"},
    "/api/v1/matches/{id}/feedback/": {"post"},
    "/api/v1/match-runs/": {"post"},
    "/api/v1/match-runs/{id}/": {"get"},
    "/api/v1/meetings/calendar.ics": {"get"},
    "/api/v1/exhibitors/me/leads/": {"get"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Shuttle API"


def test_schema_has_contract_paths(schema):
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_schema_match_fields_follow_contract(schema):
    components = schema["components"]["schemas"]
    listing = schema["paths"]["/api/v1/matches/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = components[listing["schema"]["$ref"].rsplit("/", 1)[1]]
    item = components[page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]]

    assert {"rank", "score", "exhibitor", "reasons"} <= set(item["properties"])
    assert {"count", "next", "previous", "results"} <= set(page["properties"])


def test_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/v1/schema/").status_code == 200
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # assets are served locally


def test_schema_match_runs_path_has_the_list_and_the_start_command(schema):
    operations = schema["paths"]["/api/v1/match-runs/"]

    assert sorted(operations) == ["get", "post"]
    assert operations["get"]["operationId"] == "match_runs_list"
    assert list(operations["post"]["responses"]) == ["202"]
