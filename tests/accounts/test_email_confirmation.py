import re

import pytest
from django.core import mail, signing

from accounts import tokens
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def link_path(message) -> str:
    return re.search(r"http://testserver(/accounts/confirm/[^\s]+/)", message.body).group(1)


def test_confirmation_link_from_registration_confirms_the_address(
    client, expo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/auth/register/",
            {
                "email": "ana@example.com",
                "password": "weft-and-warp-2027",
                "name": "Ana",
                "company": "Ana Moda",
                "country": "PT",
            },
            content_type="application/json",
        )

    response = client.get(link_path(mail.outbox[0]))

    assert response.status_code == 200
    assert b"Thank you, your email address is confirmed." in response.content
    from accounts.models import User

    assert User.objects.get(email="ana@example.com").email_confirmed is True


def test_confirmation_tampered_token_is_400(client):
    user = UserFactory()
    token = tokens.email_confirmation_token(user=user)

    response = client.get(f"/accounts/confirm/{token[:-2]}xx/")

    assert response.status_code == 400
    assert b"This confirmation link is not valid." in response.content
    user.refresh_from_db()
    assert user.email_confirmed is False


def test_confirmation_expired_token_is_refused(client, monkeypatch):
    user = UserFactory()
    token = tokens.email_confirmation_token(user=user)
    monkeypatch.setattr(tokens, "MAX_AGE_SECONDS", -1)

    response = client.get(f"/accounts/confirm/{token}/")

    assert response.status_code == 400
    assert b"This confirmation link has expired." in response.content


def test_confirmation_link_for_old_address_is_refused_after_change(client):
    user = UserFactory(email="old@example.com")
    token = tokens.email_confirmation_token(user=user)
    user.email = "new@example.com"
    user.save()

    response = client.get(f"/accounts/confirm/{token}/")

    assert response.status_code == 400


def test_confirmation_token_of_other_salt_is_refused(client):
    user = UserFactory()
    token = signing.dumps({"user": user.pk, "email": user.email}, salt="something-else")

    assert client.get(f"/accounts/confirm/{token}/").status_code == 400


def test_confirmation_api_confirms(api_client):
    user = UserFactory()

    response = api_client.post(
        "/api/v1/auth/confirm-email/", {"token": tokens.email_confirmation_token(user=user)}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"detail": "Your email address is confirmed.", "email_confirmed": True}


def test_confirmation_api_bad_token_is_400_naming_token(api_client):
    response = api_client.post("/api/v1/auth/confirm-email/", {"token": "nonsense"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "token: This confirmation link is not valid.",
        "token": ["This confirmation link is not valid."],
    }


def test_confirmation_resend_api_sends_a_new_link(client_for):
    user = UserFactory(email="ana@example.com")

    response = client_for(user).post("/api/v1/auth/confirm-email/resend/")

    assert response.status_code == 202
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_confirmation_resend_api_when_confirmed_sends_nothing(client_for):
    user = UserFactory(email_confirmed=True)

    response = client_for(user).post("/api/v1/auth/confirm-email/resend/")

    assert response.status_code == 200
    assert mail.outbox == []


def test_confirmation_resend_api_anonymous_is_refused(api_client):
    assert api_client.post("/api/v1/auth/confirm-email/resend/").status_code == 401


def test_confirmation_resend_page_sends_and_redirects_only_locally(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/accounts/confirm-resend/", {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("role", ["buyer", "exhibitor staff", "organiser"])
def test_confirmation_resend_api_mails_only_the_signed_in_user(client_for, role):
    from tests.factories.accounts import OrganiserFactory, StaffUserFactory

    make = {"buyer": UserFactory, "exhibitor staff": StaffUserFactory, "organiser": OrganiserFactory}
    user = make[role](email=f"{role.replace(' ', '-')}@example.com")
    UserFactory(email="bystander@example.com")

    response = client_for(user).post("/api/v1/auth/confirm-email/resend/", {"email": "bystander@example.com"})

    assert response.status_code == 202
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_confirmation_token_of_one_user_confirms_only_that_user(api_client):
    user, other = UserFactory(), UserFactory()

    response = api_client.post(
        "/api/v1/auth/confirm-email/", {"token": tokens.email_confirmation_token(user=user)}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.email_confirmed, other.email_confirmed) == (True, False)
