"""Error pages and the favicon."""

import pytest

from tests.config.pages import error_message
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_404_page_is_styled_and_translated(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<link rel="stylesheet" href="/static/css/shuttle.css">' in html
    assert "<h1>Page not found</h1>" in html
    zh = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>页面不存在</h1>" in zh
    assert "Page not found" not in zh


def test_403_page_is_styled_and_translated(client, exhibitor_staff):
    client.force_login(exhibitor_staff)
    response = client.get("/recommendations/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Access denied</h1>" in html
    assert f"You are signed in as {exhibitor_staff.email}, and this page is not open to your account." in html
    exhibitor_staff.preferred_language = "zh-hans"  # a signed-in person's pages speak their language
    exhibitor_staff.save()
    zh = client.get("/recommendations/").content.decode()
    assert "<h1>无权访问</h1>" in zh
    assert "Access denied" not in zh


def test_api_404_stays_json(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_favicon_is_linked_and_served(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico" sizes="48x48">' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.ico")


def test_favicon_file_is_an_icon():
    from django.contrib.staticfiles import finders

    with open(finders.find("favicon.ico"), "rb") as icon:
        header = icon.read(6)
    assert header == b"\x00\x00\x01\x00\x03\x00"  # ICO, three sizes


def test_403_for_anonymous_invites_to_sign_in(client):
    UserFactory()
    # The organiser's page sends anonymous visitors to sign in; a forbidden page for a signed-in
    # buyer shows the 403 page (above). Anonymous users never see 403 from the pages.
    assert client.get("/organiser/matching/").status_code == 302


def test_request_refused_before_any_view_gets_the_400_page_in_the_readers_language(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2

    response = client.get("/exhibitors/?a=1&b=2&c=3", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>请求无法处理" in response.content.decode()
    assert error_message(response) == "网址或表单中含有本页面无法使用的内容。请返回后重试。"
