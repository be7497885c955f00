import os
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import ExhibitorFactory, ExhibitorStaffFactory, ExpoFactory

REQUIRE_SERVICES = os.environ.get("SHUTTLE_REQUIRE_SERVICES") == "1"
LOCALE = Path(__file__).resolve().parent.parent / "locale"


def pytest_sessionstart(session):
    """Compile any catalogue whose .mo is missing or older than its .po (make test does it too),
    so a bare `pytest` on a fresh checkout sees the Chinese the tests expect."""
    for po_path in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


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


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts from an empty cache: throttle and rate-limit counters live there, and cached
    directory answers are keyed by primary keys, which a rolled-back test may hand out again
    (SQLite), under versions no commit ever bumped. The cached zone of "the current expo" starts as
    none current too (as the empty database has); saving an expo caches its zone, so requests read
    it without a query (expo/timezones.py)."""
    from expo.timezones import CURRENT_KEY

    cache.clear()
    cache.set(CURRENT_KEY, "")
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _restore_language():
    """A request or test that activates a language leaves it active in the thread; deactivate it
    after each test so the next one starts in the default language whatever ran before it."""
    from django.utils import translation

    yield
    translation.deactivate()


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


@pytest.fixture(autouse=True)
def _clear_local_sign_in_counts():
    """The sign-in throttle's per-process fallback counters (used while Redis is down) start empty."""
    from accounts import throttles

    throttles.local_counts.clear()
    yield
    throttles.local_counts.clear()
