"""Settings come from the environment only; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': settings.CELERY_BROKER_URL, 'cache': settings.CACHES['default']['BACKEND'], "
    "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
    "'secret': settings.SECRET_KEY}))"
)
SETTINGS_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
)


def _run(env: dict[str, str], code: str = PROBE, args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings"} | env
    cmd = [sys.executable, *(args or ("-c", code))]
    return subprocess.run(cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def _settings(env: dict[str, str]) -> dict:
    result = _run(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_are_sqlite_eager_console():
    values = _settings({"DJANGO_DEBUG": "1"})

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "db.sqlite3")
    assert values["eager"] is True
    assert values["broker"] == "memory://localhost/"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["debug"] is True


def test_debug_is_off_by_default_and_serving_then_requires_secret_key():
    values = _settings({})
    wsgi = _run({}, code="import config.wsgi")
    deploy_check = _run({}, args=("manage.py", "check", "--deploy"))

    assert values["debug"] is False
    assert wsgi.returncode != 0
    assert "SECRET_KEY is required when DJANGO_DEBUG is off" in wsgi.stderr
    assert deploy_check.returncode != 0
    assert "(shuttle.E001) SECRET_KEY is required when DJANGO_DEBUG is off." in deploy_check.stderr


def test_throwaway_key_without_debug_is_random_per_process():
    first, second = _settings({}), _settings({})

    assert first["secret"] != second["secret"]
    assert "insecure" not in first["secret"]


def test_makemigrations_check_runs_without_any_environment():
    result = _run({}, args=("manage.py", "makemigrations", "--check", "--dry-run"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No changes detected"


def test_production_variables_select_postgres_redis_and_smtp():
    values = _settings(
        {
            "SECRET_KEY": "x" * 60,
            "DATABASE_URL": "postgres://shuttle:pw@db.internal:5432/shuttle",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "EMAIL_URL": "smtp+tls://mailer:pw@smtp.internal:587",
            "ALLOWED_HOSTS": "shuttle.example.org,www.shuttle.example.org",
        }
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "shuttle"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["debug"] is False
    assert values["hosts"] == ["shuttle.example.org", "www.shuttle.example.org"]
    assert values["secret"] == "x" * 60


@pytest.mark.parametrize("debug", ["0", "false", "no"])
def test_debug_off_spellings(debug):
    values = _settings({"DJANGO_DEBUG": debug, "SECRET_KEY": "k" * 60})

    assert values["debug"] is False


def test_check_deploy_is_clean_with_production_variables():
    result = _run(
        {
            "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijkl",
            "ALLOWED_HOSTS": "shuttle.example.org",
        },
        args=("manage.py", "check", "--deploy", "--fail-level", "WARNING"),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
