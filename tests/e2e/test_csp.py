"""The pages live with the Content-Security-Policy: no violation in a real browser, and they still work.

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; no browser is downloaded)
opens the buyer pages, the organiser's matching page (htmx polling), the admin (its
autocomplete widgets) and the API docs (Swagger UI), and collects every CSP violation the
browser reports. Each page also has to show that its scripts ran, since a blocked script reports
a violation but a page that never loads one would pass silently. Skipped, with the reason,
where Chromium or Playwright is absent (tests/e2e/conftest.py).
"""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from matching.services import runs
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.expo import BoothFactory, ExpoFactory
from tests.factories.matching import buyer_with, exhibitor_with

# Like every browser journey (tests/e2e/conftest.py: Chromium, the `browser` fixture, the taxonomy).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene():
    expo = ExpoFactory(is_current=True)
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    BoothFactory(expo=expo, exhibitor=exhibitor)
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    organiser = user_set_role(user=UserFactory(), role=Role.ORGANISER)
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    runs.match_run_start(expo=expo, dispatch=False)  # pending: the organiser page polls its progress
    return {"buyer": buyer.user, "organiser": organiser, "exhibitor": exhibitor}


class Visitor:
    """One browser context; records CSP violations reported by the page and the console."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(base_url=base_url)
        self.page = self.context.new_page()
        self.violations: list[str] = []
        self.page.on("console", self._console)
        self.page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.violations.append(f"{self.page.url}: {text}")

    def sign_in(self, email: str) -> None:
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        self.page.wait_for_load_state("networkidle")


def test_buyer_pages_run_without_violations(browser, live_server, scene):
    visitor = Visitor(browser, live_server.url)
    for path in ("/", "/exhibitors/", f"/exhibitors/{scene['exhibitor'].pk}/", "/accounts/register/"):
        visitor.visit(path)
    visitor.sign_in(scene["buyer"].email)
    visitor.visit("/recommendations/")
    visitor.visit("/profile/")

    assert visitor.violations == []
    assert visitor.page.evaluate("typeof htmx") == "object"  # the vendored script ran


def test_organiser_pages_admin_and_docs_run_without_violations(browser, live_server, scene):
    visitor = Visitor(browser, live_server.url)
    visitor.sign_in(scene["organiser"].email)

    with visitor.page.expect_request(lambda request: "/progress/" in request.url):
        visitor.visit("/organiser/matching/")  # htmx polls the run's progress
    visitor.visit("/admin/")
    visitor.visit(f"/admin/expo/exhibitor/{scene['exhibitor'].pk}/change/")
    visitor.page.wait_for_selector(".select2-container")  # the admin's autocomplete script ran
    visitor.visit("/admin/expo/exhibitor/")
    visitor.visit("/api/v1/docs/")
    visitor.page.wait_for_selector(".swagger-ui .info")  # Swagger UI rendered the schema

    assert visitor.violations == []
