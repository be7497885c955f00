"""The first minute of an imported buyer and of exhibitor staff added in the admin, in a browser."""

import re

import pytest
from django.core import mail

from accounts.models import Role, User
from expo.services.imports import buyers_import
from tests.expo.test_imports import buyer, csv_bytes
from tests.factories.accounts import PASSWORD, OrganiserFactory, UserFactory
from tests.factories.expo import ExhibitorFactory, ExpoFactory

# Transactions commit (the live server is another thread); the migrated taxonomy and role groups
# are restored after each test.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_PASSWORD = "loom-shuttle-weft-77"


def _link(live_server) -> str:
    assert len(mail.outbox) == 1
    match = re.search(re.escape(live_server.url) + r"/accounts/invitation/\S+/", mail.outbox[0].body)
    return match.group(0)


def _choose_password(page) -> None:
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")


def test_imported_buyer_follows_the_invitation_and_lands_on_recommendations_in_chinese(
    live_server, new_page, shot
):
    expo = ExpoFactory(is_current=True)
    row = buyer(email="Wang.Fang@Brand.example", name="王芳", country="CN")  # CN: Chinese by default
    buyers_import(expo=expo, file=csv_bytes([row]), filename="b.csv", invite=True, base_url=live_server.url)
    assert mail.outbox[0].subject == "您的 Shuttle 账户：请设置密码"
    assert "14 天内有效" in mail.outbox[0].body

    page = new_page()
    page.goto(_link(live_server))
    shot(page, "invitation-accept-zh-hans")
    assert page.locator("h1").inner_text() == "设置您的密码"
    _choose_password(page)
    page.wait_for_url(f"{live_server.url}/recommendations/")
    shot(page, "invitation-landing-buyer-zh-hans")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "为您推荐"
    user = User.objects.get()
    assert (user.email_confirmed, user.check_password(NEW_PASSWORD)) == (True, True)
    page.goto(_link(live_server))  # the link worked once
    assert page.get_by_role("alert").inner_text() == "此邀请链接已被使用或已过期。"


def test_staff_added_in_the_admin_follows_the_invitation_into_the_chinese_admin(live_server, new_page, shot):
    expo = ExpoFactory(is_current=True)
    company = ExhibitorFactory(expo=expo, name_en="Shengze Chiffon Mill", name_zh="盛泽雪纺厂", country="CN")
    organiser = OrganiserFactory(email="boss@expo.example", preferred_language="en")

    admin = new_page()
    admin.goto(f"{live_server.url}/admin/login/")
    admin.fill("#id_username", organiser.email)
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.goto(f"{live_server.url}/admin/expo/exhibitorstaff/add/")
    admin.click(".field-exhibitor .select2-selection")  # the exhibitor field completes as one types
    admin.fill(".select2-search__field", "Shengze")
    admin.click(".select2-results__option >> text=Shengze Chiffon Mill")
    admin.fill("#id_email", "Chen.Li@Mill.example")
    admin.fill("#id_name", "陈丽")
    assert admin.is_checked("#id_invite")  # inviting is the default
    shot(admin, "admin-staff-add-en")
    admin.click("input[name=_save]")
    admin.wait_for_url(re.compile(r".*/admin/expo/exhibitorstaff/$"))

    staff = User.objects.get(email="Chen.Li@mill.example")
    assert (staff.role, staff.preferred_language, staff.invited_at is not None) == (
        Role.EXHIBITOR_STAFF,
        "zh-hans",  # by the company's country
        True,
    )
    page = new_page()
    page.goto(_link(live_server))
    _choose_password(page)
    page.wait_for_url(f"{live_server.url}/admin/expo/exhibitor/{company.pk}/change/")
    shot(page, "invitation-landing-staff-zh-hans")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#id_name_zh").input_value() == "盛泽雪纺厂"
    assert page.locator("#content h1").inner_text() == "修改 展商"  # Django's "Change exhibitor"


def test_password_reset_for_an_imported_account_sends_one_email(live_server, new_page, shot):
    expo = ExpoFactory(is_current=True)
    buyers_import(expo=expo, file=csv_bytes([buyer()]), filename="b.csv")  # no invitation

    page = new_page()
    page.goto(f"{live_server.url}/accounts/password-reset/")
    page.fill("#id_email", "ANNA@brand.example")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/password-reset/sent/")
    shot(page, "password-reset-sent-en")

    assert [m.to for m in mail.outbox] == [["anna@brand.example"]]
    link = re.search(re.escape(live_server.url) + r"/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    _choose_password(page)
    page.wait_for_url(f"{live_server.url}/accounts/reset/done/")
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_language_chosen_on_the_sign_in_page_is_kept_across_sign_out_and_sign_in(live_server, new_page, shot):
    ExpoFactory(is_current=True)
    user = UserFactory(email="li@brand.example", preferred_language="en", role=Role.BUYER)

    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("button[value=zh-hans]")
    page.wait_for_load_state()
    shot(page, "sign-in-zh-hans")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    elsewhere = new_page()  # another browser: only the account remembers
    elsewhere.goto(f"{live_server.url}/accounts/login/")
    assert elsewhere.locator("html").get_attribute("lang") == "en"
    elsewhere.fill("#id_username", user.email)
    elsewhere.fill("#id_password", PASSWORD)
    elsewhere.click("main button[type=submit]")
    elsewhere.wait_for_url(f"{live_server.url}/")
    shot(elsewhere, "home-after-sign-in-zh-hans")

    assert elsewhere.locator("html").get_attribute("lang") == "zh-hans"
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
