import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(api_client):
    response = api_client.get("/api/v1/health/")

    assert response.status_code == 200
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {"status": "ok", "database": "ok", "broker": expected_broker}


def test_health_reports_unreachable_broker(api_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = api_client.get("/api/v1/health/")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}
