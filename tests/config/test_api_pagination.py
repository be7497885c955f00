"""Paginated API lists: a page number or size that is not a whole number of at least 1 is a 400
naming the field, a page past the last a 404 naming `page`; DRF's own "Invalid page." named none."""

import pytest

from tests.factories.expo import ExhibitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_exhibitors(expo):
    return ExhibitorFactory.create_batch(3, expo=expo)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "%C2%B2", "１"])
@pytest.mark.parametrize("field", ["page", "page_size"])
def test_page_or_size_not_a_whole_number_is_400_naming_it(api_client, three_exhibitors, field, value):
    response = api_client.get(f"/api/v1/exhibitors/?{field}={value}")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{field}: Enter a whole number, 1 or more.",
        field: ["Enter a whole number, 1 or more."],
    }


@pytest.mark.parametrize("page", ["3", "99999999999999999999"])
def test_page_past_the_last_is_404_naming_page(api_client, three_exhibitors, page):
    response = api_client.get(f"/api/v1/exhibitors/?page_size=2&page={page}")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "page: There is no such page: the last is 2.",
        "page": ["There is no such page: the last is 2."],
    }


def test_page_error_in_chinese(api_client, three_exhibitors):
    response = api_client.get("/api/v1/exhibitors/?page=0", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert response.json()["page"] == ["请输入不小于 1 的整数。"]


def test_valid_pages_still_page(api_client, three_exhibitors):
    second = api_client.get("/api/v1/exhibitors/?page_size=2&page=2")
    last = api_client.get("/api/v1/exhibitors/?page_size=2&page=last")
    blank = api_client.get("/api/v1/exhibitors/?page=")

    assert second.status_code == 200
    assert len(second.json()["results"]) == 1
    assert last.json()["results"] == second.json()["results"]
    assert blank.json()["count"] == 3
