"""config.middleware.AdminSelectedObjectsMiddleware: an admin action naming objects by values that
are not ids is a 400 naming `_selected_action` (Django's admin answered 500), and changes nothing."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Meeting
from expo.services import meetings as svc
from tests.config.pages import error_message
from tests.factories.accounts import OrganiserFactory
from tests.factories.meetings import (
    buyer_at,
    exhibitor_with_tables,
    expo_with_slots_near_now,
    future_slots,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(db):
    expo = expo_with_slots_near_now()
    exhibitor, buyer = exhibitor_with_tables(expo=expo), buyer_at(expo)
    meeting = svc.meeting_book(
        buyer=buyer, exhibitor=exhibitor, slot=future_slots(expo, 1)[0], actor=buyer.user
    )
    client = Client()
    client.force_login(user_set_role(user=staff_of(exhibitor), role=Role.EXHIBITOR_STAFF))
    return client, meeting


@pytest.mark.parametrize("value", ["abc", "1.5", "", "99999999999999999999", "-99999999999999999999"])
def test_action_on_a_value_that_is_not_an_id_is_400_naming_the_field(requested, value):
    client, meeting = requested

    response = client.post(
        "/admin/expo/meeting/",
        {"action": "accept", "_selected_action": [str(meeting.pk), value], "index": "0"},
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert error_message(response) == f"The value of _selected_action cannot be used: Not an id: {value}."
    assert Meeting.objects.get(pk=meeting.pk).status == "requested"


def test_action_on_real_ids_still_runs(requested):
    client, meeting = requested

    response = client.post(
        "/admin/expo/meeting/", {"action": "accept", "_selected_action": [str(meeting.pk)], "index": "0"}
    )

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "accepted"


def test_string_primary_keys_are_ids(db):
    """API tokens are keyed by a string: any string is a valid id there, so the admin answers."""
    superuser = OrganiserFactory(is_superuser=True)
    token = Token.objects.create(user=superuser)
    client = Client()
    client.force_login(superuser)

    response = client.post(
        "/admin/authtoken/tokenproxy/",
        {"action": "delete_selected", "_selected_action": [token.key, "not-a-token"], "index": "0"},
    )

    assert response.status_code == 200
    assert "<title>Select Token to change | Shuttle</title>" in response.content.decode()


def test_not_an_id_in_chinese(requested):
    client, meeting = requested
    user = staff_of(meeting.exhibitor)
    user.preferred_language = "zh-hans"  # the signed-in person's language wins over the browser's
    user.save(update_fields=["preferred_language"])

    response = client.post(
        "/admin/expo/meeting/",
        {"action": "accept", "_selected_action": ["abc"], "index": "0"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert error_message(response) == "_selected_action 的值无法使用：不是有效的编号：abc。"
