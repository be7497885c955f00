import pytest

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
