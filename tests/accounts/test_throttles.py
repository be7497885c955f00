from accounts import throttles


def test_login_blocked_after_account_limit_only_for_that_account():
    for _ in range(throttles.ACCOUNT_LIMIT):
        throttles.login_failed(email="a@example.com", address=f"10.0.0.{_}")

    assert throttles.login_blocked(email="A@example.com ", address="10.9.9.9") is True
    assert throttles.login_blocked(email="b@example.com", address="10.9.9.9") is False


def test_login_blocked_after_address_limit_for_every_account():
    for n in range(throttles.ADDRESS_LIMIT):
        throttles.login_failed(email=f"user{n}@example.com", address="203.0.113.5")

    assert throttles.login_blocked(email="fresh@example.com", address="203.0.113.5") is True
    assert throttles.login_blocked(email="fresh@example.com", address="203.0.113.6") is False


def test_login_not_blocked_below_limit():
    for _ in range(throttles.ACCOUNT_LIMIT - 1):
        throttles.login_failed(email="a@example.com", address="10.0.0.1")

    assert throttles.login_blocked(email="a@example.com", address="10.0.0.2") is False


def test_login_succeeded_clears_account_but_not_address():
    for _ in range(throttles.ACCOUNT_LIMIT):
        throttles.login_failed(email="a@example.com", address="10.0.0.1")
    for n in range(throttles.ADDRESS_LIMIT):
        throttles.login_failed(email=f"x{n}@example.com", address="10.0.0.9")

    throttles.login_succeeded(email="a@example.com")

    assert throttles.login_blocked(email="a@example.com", address="10.0.0.2") is False
    assert throttles.login_blocked(email="a@example.com", address="10.0.0.9") is True


def test_client_address_ignores_forwarded_header_without_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert throttles.client_address(request) == "10.0.0.1"


def test_client_address_behind_one_trusted_proxy(rf, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    assert throttles.client_address(request) == "203.0.113.9"
