"""Every API error is JSON with `detail`, even for paths no route knows."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/exhibitors/abc/", "/api/v2/health/"])
def test_unknown_api_path_is_json_404(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_api_path_404_in_chinese(api_client):
    response = api_client.get("/api/v1/nope/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_unknown_page_is_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
