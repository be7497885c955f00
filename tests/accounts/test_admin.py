"""The user admin: email sign-in, roles through `user_set_role`, superuser powers kept to superusers."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_set_role
from tests.factories.accounts import OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def organiser_user(db):
    """An organiser who is not a superuser: everything comes from the Organisers group."""
    return user_set_role(user=UserFactory(email="organiser@expo.example"), role=Role.ORGANISER)


@pytest.fixture
def organiser_client(client, organiser_user):
    client.force_login(organiser_user)
    return client


def _change_data(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "company": user.company,
        "country": user.country.code,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "role": user.role,
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


def test_user_changelist_lists_by_email_with_search(superuser_client, buyer_user):
    UserFactory(email="wang@silk.example", company="Suzhou Silk")

    response = superuser_client.get(reverse("admin:accounts_user_changelist"), {"q": "silk"})

    assert response.status_code == 200
    assert [u.email for u in response.context["cl"].result_list] == ["wang@silk.example"]


def test_user_add_form_creates_user_with_password_and_role(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Zhang.Wei@Mill.example",
            "name": "Zhang Wei",
            "company": "Wujiang Mill",
            "country": "CN",
            "phone": "",
            "preferred_language": "zh-hans",
            "role": Role.EXHIBITOR_STAFF,
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email_key="zhang.wei@mill.example")
    assert user.email == "Zhang.Wei@mill.example"  # as typed (the domain lower-cased), for delivery
    assert user.check_password("a-long-enough-passphrase")
    assert (user.role, user.is_staff, user.preferred_language) == (Role.EXHIBITOR_STAFF, True, "zh-hans")
    assert list(user.groups.values_list("name", flat=True)) == ["Exhibitor staff"]


def test_user_add_form_refuses_an_email_differing_only_in_case(superuser_client, buyer_user):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": buyer_user.email.upper(),
            "role": Role.BUYER,
            "preferred_language": "en",
            "usable_password": "false",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["email"]
    assert User.objects.filter(email__iexact=buyer_user.email).count() == 1


def test_user_role_change_updates_groups_and_staff_flag(superuser_client, buyer_user):
    url = reverse("admin:accounts_user_change", args=[buyer_user.pk])

    response = superuser_client.post(url, _change_data(buyer_user, role=Role.ORGANISER))

    assert response.status_code == 302
    buyer_user.refresh_from_db()
    assert (buyer_user.role, buyer_user.is_staff) == (Role.ORGANISER, True)
    assert list(buyer_user.groups.values_list("name", flat=True)) == ["Organisers"]

    response = superuser_client.post(url, _change_data(buyer_user, role=Role.BUYER))

    assert response.status_code == 302
    buyer_user.refresh_from_db()
    assert (buyer_user.role, buyer_user.is_staff, buyer_user.groups.count()) == (Role.BUYER, False, 0)


def test_user_staff_flag_cannot_be_set_by_hand(superuser_client, buyer_user):
    url = reverse("admin:accounts_user_change", args=[buyer_user.pk])

    response = superuser_client.post(url, _change_data(buyer_user, is_staff="on"))

    assert response.status_code == 302
    buyer_user.refresh_from_db()
    assert buyer_user.is_staff is False


def test_superuser_must_keep_the_organiser_role(superuser_client):
    other = OrganiserFactory()
    url = reverse("admin:accounts_user_change", args=[other.pk])

    response = superuser_client.post(url, _change_data(other, role=Role.BUYER, is_superuser="on"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["role"]
    other.refresh_from_db()
    assert other.role == Role.ORGANISER


def test_organiser_manages_users_but_cannot_grant_superuser_or_groups(organiser_client, buyer_user):
    url = reverse("admin:accounts_user_change", args=[buyer_user.pk])

    response = organiser_client.post(
        url, _change_data(buyer_user, name="Renamed", is_superuser="on", user_permissions=[1])
    )

    assert response.status_code == 302
    buyer_user.refresh_from_db()
    assert (buyer_user.name, buyer_user.is_superuser, buyer_user.user_permissions.count()) == (
        "Renamed",
        False,
        0,
    )


def test_organiser_cannot_change_a_superuser(organiser_client, organiser):
    url = reverse("admin:accounts_user_change", args=[organiser.pk])

    assert organiser_client.get(url).status_code == 200  # view only
    response = organiser_client.post(url, _change_data(organiser, name="Taken over"))
    assert response.status_code == 403
    password = reverse("admin:auth_user_password_change", args=[organiser.pk])
    assert organiser_client.get(password).status_code == 403
    assert (
        organiser_client.post(reverse("admin:accounts_user_delete", args=[organiser.pk])).status_code == 403
    )
    organiser.refresh_from_db()
    assert organiser.name != "Taken over"


def test_exhibitor_staff_cannot_open_the_user_admin(client, exhibitor_staff, buyer_user):
    client.force_login(exhibitor_staff)

    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_change", args=[buyer_user.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_buyer_cannot_sign_in_to_the_admin(client, buyer_user):
    client.force_login(buyer_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_user_changelist_renders_in_simplified_chinese(superuser_client):
    User.objects.update(preferred_language="zh-hans")  # the organiser's saved language beats the browser's
    response = superuser_client.get(reverse("admin:accounts_user_changelist"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "增加" in response.content.decode()  # Django's own "Add"
