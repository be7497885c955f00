"""With Redis unreachable (REDIS_URL pointing at a closed port), signing in and the pages keep
working, the sign-in lockout still holds through each process's own counter, and the health
endpoint answers 503."""

import pytest
from django.core.cache import cache

from accounts import throttles
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with pytest.raises(throttles.UNREACHABLE):
        cache.get("anything")  # the cache really is down
    return settings


def test_sign_in_page_works_with_redis_down(client, redis_down):
    UserFactory(email="wang@example.com")

    response = client.post("/accounts/login/", {"username": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"].email == "wang@example.com"


def test_sign_in_lockout_holds_with_redis_down(client, redis_down):
    UserFactory(email="wang@example.com")
    for _ in range(throttles.ACCOUNT_LIMIT):
        response = client.post("/accounts/login/", {"username": "wang@example.com", "password": "nope"})
        assert response.status_code == 200

    response = client.post("/accounts/login/", {"username": "wang@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [
        "Too many failed sign-in attempts. Please wait 15 minutes, or reset your password."
    ]
    assert "_auth_user_id" not in client.session


def test_token_lockout_holds_with_redis_down(api_client, redis_down):
    UserFactory(email="ana@example.com")
    for i in range(throttles.ACCOUNT_LIMIT):
        response = api_client.post(
            "/api/v1/auth/token/",
            {"email": "ana@example.com", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{i}",
        )
        assert response.status_code == 400

    response = api_client.post("/api/v1/auth/token/", {"email": "ana@example.com", "password": PASSWORD})

    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed sign-in attempts. Please wait 15 minutes."}


def test_token_sign_in_works_with_redis_down(api_client, redis_down):
    user = UserFactory(email="ana@example.com")

    response = api_client.post("/api/v1/auth/token/", {"email": "ana@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": user.auth_token.key}


def test_failures_counted_during_the_outage_still_count_once_redis_is_back(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}
    }
    for _ in range(throttles.ACCOUNT_LIMIT):
        throttles.login_failed(email="wang@example.com", address="10.0.0.1")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert throttles.login_blocked(email="wang@example.com", address="10.0.0.2") is True
    assert cache.get_many([throttles._key("account", "wang@example.com")]) == {}

    throttles.login_succeeded(email="wang@example.com")
    assert throttles.login_blocked(email="wang@example.com", address="10.0.0.2") is False


@pytest.mark.parametrize("url", ["/", "/exhibitors/", "/profile/", "/admin/login/"])
def test_pages_work_with_redis_down(client, expo, redis_down, url):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 200


def test_health_answers_503_with_redis_down(api_client, redis_down):
    redis_down.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = CLOSED
    try:
        response = api_client.get("/api/v1/health/")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_rescore_not_queued_with_the_broker_down_is_logged_not_raised(caplog):
    """Profile saves queue their rescore on commit; with the broker down the save must still answer."""
    from celery import Celery

    from matching.receivers import _queue

    app = Celery("broker-down", broker=CLOSED, set_as_current=False)
    app.conf.broker_connection_retry = False
    app.conf.broker_transport_options = {"max_retries": 0}

    @app.task(name="rescore")
    def rescore(**kwargs):  # pragma: no cover (never runs: the broker is down)
        return kwargs

    _queue(rescore, expo_id=1, buyer_ids=[2])

    assert [r.getMessage().split(": Error")[0] for r in caplog.records if r.name == "matching.receivers"] == [
        "Broker unreachable, rescore not queued for {'expo_id': 1, 'buyer_ids': [2]}"
    ]
