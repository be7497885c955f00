import pytest
from rest_framework.authtoken.models import Token

from accounts import throttles
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def test_token_issued_for_right_password(api_client):
    user = UserFactory(email="ana@example.com")

    response = api_client.post(URL, {"email": "ana@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_email_is_case_insensitive_and_token_is_stable(api_client):
    UserFactory(email="ana@example.com")

    first = api_client.post(URL, {"email": "Ana@Example.com", "password": PASSWORD}, format="json")
    second = api_client.post(URL, {"email": "ana@example.com", "password": PASSWORD}, format="json")

    assert first.status_code == second.status_code == 200
    assert first.json()["token"] == second.json()["token"]


def test_token_wrong_password_is_400_without_saying_which_part(api_client):
    UserFactory(email="ana@example.com")

    response = api_client.post(URL, {"email": "ana@example.com", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unable to sign in with this email address and password.",
        "non_field_errors": ["Unable to sign in with this email address and password."],
    }


def test_token_inactive_user_is_refused(api_client):
    UserFactory(email="ana@example.com", is_active=False)

    response = api_client.post(URL, {"email": "ana@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "ana@example.com"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
    ],
)
def test_token_missing_or_malformed_field_is_named(api_client, body, field):
    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["detail", field]
    assert response.json()["detail"].startswith(f"{field}: ")


def test_token_throttled_per_account_after_limit_even_with_right_password(api_client):
    UserFactory(email="ana@example.com")
    for i in range(throttles.ACCOUNT_LIMIT):
        response = api_client.post(
            URL, {"email": "ana@example.com", "password": "wrong"}, format="json", REMOTE_ADDR=f"10.0.0.{i}"
        )
        assert response.status_code == 400

    response = api_client.post(
        URL, {"email": "ana@example.com", "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.1.1"
    )

    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed sign-in attempts. Please wait 15 minutes."}
    assert response["Retry-After"] == str(throttles.WINDOW_SECONDS)


def test_token_throttled_per_address_across_accounts(api_client):
    for i in range(throttles.ADDRESS_LIMIT):
        api_client.post(
            URL,
            {"email": f"guess{i}@example.com", "password": "wrong"},
            format="json",
            REMOTE_ADDR="192.0.2.7",
        )
    other = UserFactory()

    from_same = api_client.post(
        URL, {"email": other.email, "password": PASSWORD}, format="json", REMOTE_ADDR="192.0.2.7"
    )
    from_elsewhere = api_client.post(
        URL, {"email": other.email, "password": PASSWORD}, format="json", REMOTE_ADDR="192.0.2.8"
    )

    assert from_same.status_code == 429
    assert from_elsewhere.status_code == 200


def test_token_success_clears_the_account_counter(api_client):
    UserFactory(email="ana@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT - 1):
        api_client.post(URL, {"email": "ana@example.com", "password": "wrong"}, format="json")
    assert (
        api_client.post(URL, {"email": "ana@example.com", "password": PASSWORD}, format="json").status_code
        == 200
    )

    for _ in range(throttles.ACCOUNT_LIMIT - 1):
        api_client.post(URL, {"email": "ana@example.com", "password": "wrong"}, format="json")

    response = api_client.post(URL, {"email": "ana@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_token_unknown_account_failures_count_too(api_client):
    for _ in range(throttles.ACCOUNT_LIMIT):
        api_client.post(
            URL, {"email": "ghost@example.com", "password": "x"}, format="json", REMOTE_ADDR="10.1.1.1"
        )

    response = api_client.post(URL, {"email": "ghost@example.com", "password": "x"}, format="json")

    assert response.status_code == 429


def test_me_returns_own_account_for_each_role(client_for, organiser, exhibitor_staff, buyer_user):
    for user in (organiser, exhibitor_staff, buyer_user):
        response = client_for(user).get("/api/v1/auth/me/")
        assert response.status_code == 200
        assert response.json()["email"] == user.email
        assert response.json()["role"] == user.role


def test_me_anonymous_is_refused(api_client):
    response = api_client.get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("role", ["buyer", "other buyer", "exhibitor staff", "organiser"])
def test_token_issued_to_every_role_for_own_account_only(api_client, role):
    from tests.factories.accounts import OrganiserFactory, StaffUserFactory

    make = {"buyer": UserFactory, "other buyer": UserFactory, "exhibitor staff": StaffUserFactory}
    user = make.get(role, OrganiserFactory)()
    other = UserFactory()

    own = api_client.post(URL, {"email": user.email, "password": PASSWORD}, format="json")
    anothers = api_client.post(URL, {"email": other.email, "password": "not-theirs"}, format="json")

    assert own.json() == {"token": Token.objects.get(user=user).key}
    assert anothers.status_code == 400
