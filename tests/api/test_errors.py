"""Every API error is JSON with `detail`, even for paths no route knows."""

import pytest
from django.test import Client

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


def test_api_method_not_allowed_is_json_405(api_client):
    response = api_client.post("/api/v1/taxonomy/", {}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/register/"])
def test_api_oversize_body_is_json_413(api_client, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"email": "buyer@example.com", "password": "' + "x" * 2000 + '"}'

    response = api_client.post(path, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large."}


def test_api_oversize_form_body_is_json_413(api_client, settings):
    """A form body is read by Django before any view: the 413 comes from the error handler."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_client.post("/api/v1/auth/token/", {"email": "a@example.com", "password": "x" * 2000})

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_api_bad_request_outside_views_is_json_400(api_client, settings):
    settings.ALLOWED_HOSTS = ["shuttle.example"]

    response = api_client.get("/api/v1/health/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Bad request."}


@pytest.mark.urls("tests.api.urls_failing")
def test_api_server_error_is_json_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/fail/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.urls("tests.api.urls_failing")
def test_page_server_error_stays_html(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/fail/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_api_method_not_allowed_on_a_path_with_a_view_per_method(client_for, organiser):
    response = client_for(organiser).put("/api/v1/match-runs/", {}, format="json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}
