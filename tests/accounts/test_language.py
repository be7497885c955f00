"""A person's language: chosen on the sign-in page, the header switcher or the account page, kept
across sign-out and sign-in, taken at registration, used in pages, the admin and email."""

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.expo import BuyerFactory

pytestmark = pytest.mark.django_db


def _lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_choice_on_the_sign_in_page_wins_and_is_saved(client):
    user = UserFactory(email="chen@mill.example", preferred_language="en")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert _lang(client.get("/accounts/login/")) == "zh-hans"

    response = client.post("/accounts/login/", {"username": "chen@mill.example", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    assert _lang(client.get("/exhibitors/")) == "zh-hans"


def test_without_a_choice_sign_in_switches_to_the_saved_language(client):
    UserFactory(email="chen@mill.example", preferred_language="zh-hans")

    response = client.post("/accounts/login/", {"username": "chen@mill.example", "password": PASSWORD})

    assert response.cookies["django_language"].value == "zh-hans"
    assert _lang(client.get("/exhibitors/")) == "zh-hans"


def test_the_header_switcher_saves_the_language_when_signed_in(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"


def test_language_is_kept_across_sign_out_and_sign_in(client):
    user = UserFactory(email="chen@mill.example", preferred_language="en")
    client.post("/accounts/login/", {"username": "chen@mill.example", "password": PASSWORD})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    client.post("/accounts/logout/")
    signed_out = _lang(client.get("/"))
    client.cookies.clear()  # another browser: only the account remembers
    client.post("/accounts/login/", {"username": "chen@mill.example", "password": PASSWORD})

    assert signed_out == "zh-hans"
    assert _lang(client.get("/")) == "zh-hans"
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"


def test_the_saved_language_beats_the_browsers(client):
    user = UserFactory(preferred_language="zh-hans")
    client.force_login(user)

    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "zh-hans"
    assert "站点管理" not in client.get("/admin/").content.decode()  # a buyer has no admin


def test_account_page_changes_the_language(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    assert client.get("/accounts/account/").status_code == 200

    response = client.post("/accounts/account/", {"preferred_language": "zh-hans"}, follow=True)

    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    assert _lang(response) == "zh-hans"
    assert "您的语言已保存。" in response.content.decode()


def test_account_page_refuses_an_unknown_language_naming_the_field(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/account/", {"preferred_language": "fr"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["preferred_language"]


def test_account_page_needs_sign_in(client):
    response = client.get("/accounts/account/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/account/"


def test_registration_api_takes_the_requests_language(api_client, expo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {
                "email": "w@brand.example",
                "password": "weft-and-warp-2027",
                "name": "W",
                "company": "C",
                "country": "CN",
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    assert response.status_code == 201
    assert User.objects.get().preferred_language == "zh-hans"
    assert mail.outbox[0].subject == "请确认您在 Shuttle 的电子邮箱"


def test_registration_page_takes_the_pages_language(client, expo):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/register/"})

    form = client.get("/accounts/register/").context["form"]

    assert form["preferred_language"].value() == "zh-hans"


@pytest.mark.parametrize(
    ("saved", "header", "message", "language"),
    [
        ("zh-hans", None, "请填写有效的整数。", "zh-hans"),
        ("en", None, "A valid integer is required.", "en"),
        ("en", "zh-hans", "请填写有效的整数。", "zh-hans"),
        ("zh-hans", "en", "A valid integer is required.", "en"),
    ],
)
def test_api_by_token_answers_in_the_saved_language_unless_the_client_asks(
    client, expo, saved, header, message, language
):
    """An API client that names no language gets the person's saved one; one that sends
    Accept-Language chose it, and gets it."""
    buyer = BuyerFactory(expo=expo, user__preferred_language=saved)
    token = Token.objects.create(user=buyer.user)
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}

    response = client.patch(
        "/api/v1/buyers/me/",
        {"order_quantity_m": "many"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
        **extra,
    )

    assert response.status_code == 400
    assert response.json()["order_quantity_m"] == [message]
    assert response["Content-Language"] == language
