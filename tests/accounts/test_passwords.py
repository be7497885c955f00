"""Password reset for every account, rate limits, token revocation, the maximum length."""

import re

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.ratelimits import CONFIRM_RESEND_PER_USER, REGISTER_PER_ADDRESS, RESET_PER_EMAIL
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def imported():
    """An account as imports create it: no usable password."""
    return UserFactory(
        email="li@mill.example", password=UNUSABLE_PASSWORD_PREFIX + "x", preferred_language="zh-hans"
    )


def _reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_password_reset_of_an_imported_account_sends_exactly_one_email_in_its_language(client, imported):
    response = client.post("/accounts/password-reset/", {"email": "LI@mill.example"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert [m.to for m in mail.outbox] == [["li@mill.example"]]
    assert mail.outbox[0].subject == "设置新的 Shuttle 密码"


def test_password_reset_link_sets_the_password_confirms_and_revokes_tokens(client, imported):
    token = Token.objects.create(user=imported)
    client.post("/accounts/password-reset/", {"email": "li@mill.example"})
    form = client.get(_reset_link(mail.outbox[0]), follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "loom-shuttle-77", "new_password2": "loom-shuttle-77"}
    )

    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.check_password("loom-shuttle-77")
    assert imported.email_confirmed is True
    assert not Token.objects.filter(key=token.key).exists()


def test_thirty_reset_requests_send_three_emails_then_refuse(client, imported):
    statuses = [
        client.post("/accounts/password-reset/", {"email": "li@mill.example"}).status_code for _ in range(30)
    ]

    assert statuses == [302] * RESET_PER_EMAIL.limit + [429] * (30 - RESET_PER_EMAIL.limit)
    assert len(mail.outbox) == RESET_PER_EMAIL.limit


def test_reset_limit_is_the_same_for_unknown_addresses(client):
    """Refusing only known addresses would tell a stranger which ones have accounts."""
    statuses = [
        client.post("/accounts/password-reset/", {"email": "nobody@example.com"}).status_code
        for _ in range(4)
    ]

    assert statuses == [302, 302, 302, 429]
    assert mail.outbox == []


def test_reset_says_it_could_not_send_when_delivery_fails(client, imported, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_passwords.FailingBackend"

    response = client.post("/accounts/password-reset/", {"email": "li@mill.example"})

    assert response.status_code == 503
    assert "We could not send the email just now" in response.content.decode()


def test_reset_of_an_inactive_account_sends_nothing(client):
    UserFactory(email="gone@example.com", is_active=False)

    response = client.post("/accounts/password-reset/", {"email": "gone@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_revokes_api_tokens(client):
    user = UserFactory()
    token = Token.objects.create(user=user)
    client.force_login(user)

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "loom-shuttle-77", "new_password2": "loom-shuttle-77"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/account/"
    assert not Token.objects.filter(key=token.key).exists()
    assert "_auth_user_id" in client.session  # this browser stays signed in


def test_token_revoke_api_revokes_only_the_callers_token(client_for):
    user, other = UserFactory(), UserFactory()
    caller = client_for(user)
    client_for(other)

    response = caller.post("/api/v1/auth/token/revoke/")

    assert response.status_code == 204
    assert list(Token.objects.values_list("user_id", flat=True)) == [other.pk]
    assert caller.get("/api/v1/auth/me/").status_code == 401


def test_token_revoke_api_needs_authentication(api_client):
    response = api_client.post("/api/v1/auth/token/revoke/")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_admin_password_change_revokes_api_tokens(client, organiser):
    user = UserFactory()
    token = Token.objects.create(user=user)
    client.force_login(organiser)

    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "loom-shuttle-77", "password2": "loom-shuttle-77"},
    )

    assert response.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


@pytest.mark.parametrize("path", ["/api/v1/auth/register/", "/api/v1/auth/token/"])
def test_password_longer_than_128_is_400_naming_password(api_client, expo, path):
    body = {"email": "long@example.com", "password": "x" * 129, "name": "L", "company": "C", "country": "DE"}

    response = api_client.post(path, body, format="json")

    assert response.status_code == 400
    assert response.json()["password"] == ["Ensure this field has no more than 128 characters."]


def test_sign_in_page_refuses_an_overlong_password_without_hashing_it(client):
    UserFactory(email="a@example.com")

    response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x" * 129})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        "Ensure this value has at most 128 characters (it has 129)."
    ]


def test_password_validator_refuses_129_characters(client, imported):
    client.post("/accounts/password-reset/", {"email": "li@mill.example"})
    form = client.get(_reset_link(mail.outbox[0]), follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "x" * 129, "new_password2": "x" * 129}
    )

    assert response.status_code == 200
    assert "密码太长，最多 128 个字符。" in response.content.decode()  # the page speaks the person's language


def test_registration_is_rate_limited_per_client_address(api_client, expo):
    statuses = []
    for n in range(REGISTER_PER_ADDRESS.limit + 1):
        body = {"email": f"r{n}@example.com", "password": "weft-and-warp-2027", "name": "R", "company": "C"}
        statuses.append(
            api_client.post("/api/v1/auth/register/", {**body, "country": "DE"}, format="json").status_code
        )

    assert statuses == [201] * REGISTER_PER_ADDRESS.limit + [429]
    assert User.objects.count() == REGISTER_PER_ADDRESS.limit


def test_registration_page_is_rate_limited_too(client, expo):
    for n in range(REGISTER_PER_ADDRESS.limit):
        client.post("/accounts/register/", {"email": f"bad{n}"})

    response = client.post("/accounts/register/", {"email": "late@example.com"})

    assert response.status_code == 429
    assert "Too many registrations from your network" in response.content.decode()


def test_confirmation_resend_is_rate_limited(client_for):
    user = UserFactory()
    api = client_for(user)

    statuses = [api.post("/api/v1/auth/confirm-email/resend/").status_code for _ in range(4)]

    assert statuses == [202] * CONFIRM_RESEND_PER_USER.limit + [429]
    assert len(mail.outbox) == CONFIRM_RESEND_PER_USER.limit
