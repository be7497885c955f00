"""Invitations: imports and the admin invite people once; the link sets a password and lands by role."""

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import INVITATION_DAYS, invitation_token_generator
from expo.models import ExhibitorStaff
from expo.services.imports import ImportFailed, buyers_import, exhibitors_import
from tests.expo.test_imports import buyer, csv_bytes, exhibitor
from tests.factories.accounts import UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExhibitorStaffFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/invitation/\S+/)")


def _import_buyers(expo, rows, **kwargs):
    return buyers_import(
        expo=expo, file=csv_bytes(rows), filename="b.csv", base_url="http://testserver", **kwargs
    )


def _import_exhibitors(expo, rows, **kwargs):
    return exhibitors_import(
        expo=expo, file=csv_bytes(rows), filename="e.csv", base_url="http://testserver", **kwargs
    )


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _accept(client, link: str, password: str = "loom-shuttle-77"):
    form = client.get(link, follow=True)
    assert form.status_code == 200
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


# --- Imports ---------------------------------------------------------------------------------------


def test_buyer_import_with_invite_emails_each_new_buyer_once_in_their_language(
    expo, django_capture_on_commit_callbacks
):
    rows = [
        buyer(language=""),
        buyer(external_id="B2", email="Li@Shop.example", name="李明", country="CN", language=""),
        buyer(external_id="B3", email="jo@shop.example", country="CN", language="English"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = _import_buyers(expo, rows, invite=True)

    assert result.invited == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["Li@shop.example", "anna@brand.example", "jo@shop.example"]
    assert by_to["Li@shop.example"].subject == "您的 Shuttle 账户：请设置密码"
    assert "14 天内有效" in by_to["Li@shop.example"].body
    assert by_to["anna@brand.example"].subject == "Your Shuttle account: choose your password"
    assert "valid for 14 days" in by_to["anna@brand.example"].body
    assert by_to["jo@shop.example"].subject == "Your Shuttle account: choose your password"
    assert all(u.invited_at is not None for u in User.objects.all())

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = _import_buyers(expo, rows, invite=True)

    assert (again.invited, mail.outbox) == (0, [])


def test_buyer_import_without_invite_sends_nothing(expo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = _import_buyers(expo, [buyer()])

    assert (result.invited, mail.outbox) == (0, [])
    assert User.objects.get().invited_at is None


def test_buyer_import_never_invites_an_account_that_has_a_password(expo, django_capture_on_commit_callbacks):
    UserFactory(email="anna@brand.example")

    with django_capture_on_commit_callbacks(execute=True):
        result = _import_buyers(expo, [buyer()], invite=True)

    assert (result.invited, mail.outbox) == (0, [])


def test_import_buyers_command_invites(expo, capsys, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://expo.example.org"
    path = tmp_path / "buyers.csv"
    path.write_bytes(csv_bytes([buyer()]).getvalue())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_buyers", str(path), "--invite")

    assert capsys.readouterr().out.splitlines()[-1] == (
        "Invited 1 people (everyone else listed was invited before or has a password)."
    )
    assert "https://expo.example.org/accounts/invitation/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("cell", "language"),
    [("", "zh-hans"), ("中文", "zh-hans"), ("zh-Hans", "zh-hans"), ("en", "en"), ("English", "en")],
)
def test_buyer_import_language_column_and_default_by_country(expo, cell, language):
    _import_buyers(expo, [buyer(country="CN", language=cell)])

    assert User.objects.get().preferred_language == language


def test_buyer_import_language_defaults_to_english_outside_china(expo):
    _import_buyers(expo, [buyer(country="DE")])

    assert User.objects.get().preferred_language == "en"


def test_buyer_import_unknown_language_is_a_row_error(expo):
    with pytest.raises(ImportFailed) as failure:
        _import_buyers(expo, [buyer(language="Klingon")])

    assert [(e.row, e.column, e.message) for e in failure.value.errors] == [
        (2, "language", "Unknown language “Klingon”; write en or zh-hans.")
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: UserFactory(email="anna@brand.example", role=Role.ORGANISER, is_staff=True),
            "This address belongs to an organiser; an organiser cannot have a buyer profile.",
        ),
        (
            lambda: UserFactory(email="ANNA@brand.example", is_superuser=True, role=Role.ORGANISER),
            "This address belongs to an organiser; an organiser cannot have a buyer profile.",
        ),
        (
            lambda: ExhibitorStaffFactory(user__email="anna@brand.example"),
            "This address belongs to exhibitor staff; staff cannot have a buyer profile.",
        ),
    ],
)
def test_buyer_import_never_attaches_a_profile_to_staff_or_organisers(expo, make, message):
    make()

    with pytest.raises(ImportFailed) as failure:
        _import_buyers(expo, [buyer()])

    assert [(e.row, e.column, e.message) for e in failure.value.errors] == [(2, "email", message)]
    assert not User.objects.filter(buyer_profiles__isnull=False).exists()


def test_exhibitor_import_with_invite_makes_the_contact_staff_and_invites_once(
    expo, django_capture_on_commit_callbacks
):
    rows = [exhibitor(contact_email="Sales@Wujiang.example")]

    with django_capture_on_commit_callbacks(execute=True):
        result = _import_exhibitors(expo, rows, invite=True)

    link = ExhibitorStaff.objects.select_related("user", "exhibitor").get()
    user = link.user
    assert (link.exhibitor.external_id, user.email, user.role, user.is_staff, user.preferred_language) == (
        "EX1",
        "Sales@wujiang.example",
        Role.EXHIBITOR_STAFF,
        True,
        "zh-hans",
    )
    assert list(user.groups.values_list("name", flat=True)) == ["Exhibitor staff"]
    assert user.has_usable_password() is False
    assert result.invited == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["Sales@wujiang.example"], "您的 Shuttle 账户：请设置密码")
    ]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = _import_exhibitors(expo, rows, invite=True)

    assert (again.invited, mail.outbox, ExhibitorStaff.objects.count()) == (0, [], 1)


def test_exhibitor_import_without_invite_creates_no_staff(expo):
    _import_exhibitors(expo, [exhibitor(contact_email="sales@wujiang.example")])

    assert (ExhibitorStaff.objects.count(), User.objects.count()) == (0, 0)


def test_exhibitor_import_contact_of_an_organiser_buyer_or_other_company_is_a_row_error(expo):
    UserFactory(email="boss@expo.example", role=Role.ORGANISER, is_staff=True)
    UserFactory(email="buyer@brand.example")
    ExhibitorStaffFactory(user__email="sales@other.example", exhibitor=ExhibitorFactory(expo=expo))
    rows = [
        exhibitor(external_id="E1", booth="1A01", contact_email="boss@expo.example"),
        exhibitor(external_id="E2", booth="1A02", contact_email="buyer@brand.example"),
        exhibitor(external_id="E3", booth="1A03", contact_email="SALES@other.example"),
    ]

    with pytest.raises(ImportFailed) as failure:
        _import_exhibitors(expo, rows, invite=True)

    assert [(e.row, e.column, e.message) for e in failure.value.errors] == [
        (2, "contact_email", "This address belongs to an organiser; it cannot be exhibitor staff."),
        (3, "contact_email", "This address belongs to a buyer; it cannot be exhibitor staff."),
        (4, "contact_email", "This address belongs to another exhibitor's staff."),
    ]


# --- The link ------------------------------------------------------------------------------------


def test_accepting_an_invitation_sets_the_password_confirms_signs_in_and_lands_on_recommendations(
    client, expo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import_buyers(expo, [buyer(country="CN")], invite=True)  # with a fabric: complete

    response = _accept(client, _link(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == "/start/"
    user = User.objects.get()
    assert user.check_password("loom-shuttle-77")
    assert user.email_confirmed is True
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.cookies["django_language"].value == "zh-hans"
    landing = client.get("/start/")
    assert landing["Location"] == reverse("matching:recommendations")
    assert '<html lang="zh-hans"' in client.get(landing["Location"]).content.decode()


def test_an_invited_buyer_with_an_empty_profile_lands_on_the_profile(
    client, expo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import_buyers(expo, [buyer(fabrics="", certifications_required="")], invite=True)
    _accept(client, _link(mail.outbox[0]))

    assert client.get("/start/")["Location"] == "/profile/"


def test_the_invitation_link_works_once(client, expo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import_buyers(expo, [buyer()], invite=True)
    link = _link(mail.outbox[0])
    _accept(client, link)
    client.logout()

    again = client.get(link, follow=True)

    assert "This invitation link has been used already or has expired." in again.content.decode()


def test_invitation_tokens_last_fourteen_days_and_are_not_reset_tokens(monkeypatch):
    user = UserFactory()
    token = invitation_token_generator.make_token(user)
    now = dt.datetime.now()  # the generator's clock is naive

    monkeypatch.setattr(
        invitation_token_generator, "_now", lambda: now + dt.timedelta(days=INVITATION_DAYS - 1)
    )
    assert invitation_token_generator.check_token(user, token) is True
    monkeypatch.setattr(
        invitation_token_generator, "_now", lambda: now + dt.timedelta(days=INVITATION_DAYS + 1)
    )
    assert invitation_token_generator.check_token(user, token) is False
    assert default_token_generator.check_token(user, token) is False
    assert INVITATION_DAYS == 14


# --- Admin ---------------------------------------------------------------------------------------


def test_send_invitation_action_resends_and_skips_accounts_with_a_password(
    client, organiser, expo, django_capture_on_commit_callbacks
):
    _import_buyers(expo, [buyer()], invite=False)
    has_password = BuyerFactory(expo=expo)
    client.force_login(organiser)
    ids = [b.pk for b in has_password.__class__.objects.all()]

    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:expo_buyer_changelist"),
                {"action": "send_invitation", "_selected_action": ids},
                follow=True,
            )

    assert [m.to for m in mail.outbox] == [["anna@brand.example"], ["anna@brand.example"]]  # resent
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "1 invitation is on its way.",
        "1 person already has a password or is inactive: not invited (they can use “Forgot your password?”).",
    ]


def test_staff_added_in_the_admin_is_invited_in_chinese_and_lands_on_their_company(
    client, organiser, expo, django_capture_on_commit_callbacks
):
    company = ExhibitorFactory(expo=expo, country="CN")
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:expo_exhibitorstaff_add"),
            {"exhibitor": company.pk, "email": "chen@mill.example", "name": "Chen", "invite": "on"},
        )
    assert response.status_code == 302
    client.logout()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["chen@mill.example"], "您的 Shuttle 账户：请设置密码")
    ]
    _accept(client, _link(mail.outbox[0]))
    landing = client.get("/start/")

    assert landing["Location"] == reverse("admin:expo_exhibitor_change", args=[company.pk])
    page = client.get(landing["Location"]).content.decode()
    assert '<html lang="zh-hans"' in page
    assert company.name_zh in page


def test_staff_added_without_invite_gets_no_email(
    client, organiser, expo, django_capture_on_commit_callbacks
):
    company = ExhibitorFactory(expo=expo)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:expo_exhibitorstaff_add"), {"exhibitor": company.pk, "email": "x@mill.example"}
        )

    assert mail.outbox == []
    assert User.objects.get(email="x@mill.example").invited_at is None


def test_organisers_see_and_filter_invited_and_signed_in(client, organiser, expo):
    never = BuyerFactory(expo=expo, user__email="never@example.com")
    invited = BuyerFactory(expo=expo, user__email="invited@example.com", user__invited_at=timezone.now())
    signed = BuyerFactory(
        expo=expo,
        user__email="signed@example.com",
        user__invited_at=timezone.now(),
        user__last_login=timezone.now(),
    )
    client.force_login(organiser)
    url = reverse("admin:expo_buyer_changelist")

    def listed(value):
        response = client.get(url, {"invitation": value})
        return sorted(b.user.email for b in response.context["cl"].result_list)

    assert listed("not_invited") == [never.user.email]
    assert listed("invited") == [invited.user.email]
    assert listed("signed_in") == [signed.user.email]
    header = client.get(url).content.decode()
    assert 'class="sortable column-invited"' in header
    assert 'class="sortable column-signed_in"' in header
    users = client.get(reverse("admin:accounts_user_changelist"), {"invitation": "invited"})
    assert [u.email for u in users.context["cl"].result_list] == ["invited@example.com"]
