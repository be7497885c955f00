"""docker-compose.yml, the Dockerfile and .env.example stay true to the settings (no Docker engine needed)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_describes_web_worker_beat_postgres_redis():
    services = _compose()["services"]

    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_compose_app_services_share_image_env_and_wait_for_healthy_services():
    services = _compose()["services"]

    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["env_file"] == [".env"]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    for name in ("web", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert "/api/v1/health/" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_keeps_data_in_named_volumes():
    compose = _compose()

    assert set(compose["volumes"]) == {"postgres-data", "redis-data", "media"}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_env_example_lists_every_variable_settings_read():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^(?:# )?([A-Z_]+)=", example, flags=re.MULTILINE))

    assert read, "no env reads found in settings"
    assert read - listed == set()


def test_dockerfile_uses_python_311_and_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("# ")
    assert "FROM python:3.11-" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "compilemessages" in dockerfile
