"""The profile page's "type to filter" boxes filter, in English and in Chinese, at phone size."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories.matching import buyer_with

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_page(browser, live_server):
    """A page at phone size (390x844) on the live server; `phone_page.sign_in(user)` signs in."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    page.sign_in = sign_in
    page.base = live_server.url
    yield page
    context.close()


def _visible_terms(page, facet: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#terms-{facet} label.term",
        "labels => labels.filter(l => l.offsetParent !== null).map(l => l.querySelector('input').value)",
    )


def test_filter_box_keeps_only_matching_terms_and_their_groups(phone_page, expo):
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    phone_page.sign_in(buyer.user)
    phone_page.goto(phone_page.base + "/profile/")
    everything = _visible_terms(phone_page, "fabrics")
    assert len(everything) > 20

    box = phone_page.locator('input.term-filter[data-filter-target="terms-fabrics"]')
    box.fill("chiff")
    assert _visible_terms(phone_page, "fabrics") == ["woven", "chiffon"]  # the term and its group
    box.fill("雪纺")
    assert _visible_terms(phone_page, "fabrics") == ["woven", "chiffon"]
    box.fill("no such fabric")
    assert _visible_terms(phone_page, "fabrics") == []
    box.fill("")
    assert _visible_terms(phone_page, "fabrics") == everything
