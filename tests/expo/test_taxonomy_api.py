import pytest

from expo.models import Term
from expo.taxonomy_data import TERMS

pytestmark = pytest.mark.django_db


def test_taxonomy_lists_every_shipped_term_bilingually(api_client):
    response = api_client.get("/api/v1/taxonomy/")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == len(TERMS)
    chiffon = next(t for t in body if t["slug"] == "chiffon")
    assert chiffon == {
        "kind": "fabric",
        "slug": "chiffon",
        "name_en": "Chiffon",
        "name_zh": "雪纺",
        "parent": "woven",
    }


def test_taxonomy_filters_by_kind(api_client):
    response = api_client.get("/api/v1/taxonomy/", {"kind": "certification"})

    assert response.status_code == 200
    expected = sorted(slug for kind, slug, *_ in TERMS if kind == "certification")
    assert sorted(t["slug"] for t in response.json()) == expected


def test_taxonomy_rejects_unknown_kind_naming_the_field(api_client):
    response = api_client.get("/api/v1/taxonomy/", {"kind": "colour"})

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "kind"}
    assert response.json()["detail"].startswith("kind: ")


def test_taxonomy_minimums_per_kind():
    counts = {}
    for kind, *_ in TERMS:
        counts[kind] = counts.get(kind, 0) + 1
    assert counts["fabric"] >= 30
    assert counts["process"] >= 20
    assert counts["fibre"] >= 15
    assert counts["end_use"] >= 15
    assert counts["certification"] >= 6


@pytest.mark.parametrize("extra", [1, 3])
def test_taxonomy_query_count_does_not_grow_with_terms(api_client, django_assert_num_queries, extra):
    woven = Term.objects.get(kind="fabric", slug="woven")
    for n in range(extra):
        Term.objects.create(
            kind="fabric", slug=f"test-weave-{n}", name_en=f"Weave {n}", name_zh=f"织{n}", parent=woven
        )

    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/taxonomy/")

    assert len(response.json()) == len(TERMS) + extra


@pytest.mark.parametrize("role", ["anonymous", "buyer", "exhibitor_staff", "organiser"])
def test_taxonomy_and_health_are_open_to_every_role(api_client, client_for, role, request):
    client = (
        api_client
        if role == "anonymous"
        else client_for(
            request.getfixturevalue(
                {"buyer": "buyer_user", "exhibitor_staff": "exhibitor_staff", "organiser": "organiser"}[role]
            )
        )
    )

    assert client.get("/api/v1/taxonomy/").status_code == 200
    assert client.get("/api/v1/health/").json()["database"] == "ok"


def test_taxonomy_is_read_only(client_for, organiser):
    response = client_for(organiser).post("/api/v1/taxonomy/", {"kind": "fabric", "slug": "x"}, format="json")

    assert response.status_code == 405
    assert set(response.json()) == {"detail"}
