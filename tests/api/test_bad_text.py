"""Text the database cannot store (a NUL character, a lone surrogate) is a 400 naming the field.

PostgreSQL refuses NUL in any text value; before the central guard these requests reached a query
and failed there with a 500. Run on PostgreSQL (CI does) to see the database refuse; on SQLite
the same 400 must come back. Query strings and forms are checked by
`config.middleware.UnstorableTextMiddleware`, API bodies by the parsers in `config.parsers`.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.config.pages import error_message
from tests.factories.expo import BuyerFactory

pytestmark = pytest.mark.django_db

NUL = "Null characters are not allowed."
SURROGATE = "Text must be valid Unicode: lone surrogate characters are not allowed."


def _api_error(field: str, message: str) -> dict:
    return {"detail": f"{field}: {message}", field: [message]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("search=chif%00fon", "search"),
        ("fabric=%00", "fabric"),
        ("hall=H1%00", "hall"),
        ("expo=%00", "expo"),
        ("page=1%00", "page"),
        ("ok=1&bad%00name=1", "bad\\x00name"),
    ],
)
def test_api_query_parameter_with_nul_is_400_naming_it(api_client, expo, query, field):
    response = api_client.get(f"/api/v1/exhibitors/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == _api_error(field, NUL)


def test_api_taxonomy_filter_with_nul_is_400(api_client):
    response = api_client.get("/api/v1/taxonomy/?kind=fabric%00")

    assert response.status_code == 400
    assert response.json() == _api_error("kind", NUL)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fabrics": ["chif\x00fon"]}, "fabrics"),
        ({"company": "Atelier\x00"}, "company"),
        ({"country": "D\x00"}, "country"),
        ({"price_min_cny": "9\x00"}, "price_min_cny"),
        ({"nested": {"deeper": ["\x00"]}}, "nested"),
        ({"bad\x00key": 1}, "bad\\x00key"),
    ],
)
def test_api_json_string_with_nul_is_400_naming_the_field(client_for, expo, body, field):
    buyer = BuyerFactory(expo=expo)

    response = client_for(buyer.user).patch("/api/v1/buyers/me/", body, format="json")

    assert response.status_code == 400
    assert response.json() == _api_error(field, NUL)


def test_api_json_lone_surrogate_is_400_naming_the_field(client_for, expo):
    buyer = BuyerFactory(expo=expo)
    raw = '{"company": "Atelier \\ud800 Lyon"}'  # valid JSON, not encodable as UTF-8

    response = client_for(buyer.user).generic(
        "PATCH", "/api/v1/buyers/me/", raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == _api_error("company", SURROGATE)


def test_api_sign_in_with_nul_in_email_is_400(api_client):
    body = {"email": "buyer\x00@example.com", "password": "x"}

    response = api_client.post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 400
    assert response.json() == _api_error("email", NUL)


def test_api_registration_with_nul_is_400_and_creates_nothing(api_client, expo, django_user_model):
    body = {
        "email": "new@example.com",
        "password": "a-long-enough-passphrase",
        "name": "New\x00",
        "company": "Co",
        "country": "DE",
    }

    response = api_client.post("/api/v1/auth/register/", json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == _api_error("name", NUL)
    assert django_user_model.objects.filter(email="new@example.com").exists() is False


@pytest.mark.parametrize("content_type", ["form", "multipart"])
def test_api_form_body_with_nul_is_400(client_for, expo, content_type):
    buyer = BuyerFactory(expo=expo)
    client = client_for(buyer.user)

    if content_type == "form":
        response = client.generic(
            "PATCH", "/api/v1/buyers/me/", "company=Co%00", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/api/v1/auth/token/", {"email": "a\x00@example.com", "password": "x"})

    field = "company" if content_type == "form" else "email"
    assert response.status_code == 400
    assert response.json() == _api_error(field, NUL)


def test_page_query_parameter_with_nul_is_400_naming_it(client, expo):
    response = client.get("/exhibitors/?search=%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert error_message(response) == f"The value of search cannot be used: {NUL}"


def test_page_form_field_with_nul_is_400_naming_it(client):
    response = client.post("/accounts/login/", {"username": "a\x00@example.com", "password": "x"})

    assert response.status_code == 400
    assert error_message(response) == f"The value of username cannot be used: {NUL}"


def test_admin_search_with_nul_is_400(client, organiser):
    client.force_login(organiser)

    response = client.get("/admin/expo/exhibitor/?q=%00")

    assert response.status_code == 400
    assert error_message(response) == f"The value of q cannot be used: {NUL}"


def test_page_error_is_in_chinese_for_chinese_pages(client, expo):
    response = client.get("/exhibitors/?search=%00", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert error_message(response) == "search 的值无法使用：不允许出现空字符。"
    assert "<title>请求无法处理" in response.content.decode()


def test_clean_text_passes_through(api_client, expo):
    response = api_client.get("/api/v1/exhibitors/?search=chiffon%20satin")

    assert response.status_code == 200


def test_parsers_load_whichever_module_is_imported_first():
    """A service importing `config.api` (for `Conflict`) before any view must not hit an import cycle."""
    code = "import django; django.setup(); import config.api; from rest_framework.views import APIView; print(APIView.parser_classes)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[<class 'config.parsers.JSONParser'>, <class 'config.parsers.FormParser'>, "
        "<class 'config.parsers.MultiPartParser'>]"
    )
