import os

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import ExhibitorFactory, ExhibitorStaffFactory, ExpoFactory

REQUIRE_SERVICES = os.environ.get("SHUTTLE_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """Skip service-bound tests with a stated reason where the service is absent; CI requires them."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs PostgreSQL but DATABASE_URL is not PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)"))
        if "broker" in item.keywords and not has_broker:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs Redis but REDIS_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs a Redis broker: set REDIS_URL (CI does)"))


@pytest.fixture
def expo(db):
    return ExpoFactory(is_current=True)


@pytest.fixture
def organiser(db):
    return OrganiserFactory()


@pytest.fixture
def exhibitor(expo):
    return ExhibitorFactory(expo=expo)


@pytest.fixture
def exhibitor_staff(exhibitor):
    return ExhibitorStaffFactory(exhibitor=exhibitor).user


@pytest.fixture
def buyer_user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated with the given user's token (the mobile-app path)."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
