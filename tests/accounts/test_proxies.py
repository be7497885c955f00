"""The sign-in throttle's notion of a client address, with and without trusted proxies."""

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings

from accounts.throttles import client_address


@pytest.fixture
def proxies(settings):
    def set_proxies(count):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
        api_settings.reload()

    yield set_proxies
    api_settings.reload()


def test_forwarded_header_ignored_without_trusted_proxies(proxies):
    proxies(None)
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_address(request) == "10.0.0.5"


def test_forwarded_header_read_one_hop_behind_one_proxy(proxies):
    proxies(1)
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )

    assert client_address(request) == "203.0.113.9"
