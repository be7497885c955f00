"""Every response carries the Content-Security-Policy of the settings (the browser test checks the
pages live with it: tests/e2e/test_csp.py)."""

import pytest

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@pytest.mark.parametrize("path", ["/", "/exhibitors/", "/admin/login/", "/api/v1/docs/", "/api/v1/health/"])
def test_responses_carry_the_policy(client, expo, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_docs_page_has_no_inline_script(client):
    """Swagger UI's start-up script is a file of its own (the split view), so script-src needs no inline."""
    content = client.get("/api/v1/docs/").content.decode()

    assert content.count("<script") == content.count("<script src=")
