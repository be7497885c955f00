import re

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from expo.models import Buyer
from expo.signals import buyer_profile_changed
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/register/"


def body(**overrides):
    data = {
        "email": "li.wei@brand.example",
        "password": "weft-and-warp-2027",
        "name": "Li Wei",
        "company": "Hangzhou Garments",
        "country": "CN",
        "preferred_language": "zh-hans",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_register_creates_buyer_user_profile_and_token(api_client, expo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, body(), format="json")

    assert response.status_code == 201
    user = User.objects.get(email="li.wei@brand.example")
    assert response.json() == {
        "token": Token.objects.get(user=user).key,
        "user": {
            "id": user.pk,
            "email": "li.wei@brand.example",
            "name": "Li Wei",
            "company": "Hangzhou Garments",
            "country": "CN",
            "preferred_language": "zh-hans",
            "role": "buyer",
            "email_confirmed": False,
        },
    }
    assert user.role == Role.BUYER
    assert user.check_password("weft-and-warp-2027")
    buyer = Buyer.objects.get(user=user)
    assert (buyer.expo, buyer.company, buyer.country.code, buyer.verified) == (
        expo,
        "Hangzhou Garments",
        "CN",
        False,
    )


def test_register_token_works_for_the_profile(api_client, expo):
    token = api_client.post(URL, body(), format="json").json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/buyers/me/")

    assert response.status_code == 200
    assert response.json()["company"] == "Hangzhou Garments"


def test_register_sends_confirmation_email_in_preferred_language(
    api_client, expo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(URL, body(preferred_language="en"), format="json")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.wei@brand.example"]
    assert message.subject == "Confirm your email address for Shuttle"
    assert re.search(r"http://testserver/accounts/confirm/[^/\s]+/", message.body)


def test_register_notifies_matching_of_the_new_profile(api_client, expo):
    received = []

    def receiver(sender, buyer, **kwargs):
        received.append(buyer.user.email)

    buyer_profile_changed.connect(receiver)
    try:
        api_client.post(URL, body(), format="json")
    finally:
        buyer_profile_changed.disconnect(receiver)

    assert received == ["li.wei@brand.example"]


def test_register_without_current_expo_creates_account_only(api_client, db):
    response = api_client.post(URL, body(), format="json")

    assert response.status_code == 201
    assert Buyer.objects.count() == 0


def test_register_language_defaults_to_english(api_client, expo):
    response = api_client.post(URL, body(preferred_language=None), format="json")

    assert response.json()["user"]["preferred_language"] == "en"


def test_register_duplicate_email_any_case_is_400_on_email(api_client, expo):
    UserFactory(email="li.wei@brand.example")

    response = api_client.post(URL, body(email="Li.Wei@Brand.example"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "email: A user with this email address already exists.",
        "email": ["A user with this email address already exists."],
    }
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "short1",
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
            ],
        ),
        ("password123", ["This password is too common."]),
        ("83749201938", ["This password is entirely numeric."]),
        ("li.wei@brand", ["The password is too similar to the email address."]),
    ],
)
def test_register_weak_password_is_400_on_password(api_client, expo, password, message):
    response = api_client.post(URL, body(password=password), format="json")

    assert response.status_code == 400
    assert response.json()["password"] == message
    assert response.json()["detail"] == f"password: {message[0]}"
    assert User.objects.count() == 0
    assert Buyer.objects.count() == 0


@pytest.mark.parametrize("field", ["email", "password", "name", "company", "country"])
def test_register_missing_field_is_400_naming_it(api_client, expo, field):
    response = api_client.post(URL, body(**{field: None}), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{field}: This field is required.",
        field: ["This field is required."],
    }


@pytest.mark.parametrize("field", ["name", "company", "country"])
def test_register_blank_field_is_400_naming_it(api_client, expo, field):
    response = api_client.post(URL, body(**{field: "  "}), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["detail", field]


def test_register_invalid_email_is_400(api_client, expo):
    response = api_client.post(URL, body(email="not an email"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "email: Enter a valid email address.",
        "email": ["Enter a valid email address."],
    }


def test_register_unknown_country_is_400(api_client, expo):
    response = api_client.post(URL, body(country="XX"), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["detail", "country"]


def test_register_unknown_language_is_400(api_client, expo):
    response = api_client.post(URL, body(preferred_language="fr"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": 'preferred_language: "fr" is not a valid choice.',
        "preferred_language": ['"fr" is not a valid choice.'],
    }


def test_register_reports_every_bad_field_at_once(api_client, expo):
    UserFactory(email="li.wei@brand.example")

    response = api_client.post(URL, body(password="123", country="XX"), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "email", "password", "country"}


@pytest.mark.parametrize("role", ["anonymous", "buyer", "exhibitor_staff", "organiser"])
def test_register_ignores_who_is_signed_in(
    api_client, client_for, expo, organiser, exhibitor_staff, buyer_user, role
):
    users = {"buyer": buyer_user, "exhibitor_staff": exhibitor_staff, "organiser": organiser}
    client = api_client if role == "anonymous" else client_for(users[role])

    response = client.post(URL, body(), format="json")

    assert response.status_code == 201
    assert response.json()["user"]["role"] == "buyer"


def test_register_race_on_the_same_address_is_400_on_email(expo, monkeypatch):
    from django.core.exceptions import ValidationError

    from expo.services import profiles

    # The uniqueness check passed, then another request took the address before the insert.
    monkeypatch.setattr(
        profiles, "buyer_registration_check", lambda **kw: User(email=kw["email"], role="buyer")
    )
    UserFactory(email="li.wei@brand.example")

    with pytest.raises(ValidationError) as caught:
        profiles.buyer_register(**body(), expo=expo, base_url="http://testserver/")

    assert caught.value.message_dict == {"email": ["A user with this email address already exists."]}
