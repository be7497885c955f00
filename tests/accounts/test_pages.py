import re

import pytest
from django.core import mail

from accounts import throttles
from accounts.models import User
from expo.models import Buyer
from tests.factories.accounts import PASSWORD, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
    ],
)
def test_account_pages_render_in_both_languages(client, expo, url, language):
    client.cookies["django_language"] = language

    response = client.get(url)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


def test_login_page_signs_in_and_switches_to_preferred_language(client):
    UserFactory(email="wang@example.com", preferred_language="zh-hans")

    response = client.post("/accounts/login/", {"username": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "zh-hans"
    assert client.get("/").context["user"].email == "wang@example.com"


def test_login_page_wrong_password_shows_error(client):
    UserFactory(email="wang@example.com")

    response = client.post("/accounts/login/", {"username": "wang@example.com", "password": "nope"})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"][0].startswith("Please enter a correct email address")


def test_login_page_throttled_after_failures_even_with_right_password(client):
    UserFactory(email="wang@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT):
        client.post("/accounts/login/", {"username": "wang@example.com", "password": "nope"})

    response = client.post("/accounts/login/", {"username": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [
        "Too many failed sign-in attempts. Please wait 15 minutes, or reset your password."
    ]
    assert "_auth_user_id" not in client.session


def test_login_page_and_api_share_the_counter(client, api_client):
    UserFactory(email="wang@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT):
        client.post("/accounts/login/", {"username": "wang@example.com", "password": "nope"})

    response = api_client.post("/api/v1/auth/token/", {"email": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 429


def test_logout_is_a_post(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(email="wang@example.com")

    response = client.post("/accounts/password-reset/", {"email": "wang@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Choose a new Shuttle password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "loom-shuttle-weft-77", "new_password2": "loom-shuttle-weft-77"},
    )

    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("loom-shuttle-weft-77")


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_register_page_creates_account_profile_signs_in_and_emails(
    client, expo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/register/",
            {
                "email": "Chen@Brand.example",
                "password": "weft-and-warp-2027",
                "name": "Chen Jie",
                "company": "Chen Fashion",
                "country": "SG",
                "preferred_language": "zh-hans",
            },
        )

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    user = User.objects.get(email_key="chen@brand.example")
    assert (user.email, user.role, user.preferred_language, user.email_confirmed) == (
        "Chen@brand.example",  # as typed, the domain lower-cased
        "buyer",
        "zh-hans",
        False,
    )
    assert Buyer.objects.get(user=user).expo == expo
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [m.to for m in mail.outbox] == [["Chen@brand.example"]]


def test_register_page_shows_field_errors(client, expo):
    UserFactory(email="taken@example.com")

    response = client.post(
        "/accounts/register/",
        {
            "email": "taken@example.com",
            "password": "123",
            "name": "",
            "company": "X",
            "country": "",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"email", "password", "name", "country"}
    assert errors["email"] == ["A user with this email address already exists."]
    assert errors["password"][0] == "This password is too short. It must contain at least 8 characters."
    assert User.objects.count() == 1


def test_register_page_duplicate_email_named(client, expo):
    UserFactory(email="taken@example.com")

    response = client.post(
        "/accounts/register/",
        {
            "email": "TAKEN@example.com",
            "password": "weft-and-warp-2027",
            "name": "A",
            "company": "B",
            "country": "FR",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["A user with this email address already exists."]}


def test_register_page_redirects_signed_in_users(client):
    client.force_login(UserFactory())

    assert client.get("/accounts/register/")["Location"] == "/profile/"


def test_admin_login_is_throttled_like_the_site(client):
    StaffUserFactory(email="staff@mill.example")
    for _ in range(throttles.ACCOUNT_LIMIT):
        failed = client.post("/admin/login/", {"username": "staff@mill.example", "password": "nope"})
        assert failed.status_code == 200

    response = client.post("/admin/login/", {"username": "staff@mill.example", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [
        "Too many failed sign-in attempts. Please wait 15 minutes, or reset your password."
    ]
    assert "_auth_user_id" not in client.session


def test_site_lockout_also_closes_the_admin_door(client):
    StaffUserFactory(email="staff@mill.example")
    for _ in range(throttles.ACCOUNT_LIMIT):
        client.post("/accounts/login/", {"username": "staff@mill.example", "password": "nope"})

    response = client.post("/admin/login/", {"username": "staff@mill.example", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_login_still_refuses_non_staff_with_right_password(client):
    UserFactory(email="buyer@brand.example")

    response = client.post("/admin/login/", {"username": "buyer@brand.example", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"][0].startswith("Please enter the correct email address")


def test_password_reset_lifts_the_account_lock(client):
    UserFactory(email="wang@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT):
        client.post("/accounts/login/", {"username": "wang@example.com", "password": "nope"})
    assert client.post("/accounts/password-reset/", {"email": "wang@example.com"}).status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "loom-shuttle-weft-77", "new_password2": "loom-shuttle-weft-77"},
    )
    assert done.status_code == 302

    response = client.post(
        "/accounts/login/", {"username": "wang@example.com", "password": "loom-shuttle-weft-77"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="wang@example.com").pk)
