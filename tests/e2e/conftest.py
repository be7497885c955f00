"""Browser journeys: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

Never downloads a browser: without /usr/bin/chromium (or the playwright package) every test here is
skipped with the reason; `.ci/run` installs Debian's `chromium` and `fonts-noto-cjk`. Email goes to
Django's test outbox: the live server runs in a thread of the test process, Celery eagerly.
Screenshots of each page visited land in $SHUTTLE_SCREENSHOTS when it is set.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    reason = None
    if not CHROMIUM.exists():
        reason = "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "needs the playwright package (pip install -r requirements.txt)"
    for item in items:
        if "e2e" in item.keywords and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _shipped_data(transactional_db):
    """The taxonomy the data migration ships, whatever an earlier transactional test flushed."""
    from expo.models import Term

    if not Term.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("expo.migrations.0002_taxonomy").load_taxonomy(apps, None)


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread while the browser is open; the ORM
    # calls the tests make between page actions are ordinary synchronous calls. Only for these
    # tests: the variable must not leak into the rest of the suite (`check --deploy` refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context (its own cookies), as a new person or device."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """Save a screenshot of `page` as <name>.png under $SHUTTLE_SCREENSHOTS, if set."""
    folder = os.environ.get("SHUTTLE_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
