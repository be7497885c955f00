import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from expo.models import Deal, DealChange
from expo.services.imports import ImportFailed, RowError, deals_import
from expo.services.money import exchange_rate_set
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,buyer,exhibitor,amount,currency,quantity_m,category,stage,date,note\n"


@pytest.fixture
def sides(expo):
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.1"))
    buyer = BuyerFactory(expo=expo, external_id="B-1", company="Milano Moda")
    ExhibitorFactory(expo=expo, external_id="EX-1")
    return buyer


def _run(expo, organiser, text: str, **kwargs):
    return deals_import(
        expo=expo, file=io.BytesIO(text.encode()), filename="deals.csv", user=organiser, **kwargs
    )


def test_import_creates_deals_then_updates_them_by_external_id(expo, organiser, sides):
    email = sides.user.email.upper()
    first = HEADER + (
        f"P-1,B-1,EX-1,1000.05,usd,500,Chiffon,intended,2027-04-12,booth form\n"
        f"P-2,{email},ex-1,88,CNY,,色丁,已签约,2027/4/13,\n"
    )

    result = _run(expo, organiser, first)
    again = _run(expo, organiser, first)
    changed = _run(expo, organiser, HEADER + "P-2,B-1,EX-1,99,CNY,,satin,signed,2027-04-13,\n")

    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    assert (again.created, again.updated) == (0, 2)
    assert (changed.created, changed.updated) == (0, 1)
    deals = {d.external_id: d for d in Deal.objects.filter(expo=expo)}
    assert (deals["P-1"].amount_cny, deals["P-1"].rate, deals["P-1"].quantity_m) == (
        "7100.36",
        Decimal("7.1"),
        500,
    )
    assert (deals["P-1"].category.slug, deals["P-1"].date, deals["P-1"].note) == (
        "chiffon",
        datetime.date(2027, 4, 12),
        "booth form",
    )
    assert (deals["P-2"].amount_cny, deals["P-2"].stage, deals["P-2"].category.slug) == (
        "99.00",
        "signed",
        "satin",
    )
    assert list(deals["P-2"].changes.order_by("id").values_list("action", "before", "after"))[1:] == [
        ("imported", {"amount": "88.00", "amount_cny": "88.00"}, {"amount": "99.00", "amount_cny": "99.00"})
    ]
    assert deals["P-1"].changes.count() == 1  # re-importing an unchanged row writes nothing


def test_import_lists_every_error_and_writes_nothing(expo, organiser, sides):
    text = HEADER + (
        "P-1,B-404,EX-1,10,USD,,chiffon,,,\n"
        "P-1,B-1,EX-9,-3,GBP,0,dyeing,closed,2027-02-30,\n"
        ",B-1,EX-1,1.005,USD,,chiffon,,,\n"
    )

    with translation.override("en"), pytest.raises(ImportFailed) as exc:  # messages in English
        _run(expo, organiser, text)

    assert exc.value.errors == [
        RowError(2, "buyer", "No buyer at this expo has the external ID or email “B-404”."),
        RowError(3, "external_id", "“P-1” is also in row 2."),
        RowError(3, "exhibitor", "No exhibitor at this expo has the external ID “EX-9”."),
        RowError(3, "amount", "Use an amount greater than zero with at most two decimal places."),
        RowError(3, "currency", "This expo has no exchange rate for “GBP”; add one first."),
        RowError(3, "quantity_m", "Use a whole number from 1 to 2147483647."),
        RowError(3, "category", "Unknown fabric “dyeing”."),
        RowError(3, "stage", "Unknown stage “closed”: use intended, negotiating, signed or withdrawn."),
        RowError(3, "date", "“2027-02-30” is not a date: use YYYY-MM-DD."),
        RowError(4, "external_id", "This column is required."),
        RowError(4, "amount", "Use an amount greater than zero with at most two decimal places."),
    ]
    assert not Deal.objects.exists()
    assert not DealChange.objects.exists()


def test_import_dry_run_writes_nothing_and_only_organisers_import(expo, organiser, sides):
    text = HEADER + "P-1,B-1,EX-1,10,USD,,chiffon,,,\n"

    result = _run(expo, organiser, text, dry_run=True)

    assert (result.rows, result.created) == (1, 1)
    assert not Deal.objects.exists()
    with pytest.raises(PermissionDenied):
        _run(expo, UserFactory(), text)


def test_admin_import_page_imports_deals_from_xlsx(client, organiser, expo, sides):
    workbook = openpyxl.Workbook()
    workbook.active.append(["external_id", "buyer", "exhibitor", "amount", "currency", "category", "date"])
    workbook.active.append(["P-7", "B-1", "EX-1", 250.5, "USD", "twill", datetime.datetime(2027, 4, 14)])
    content = io.BytesIO()
    workbook.save(content)
    client.force_login(organiser)

    response = client.post(
        reverse("admin:expo_import"),
        {"expo": expo.pk, "kind": "deals", "file": SimpleUploadedFile("deals.xlsx", content.getvalue())},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("admin:expo_deal_changelist"), 302)]
    imported = Deal.objects.get(external_id="P-7")
    assert (imported.amount_cny, imported.date, imported.created_by) == (
        "1778.55",
        datetime.date(2027, 4, 14),
        organiser,
    )


def test_deal_import_reads_chinese_headers(expo, organiser, sides):
    text = "编号,采购商,展商,金额,币种,数量（米）,面料品类,阶段,日期,备注\nP-9,B-1,EX-1,10,USD,20,雪纺,已签约,2027-04-12,展位登记\n"

    result = _run(expo, organiser, text)

    assert result.created == 1
    imported = Deal.objects.get(external_id="P-9")
    assert (imported.amount_cny, imported.stage, imported.quantity_m, imported.note) == (
        "71.00",
        "signed",
        20,
        "展位登记",
    )


# --- The command ---------------------------------------------------------------------------------


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_deals", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def test_import_deals_command_imports_csv_then_reimports_without_duplicating(
    expo, organiser, sides, tmp_path
):
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "P-1,B-1,EX-1,1000.05,USD,500,chiffon,,2027-04-12,booth form\n", "utf-8")

    first = _command(path, "--expo", expo.slug)
    again = _command(path)  # the current expo
    path.write_text(HEADER + "P-1,B-1,EX-1,2000,USD,500,chiffon,signed,2027-04-12,booth form\n", "utf-8")
    changed = _command(path, "--expo", expo.slug, "--user", organiser.email.upper())

    assert first == ("Imported 1 rows: 1 created, 0 updated.\n", "", None)
    assert again == ("Imported 1 rows: 0 created, 1 updated.\n", "", None)
    assert changed == ("Imported 1 rows: 0 created, 1 updated.\n", "", None)
    deal = Deal.objects.get()
    assert (deal.external_id, deal.amount_cny, deal.stage, deal.created_by) == (
        "P-1",
        "14200.00",
        "signed",
        organiser,
    )
    assert list(deal.changes.order_by("id").values_list("action", "changed_by")) == [
        ("imported", organiser.pk),
        ("imported", organiser.pk),
    ]


def test_import_deals_command_reads_xlsx_with_chinese_headers(expo, organiser, sides, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["编号", "采购商", "展商", "金额", "币种", "面料品类", "阶段", "日期"])
    workbook.active.append(
        ["P-7", "B-1", "EX-1", 250.5, "USD", "斜纹布", "已签约", datetime.datetime(2027, 4, 14)]
    )
    path = tmp_path / "deals.xlsx"
    workbook.save(path)

    out, err, failure = _command(path, "--expo", expo.slug, "--dry-run")
    assert (out, err, failure, Deal.objects.count()) == (
        "Would import 1 rows: 1 created, 0 updated.\n",
        "",
        None,
        0,
    )

    out, err, failure = _command(path, "--expo", expo.slug)

    assert (out, err, failure) == ("Imported 1 rows: 1 created, 0 updated.\n", "", None)
    deal = Deal.objects.get()
    assert (deal.external_id, deal.amount_cny, deal.category.slug, deal.stage, deal.date) == (
        "P-7",
        "1778.55",
        "twill",
        "signed",
        datetime.date(2027, 4, 14),
    )


def test_import_deals_command_lists_errors_by_row_and_column_and_writes_nothing(
    expo, organiser, sides, tmp_path
):
    path = tmp_path / "deals.csv"
    path.write_text(
        HEADER + "P-1,B-1,EX-1,10,USD,,chiffon,,,\nP-2,B-404,EX-1,-3,USD,,chiffon,,2027-02-30,\n", "utf-8"
    )

    with translation.override("en"):
        out, err, failure = _command(path, "--expo", expo.slug)

    assert (out, failure) == ("", "Nothing imported: 3 errors.")
    assert err == (
        "row 3, buyer: No buyer at this expo has the external ID or email “B-404”.\n"
        "row 3, amount: Use an amount greater than zero with at most two decimal places.\n"
        "row 3, date: “2027-02-30” is not a date: use YYYY-MM-DD.\n"
    )
    assert (Deal.objects.count(), DealChange.objects.count()) == (0, 0)


def test_import_deals_command_needs_one_organiser_to_name_in_the_history(expo, sides, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "P-1,B-1,EX-1,10,USD,,chiffon,,,\n", "utf-8")
    buyer_email = sides.user.email

    nobody = _command(path)
    first, second = OrganiserFactory(), OrganiserFactory()
    two = _command(path)
    not_an_organiser = _command(path, "--user", buyer_email)

    assert nobody[2] == "No organiser account: pass --user EMAIL (the organiser the deals' history names)."
    assert (
        two[2]
        == "More than one organiser account: pass --user EMAIL (the organiser the deals' history names)."
    )
    assert not_an_organiser[2] == f"No active organiser account has the email “{buyer_email}”."
    assert Deal.objects.count() == 0
    assert _command(path, "--user", second.email)[2] is None
    assert Deal.objects.get().created_by == second
    assert first != second
