"""One normal form of email addresses for lookup, uniqueness and the sign-in throttle."""

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from accounts import throttles
from accounts.models import User, email_normal
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        (" Victim@Example.COM ", "victim@example.com"),
        ("ſam@example.com", "sam@example.com"),  # long s folds to s
        ("Ｖｉｃｔｉｍ@example.com", "victim@example.com"),  # full-width letters (NFKC)
        ("straße@example.com", "strasse@example.com"),
        ("vıctim@example.com", "vıctim@example.com"),  # a dotless i is another letter
    ],
)
def test_email_normal(typed, normal):
    assert email_normal(typed) == normal


def test_email_key_is_written_on_save_and_keeps_the_address_as_typed():
    user = User.objects.create_user("Zhang.Wei@Mill.Example", "x-long-passphrase-1")

    user.refresh_from_db()
    assert (user.email, user.email_key) == ("Zhang.Wei@mill.example", "zhang.wei@mill.example")


def test_look_alike_address_is_the_same_account_for_uniqueness():
    UserFactory(email="sam@example.com")

    with pytest.raises(IntegrityError):
        User.objects.create_user("ſam@example.com")


def test_register_api_refuses_a_look_alike_of_a_taken_address(api_client, expo):
    UserFactory(email="sam@example.com")

    response = api_client.post(
        "/api/v1/auth/register/",
        {
            "email": "ſam@example.com",
            "password": "weft-and-warp-2027",
            "name": "S",
            "company": "C",
            "country": "DE",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["email"] == ["A user with this email address already exists."]


def test_sign_in_finds_the_account_by_any_spelling_of_its_normal_form():
    user = UserFactory(email="sam@example.com")

    assert authenticate(email="ſAM@Example.com", password=PASSWORD) == user
    assert authenticate(email="sam@example.com", password=PASSWORD) == user


def test_dotless_i_is_not_the_account_and_cannot_dodge_its_lock(client):
    """Before, the database matched `vıctim` to `victim` (UPPER folds ı to I) while the throttle
    counted it apart, so guesses with a dotless i were never locked out."""
    UserFactory(email="victim@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT):
        client.post("/accounts/login/", {"username": "VICTIM@example.com", "password": "guess"})

    look_alike = client.post("/accounts/login/", {"username": "vıctim@example.com", "password": PASSWORD})
    real = client.post("/accounts/login/", {"username": "victim@example.com", "password": PASSWORD})

    assert look_alike.status_code == 200  # no such account
    assert "_auth_user_id" not in client.session
    assert real.status_code == 200  # locked: the right password is refused too
    assert "Too many failed sign-in attempts" in real.content.decode()


def test_long_s_counts_against_the_same_account():
    throttles.login_failed(email="ſam@example.com", address="10.0.0.1")
    for _ in range(throttles.ACCOUNT_LIMIT - 1):
        throttles.login_failed(email="SAM@example.com", address="10.0.0.2")

    assert throttles.login_blocked(email="sam@example.com", address="10.0.0.3") is True
