import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role, User
from expo.models import Booth, Buyer, Exhibitor, Hall, Table
from expo.services.imports import (
    BUYER_COLUMNS,
    BUYER_REQUIRED,
    EXHIBITOR_COLUMNS,
    EXHIBITOR_REQUIRED,
    ImportFailed,
    ImportResult,
    RowError,
    buyers_import,
    exhibitors_import,
)
from expo.services.imports.cells import Row
from expo.services.imports.columns import COLUMN_NAMES, header_key, header_names
from expo.services.imports.reading import read_table
from expo.services.taxonomy import terms_resolve
from expo.signals import profiles_imported
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, BuyerFactory, ExhibitorFactory, ExpoFactory, HallFactory, term

pytestmark = pytest.mark.django_db

SAVE_AS_UTF8 = (
    "In Excel, choose File › Save As › “CSV UTF-8 (Comma delimited)” (in Chinese Excel "
    "“CSV UTF-8（逗号分隔）”), or save the file as .xlsx, and upload that file."
)
UNKNOWN_ENCODING = (
    "The CSV file's text encoding is not recognised: it is not UTF-8, and it reads neither as Chinese "
    "(GB18030/GBK) nor as Western European (Windows-1252) text. " + SAVE_AS_UTF8
)


# --- Building files ------------------------------------------------------------------------------


def exhibitor(**cells) -> dict:
    return {
        "external_id": "EX1",
        "company_name": "Wujiang Silk Weaving Co.",
        "company_name_zh": "吴江丝绸织造有限公司",
        "country": "CN",
        "province": "Jiangsu",
        "hall": "1",
        "booth": "1A01",
        "tables": "2",
        "fabrics": "chiffon; satin",
        "processes": "digital-printing",
        "fibres": "polyester",
        "end_uses": "womens-wear",
        "certifications": "oeko-tex-100",
        "moq_m": "1000",
        "capacity_m_month": "300000",
        "price_min_cny": "8.5",
        "price_max_cny": "15.00",
        "lead_time_days": "20",
        "description": "Chiffon and satin for womenswear.",
        "description_zh": "雪纺、色丁面料，用于女装。",
        "contact_email": "sales@wujiang-silk.example",
    } | cells


def buyer(**cells) -> dict:
    return {
        "external_id": "B1",
        "email": "anna@brand.example",
        "name": "Anna Schmidt",
        "company": "Nordic Apparel GmbH",
        "country": "DE",
        "fabrics": "chiffon",
        "processes": "",
        "fibres": "",
        "end_uses": "",
        "certifications_required": "grs",
        "order_quantity_m": "5000",
        "price_min_cny": "9",
        "price_max_cny": "14",
        "lead_time_days": "30",
    } | cells


def csv_bytes(rows: list[dict], header=None, encoding: str = "utf-8") -> io.BytesIO:
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return io.BytesIO(out.getvalue().encode(encoding))


def xlsx_bytes(table: list[list]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in table:
        sheet.append(row)
    workbook.create_sheet("Notes").append(["ignored: only the first sheet is read"])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def import_exhibitors(expo, rows, **kwargs) -> ImportResult:
    return exhibitors_import(expo=expo, file=csv_bytes(rows, **kwargs), filename="exhibitors.csv")


def import_buyers(expo, rows, **kwargs) -> ImportResult:
    return buyers_import(expo=expo, file=csv_bytes(rows, **kwargs), filename="buyers.csv")


def errors_of(call, *args, **kwargs) -> list[RowError]:
    with pytest.raises(ImportFailed) as failure:
        call(*args, **kwargs)
    return failure.value.errors


def slugs(manager) -> list[str]:
    return sorted(manager.values_list("slug", flat=True))


# --- Valid files ---------------------------------------------------------------------------------


def test_exhibitors_import_creates_profiles_halls_booths_and_tables(expo):
    result = import_exhibitors(
        expo,
        [exhibitor(), exhibitor(external_id="EX2", company_name="Shengze Dyeing", booth="1A02", tables="")],
    )

    assert result == ImportResult(rows=2, created=2, updated=0)
    mill = Exhibitor.objects.get(expo=expo, external_id="EX1")
    assert (mill.name_en, mill.name_zh, mill.country.code, mill.province) == (
        "Wujiang Silk Weaving Co.",
        "吴江丝绸织造有限公司",
        "CN",
        "JS",
    )
    assert (mill.moq_m, mill.capacity_m_month, mill.lead_time_days) == (1000, 300000, 20)
    assert (mill.price_min_cny, mill.price_max_cny) == (Decimal("8.50"), Decimal("15.00"))
    assert mill.contact_email == "sales@wujiang-silk.example"
    assert slugs(mill.fabrics) == ["chiffon", "satin"]
    assert slugs(mill.processes) == ["digital-printing"]
    assert slugs(mill.fibres) == ["polyester"]
    assert slugs(mill.end_uses) == ["womens-wear"]
    assert slugs(mill.certifications) == ["oeko-tex-100"]
    assert list(Hall.objects.filter(expo=expo).values_list("code", flat=True)) == ["1"]
    booths = {b.code: b for b in Booth.objects.filter(expo=expo)}
    assert booths["1A01"].exhibitor == mill
    assert booths["1A01"].tables == 2
    assert booths["1A02"].tables == 1  # the default
    assert list(Table.objects.filter(booth=booths["1A01"]).values_list("number", "is_active")) == [
        (1, True),
        (2, True),
    ]
    assert Table.objects.filter(booth=booths["1A02"]).count() == 1


def test_exhibitors_import_reads_first_sheet_of_xlsx_with_numbers_and_empty_rows(expo):
    header = [
        "External_ID ",
        "Company Name",
        "tables",
        "hall",
        "booth",
        "moq_m",
        "price_min_cny",
        "price_max_cny",
    ]
    table = [
        header,
        [1001, "Shengze Weaving", 3.0, 2, "2B01", 1500.0, 7.5, 12],
        [None, None, None, None, None, None, None, None],
        [1002, "Wujiang Knits", None, None, None, 800, None, None],
    ]

    result = exhibitors_import(expo=expo, file=xlsx_bytes(table), filename="List.XLSX")

    assert result == ImportResult(rows=2, created=2, updated=0)
    first = Exhibitor.objects.get(expo=expo, external_id="1001")
    assert (first.moq_m, first.price_min_cny, first.price_max_cny) == (
        1500,
        Decimal("7.50"),
        Decimal("12.00"),
    )
    booth = Booth.objects.get(expo=expo, code="2B01")
    assert (booth.hall.code, booth.tables, booth.exhibitor) == ("2", 3, first)
    assert Exhibitor.objects.get(expo=expo, external_id="1002").booths.count() == 0


def test_exhibitors_import_reuses_existing_hall_and_free_booth(expo):
    hall = HallFactory(expo=expo, code="3")
    free = BoothFactory(expo=expo, hall=hall, code="3C01", exhibitor=None, tables=1)

    import_exhibitors(expo, [exhibitor(hall="", booth="3C01", tables="1")])

    free.refresh_from_db()
    assert free.exhibitor == Exhibitor.objects.get(external_id="EX1")
    assert free.hall == hall
    assert Hall.objects.filter(expo=expo).count() == 1


def test_buyers_import_creates_buyer_accounts_without_password(expo):
    result = import_buyers(
        expo,
        [
            buyer(verified="是"),
            buyer(
                external_id="B2",
                email="Li@Shop.example",
                name="李明",
                company="上海服饰",
                country="中国",
                verified="no",
            ),
        ],
    )

    assert result == ImportResult(rows=2, created=2, updated=0)
    anna = User.objects.get(email="anna@brand.example")
    assert (anna.name, anna.company, anna.country.code, anna.role) == (
        "Anna Schmidt",
        "Nordic Apparel GmbH",
        "DE",
        Role.BUYER,
    )
    assert not is_password_usable(anna.password)
    profile = Buyer.objects.get(expo=expo, user=anna)
    assert (profile.external_id, profile.company, profile.country.code, profile.verified) == (
        "B1",
        "Nordic Apparel GmbH",
        "DE",
        True,
    )
    assert (
        profile.order_quantity_m,
        profile.price_min_cny,
        profile.price_max_cny,
        profile.lead_time_days,
    ) == (
        5000,
        Decimal("9.00"),
        Decimal("14.00"),
        30,
    )
    assert slugs(profile.fabrics) == ["chiffon"]
    assert slugs(profile.certifications_required) == ["grs"]
    li = Buyer.objects.get(expo=expo, external_id="B2")
    assert (li.user.email, li.user.name, li.country.code, li.verified) == (
        "Li@shop.example",  # as typed (the domain lower-cased)
        "李明",
        "CN",
        False,
    )


def test_buyers_import_reuses_existing_user_unchanged(expo):
    user = UserFactory(email="Anna@Brand.example", name="Anna S.", company="Old Name")

    result = import_buyers(expo, [buyer()])

    assert result == ImportResult(rows=1, created=1, updated=0)
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert (user.name, user.company) == ("Anna S.", "Old Name")
    assert Buyer.objects.get(expo=expo).user == user


def test_buyers_import_links_self_registered_buyer_by_email(expo):
    registered = BuyerFactory(expo=expo, user=UserFactory(email="anna@brand.example"), external_id="")

    result = import_buyers(expo, [buyer(verified="yes")])

    assert result == ImportResult(rows=1, created=0, updated=1)
    registered.refresh_from_db()
    assert (registered.external_id, registered.verified) == ("B1", True)
    assert Buyer.objects.count() == 1


def test_import_accepts_only_required_columns(expo):
    result = import_exhibitors(expo, [{"external_id": "EX9", "company_name": "Minimal Mill"}])

    assert result == ImportResult(rows=1, created=1, updated=0)
    assert Exhibitor.objects.get(external_id="EX9").country.code == "CN"


# --- Bilingual names -----------------------------------------------------------------------------


def test_import_resolves_slugs_and_names_in_either_language_to_the_same_term(expo):
    cells = ["chiffon", "Chiffon", "雪纺", "  CHIFFON ", "ｃｈｉｆｆｏｎ"]
    rows = [
        exhibitor(external_id=f"EX{i}", booth="", hall="", tables="", fabrics=cell)
        for i, cell in enumerate(cells)
    ]

    import_exhibitors(expo, rows)

    chiffon = term("fabric", "chiffon")
    for profile in Exhibitor.objects.filter(expo=expo):
        assert list(profile.fabrics.all()) == [chiffon]


def test_import_splits_cells_on_semicolons_and_commas_of_either_width(expo):
    row = exhibitor(
        fabrics="雪纺；Satin, twill，乔其纱、Jersey;;",
        certifications="GRS 全球回收标准; OEKO-TEX Standard 100",
    )

    import_exhibitors(expo, [row])

    mill = Exhibitor.objects.get()
    assert slugs(mill.fabrics) == ["chiffon", "georgette", "jersey", "satin", "twill"]
    assert slugs(mill.certifications) == ["grs", "oeko-tex-100"]


def test_import_matches_terms_within_their_own_kind_only(expo):
    errors = errors_of(import_exhibitors, expo, [exhibitor(fabrics="dyeing")])

    assert errors == [RowError(2, "fabrics", "Unknown fabric “dyeing”.")]


def test_import_accepts_country_codes_and_names_in_english_and_chinese(expo):
    cells = ["DE", "deu", "Germany", "德国", "de"]
    import_buyers(
        expo, [buyer(external_id=f"B{i}", email=f"b{i}@x.example", country=c) for i, c in enumerate(cells)]
    )

    assert set(Buyer.objects.values_list("country", flat=True)) == {"DE"}


# --- Re-import -----------------------------------------------------------------------------------


def test_exhibitors_reimport_of_the_same_file_changes_nothing(expo):
    rows = [exhibitor(), exhibitor(external_id="EX2", booth="1A02", fabrics="twill")]
    import_exhibitors(expo, rows)
    through = Exhibitor.fabrics.through
    before = (Exhibitor.objects.count(), Booth.objects.count(), Hall.objects.count(), Table.objects.count())
    pairs = sorted(through.objects.values_list("pk", "exhibitor_id", "term_id"))

    result = import_exhibitors(expo, rows)

    assert result == ImportResult(rows=2, created=0, updated=2)
    assert (
        Exhibitor.objects.count(),
        Booth.objects.count(),
        Hall.objects.count(),
        Table.objects.count(),
    ) == before
    assert sorted(through.objects.values_list("pk", "exhibitor_id", "term_id")) == pairs


def test_exhibitors_reimport_updates_values_facets_booth_and_tables(expo):
    import_exhibitors(expo, [exhibitor(tables="3")])
    mill = Exhibitor.objects.get()
    old_booth = Booth.objects.get(code="1A01")

    result = import_exhibitors(
        expo,
        [
            exhibitor(
                company_name="Wujiang Silk",
                fabrics="twill",
                price_max_cny="20",
                country="越南",
                moq_m="",
                contact_email="",
                booth="2A01",
                hall="2",
                tables="1",
            )
        ],
    )

    assert result == ImportResult(rows=1, created=0, updated=1)
    before = mill.updated_at
    mill.refresh_from_db()
    assert (mill.name_en, mill.price_min_cny, mill.price_max_cny) == (
        "Wujiang Silk",
        Decimal("8.50"),
        Decimal("20.00"),
    )
    assert (mill.country.code, mill.moq_m, mill.contact_email, mill.capacity_m_month) == (
        "VN",
        None,
        "",
        300000,
    )
    assert mill.updated_at > before
    assert slugs(mill.fabrics) == ["twill"]
    old_booth.refresh_from_db()
    assert old_booth.exhibitor is None  # released: the exhibitor moved
    new_booth = Booth.objects.get(code="2A01")
    assert (new_booth.exhibitor, new_booth.hall.code, new_booth.tables) == (mill, "2", 1)

    import_exhibitors(expo, [exhibitor(booth="2A01", hall="2", tables="")])
    import_exhibitors(expo, [exhibitor(booth="1A01", hall="1", tables="2")])
    assert list(Table.objects.filter(booth=old_booth).values_list("number", "is_active")) == [
        (1, True),
        (2, True),
        (3, False),  # retired, not deleted, so meetings on it keep their table
    ]


def test_exhibitors_reimport_lets_exhibitors_swap_booths(expo):
    import_exhibitors(expo, [exhibitor(), exhibitor(external_id="EX2", booth="1A02")])

    import_exhibitors(expo, [exhibitor(booth="1A02"), exhibitor(external_id="EX2", booth="1A01")])

    assert dict(Booth.objects.values_list("code", "exhibitor__external_id")) == {"1A01": "EX2", "1A02": "EX1"}


def test_exhibitors_reimport_leaves_columns_absent_from_the_file(expo):
    import_exhibitors(expo, [exhibitor()])

    import_exhibitors(expo, [{"external_id": "EX1", "company_name": "Renamed", "fabrics": "twill"}])

    mill = Exhibitor.objects.get()
    assert (mill.name_en, mill.moq_m, slugs(mill.fabrics), slugs(mill.processes)) == (
        "Renamed",
        1000,
        ["twill"],
        ["digital-printing"],
    )
    assert mill.booths.get().code == "1A01"


def test_buyers_reimport_updates_by_external_id_without_duplicates(expo):
    rows = [buyer(), buyer(external_id="B2", email="li@shop.example")]
    import_buyers(expo, rows)
    users = User.objects.count()

    assert import_buyers(expo, rows) == ImportResult(rows=2, created=0, updated=2)
    result = import_buyers(
        expo, [buyer(fabrics="satin; twill", order_quantity_m="8000", verified="1"), rows[1]]
    )

    assert result == ImportResult(rows=2, created=0, updated=2)
    assert (User.objects.count(), Buyer.objects.count()) == (users, 2)
    anna = Buyer.objects.get(external_id="B1")
    assert (anna.order_quantity_m, anna.verified, slugs(anna.fabrics)) == (8000, True, ["satin", "twill"])


def test_reimport_changing_only_facets_or_booth_stamps_updated_at(expo):
    import_exhibitors(expo, [exhibitor(), exhibitor(external_id="EX2", booth="1A02")])
    import_buyers(expo, [buyer(), buyer(external_id="B2", email="li@shop.example")])
    stamps = dict(Exhibitor.objects.values_list("external_id", "updated_at"))
    stamps |= dict(Buyer.objects.values_list("external_id", "updated_at"))

    import_exhibitors(expo, [exhibitor(fabrics="twill"), exhibitor(external_id="EX2", booth="1A03")])
    import_buyers(expo, [buyer(fabrics="satin"), buyer(external_id="B2", email="li@shop.example")])

    after = dict(Exhibitor.objects.values_list("external_id", "updated_at"))
    after |= dict(Buyer.objects.values_list("external_id", "updated_at"))
    assert after["EX1"] > stamps["EX1"]  # facets only
    assert after["EX2"] > stamps["EX2"]  # booth only
    assert after["B1"] > stamps["B1"]  # facets only
    assert after["B2"] == stamps["B2"]  # unchanged


@pytest.fixture
def announced():
    """The profiles_imported signals sent, as (sender, expo, kind, ids)."""
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["expo"], kwargs["kind"], kwargs["ids"]))

    profiles_imported.connect(receiver)
    yield received
    profiles_imported.disconnect(receiver)


def test_buyers_import_announces_created_and_changed_profiles_on_commit(
    expo, announced, django_capture_on_commit_callbacks
):
    rows = [
        buyer(),
        buyer(external_id="B2", email="li@shop.example"),
        buyer(external_id="B3", email="c@x.example"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        import_buyers(expo, rows)
    ids = dict(Buyer.objects.values_list("external_id", "pk"))
    with django_capture_on_commit_callbacks(execute=True):
        import_buyers(expo, rows)  # nothing changed: nothing to rescore
    with django_capture_on_commit_callbacks(execute=True):
        import_buyers(expo, [rows[0], rows[1] | {"fabrics": "satin"}, rows[2] | {"lead_time_days": "45"}])

    assert announced == [
        (Buyer, expo, "buyers", [ids["B1"], ids["B2"], ids["B3"]]),
        (Buyer, expo, "buyers", [ids["B2"], ids["B3"]]),
    ]


def test_exhibitors_import_announces_booth_moves_too(expo, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_exhibitors(expo, [exhibitor(), exhibitor(external_id="EX2", booth="1A02")])
    with django_capture_on_commit_callbacks(execute=True):
        import_exhibitors(expo, [exhibitor(tables="4"), exhibitor(external_id="EX2", booth="1A02")])

    ids = dict(Exhibitor.objects.values_list("external_id", "pk"))
    assert announced == [
        (Exhibitor, expo, "exhibitors", [ids["EX1"], ids["EX2"]]),
        (Exhibitor, expo, "exhibitors", [ids["EX1"]]),
    ]


def test_import_only_touches_its_own_expo(expo):
    other = ExpoFactory()
    ExhibitorFactory(expo=other, external_id="EX1", name_en="Other Expo Mill")

    result = import_exhibitors(expo, [exhibitor()])

    assert result == ImportResult(rows=1, created=1, updated=0)
    assert Exhibitor.objects.get(expo=other).name_en == "Other Expo Mill"


# --- Row errors ----------------------------------------------------------------------------------


def test_exhibitors_import_lists_every_cell_error_by_row_and_column(expo):
    rows = [
        exhibitor(external_id="", company_name=""),
        exhibitor(external_id="EX2", booth="1A02", company_name="x" * 201, contact_email="not-an-email"),
        exhibitor(external_id="EX3", booth="1A03", moq_m="abc", capacity_m_month="0", lead_time_days="2.5"),
        exhibitor(
            external_id="EX4", booth="1A04", price_min_cny="0", price_max_cny="1.234", lead_time_days="1e-30"
        ),
        exhibitor(external_id="EX5", booth="1A05", price_min_cny="20", price_max_cny="10", moq_m="1e30"),
        exhibitor(
            external_id="EX6", booth="1A06", fabrics="chiffon; tweed; 丝光", certifications="ISO 9001 Pro"
        ),
        exhibitor(external_id="EX7", booth="1A07", country="Atlantis", tables="51"),
        exhibitor(external_id="EX8", booth="", hall="1", tables=""),
        exhibitor(external_id="EX9", booth="", hall="", tables="2"),
        exhibitor(external_id="EX2", booth="1A02"),
    ]

    errors = errors_of(import_exhibitors, expo, rows)

    assert errors == [
        RowError(2, "external_id", "This column is required."),
        RowError(2, "company_name", "This column is required."),
        RowError(3, "company_name", "At most 200 characters (this has 201)."),
        RowError(3, "contact_email", "“not-an-email” is not a valid email address."),
        RowError(4, "moq_m", "“abc” is not a number."),
        RowError(4, "capacity_m_month", "Use a whole number from 1 to 2147483647."),
        RowError(4, "lead_time_days", "Use a whole number."),
        RowError(5, "price_min_cny", "The price must be greater than zero."),
        RowError(5, "price_max_cny", "Use at most two decimal places."),
        RowError(5, "lead_time_days", "Use a whole number."),
        RowError(6, "moq_m", "Use a whole number from 1 to 2147483647."),
        RowError(6, "price_max_cny", "The maximum price cannot be below the minimum price."),
        RowError(7, "fabrics", "Unknown fabric “tweed”."),
        RowError(7, "fabrics", "Unknown fabric “丝光”."),
        RowError(7, "certifications", "Unknown certification “ISO 9001 Pro”."),
        RowError(
            8,
            "country",
            "Unknown country “Atlantis”: use an ISO code such as CN, or its English or Chinese name.",
        ),
        RowError(8, "tables", "Use a whole number from 1 to 50."),
        RowError(9, "booth", "A hall is given, so give the booth code too."),
        RowError(10, "booth", "Tables are given, so give the booth code too."),
        RowError(11, "external_id", "“EX2” is also in row 3."),
        RowError(11, "booth", "“1A02” is also in row 3."),
    ]


def test_exhibitors_import_rejects_booth_held_by_another_exhibitor(expo):
    BoothFactory(expo=expo, code="1A01", exhibitor=ExhibitorFactory(expo=expo, external_id="OLD"))
    BoothFactory(expo=expo, code="1A02", exhibitor=ExhibitorFactory(expo=expo, external_id=""))

    errors = errors_of(import_exhibitors, expo, [exhibitor(), exhibitor(external_id="EX2", booth="1A02")])

    assert errors == [
        RowError(2, "booth", "Booth “1A01” belongs to another exhibitor."),
        RowError(3, "booth", "Booth “1A02” belongs to another exhibitor."),
    ]


def test_exhibitors_import_asks_for_the_hall_of_a_new_booth(expo):
    errors = errors_of(import_exhibitors, expo, [exhibitor(hall="")])

    assert errors == [RowError(2, "hall", "Give the hall of the new booth “1A01”.")]


def test_exhibitors_import_checks_price_range_against_the_stored_price(expo):
    import_exhibitors(expo, [exhibitor()])

    errors = errors_of(
        import_exhibitors, expo, [{"external_id": "EX1", "company_name": "Mill", "price_max_cny": "5"}]
    )

    assert errors == [RowError(2, "price_max_cny", "The maximum price cannot be below the minimum price.")]


def test_buyers_import_lists_every_cell_error_by_row_and_column(expo):
    rows = [
        buyer(email=""),
        buyer(external_id="B2", email="anna@"),
        buyer(
            external_id="B3",
            email="b3@x.example",
            verified="maybe",
            order_quantity_m="-5",
            price_min_cny="abc",
        ),
        buyer(external_id="B4", email="B3@X.example", name="n" * 151),
        buyer(external_id="B3", email="b5@x.example", processes="weaving magic"),
    ]

    errors = errors_of(import_buyers, expo, rows, header=list(BUYER_COLUMNS))

    assert errors == [
        RowError(2, "email", "This column is required."),
        RowError(3, "email", "“anna@” is not a valid email address."),
        RowError(4, "order_quantity_m", "Use a whole number from 1 to 2147483647."),
        RowError(4, "verified", "Use yes or no (also true/false, 1/0, 是/否)."),
        RowError(4, "price_min_cny", "“abc” is not a number."),
        RowError(5, "name", "At most 150 characters (this has 151)."),
        RowError(5, "email", "“B3@X.example” is also in row 4."),
        RowError(6, "processes", "Unknown process “weaving magic”."),
        RowError(6, "external_id", "“B3” is also in row 4."),
    ]


def test_buyers_import_rejects_external_id_of_another_email_and_email_of_another_external_id(expo):
    BuyerFactory(expo=expo, user=UserFactory(email="old@brand.example"), external_id="B1")
    BuyerFactory(expo=expo, user=UserFactory(email="li@shop.example"), external_id="B7")

    errors = errors_of(import_buyers, expo, [buyer(), buyer(external_id="B2", email="li@shop.example")])

    assert errors == [
        RowError(2, "email", "External ID “B1” belongs to the buyer old@brand.example at this expo."),
        RowError(3, "external_id", "This email's buyer at this expo has external ID “B7”."),
    ]


def test_import_rejects_unknown_duplicate_and_missing_columns(expo):
    file = csv_bytes(
        [{"external_id": "EX1", "colour": "red"}], header=["External ID", "colour", "external_id"]
    )

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    columns = ", ".join(f"{column} ({COLUMN_NAMES[column][0]})" for column in EXHIBITOR_COLUMNS)
    assert columns.startswith("external_id (编号), company_name (公司名称), company_name_zh (公司中文名称),")
    assert errors == [
        RowError(1, "colour", f"Unknown column “colour”; the columns are: {columns}."),
        RowError(
            1, "external_id", "The columns “External ID” and “external_id” both mean external_id; keep one."
        ),
        RowError(1, "company_name", "Missing required column “company_name” (in Chinese “公司名称”)."),
    ]


def test_import_rejects_cells_beyond_the_header_with_the_other_row_errors(expo):
    file = io.BytesIO(b"external_id,company_name,moq_m\nEX1,Mill,x\nEX2,Mill 2,5,surplus\n")

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    assert errors == [
        RowError(2, "moq_m", "“x” is not a number."),
        RowError(3, "", "This row has more cells than the header has columns."),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"external_id,company_name\n", "x.csv", "The file has a header but no data rows."),
        (b"", "x.csv", "The file is empty."),
        (b"not a zip", "x.xlsx", "The file is not a readable XLSX workbook."),
        (
            b"whatever",
            "x.xls",
            "Upload a .csv or .xlsx file (save other spreadsheets in one of these formats).",
        ),
        (b"\x81\x30\xff\xff", "x.csv", UNKNOWN_ENCODING),
    ],
)
def test_import_rejects_unreadable_files_with_a_file_level_error(expo, content, filename, message):
    errors = errors_of(exhibitors_import, expo=expo, file=io.BytesIO(content), filename=filename)

    assert errors == [RowError(0, "", message)]


# --- Nothing written on error --------------------------------------------------------------------


def test_buyers_import_writes_nothing_when_one_row_is_bad(expo):
    import_buyers(expo, [buyer()])
    counts = (User.objects.count(), Buyer.objects.count(), Buyer.fabrics.through.objects.count())
    rows = [buyer(fabrics="satin", verified="yes")] + [
        buyer(external_id=f"N{i}", email=f"new{i}@x.example") for i in range(20)
    ]
    rows[-1]["price_max_cny"] = "1"

    errors = errors_of(import_buyers, expo, rows)

    assert errors == [RowError(22, "price_max_cny", "The maximum price cannot be below the minimum price.")]
    assert (User.objects.count(), Buyer.objects.count(), Buyer.fabrics.through.objects.count()) == counts
    anna = Buyer.objects.get()
    assert (anna.verified, slugs(anna.fabrics)) == (False, ["chiffon"])


def test_exhibitors_import_writes_nothing_when_one_row_is_bad(expo):
    errors = errors_of(
        import_exhibitors,
        expo,
        [exhibitor(), exhibitor(external_id="EX2", booth="9Z01", hall="9", moq_m="-1")],
    )

    assert errors == [RowError(3, "moq_m", "Use a whole number from 1 to 2147483647.")]
    assert (
        Exhibitor.objects.count(),
        Hall.objects.count(),
        Booth.objects.count(),
        Table.objects.count(),
    ) == (0, 0, 0, 0)


def test_buyers_import_reports_a_conflicting_concurrent_write_and_writes_nothing(expo, monkeypatch):
    """An account created between the check and the write (say, a buyer registering) fails cleanly."""
    UserFactory(email="Li@Shop.example")
    monkeypatch.setattr("expo.services.imports.buyers._users_by_key", lambda keys: {})

    errors = errors_of(
        import_buyers, expo, [buyer(external_id="B0", email="z@x.example"), buyer(email="li@shop.example")]
    )

    assert errors == [RowError(0, "", "The data changed while importing; try again.")]
    assert (User.objects.count(), Buyer.objects.count()) == (1, 0)


def test_import_dry_run_reports_counts_without_writing(expo):
    import_exhibitors(expo, [exhibitor()])

    file = csv_bytes([exhibitor(company_name="Changed"), exhibitor(external_id="EX2", booth="1A02")])
    result = exhibitors_import(expo=expo, file=file, filename="x.csv", dry_run=True)

    assert result == ImportResult(rows=2, created=1, updated=1)
    assert list(Exhibitor.objects.values_list("name_en", flat=True)) == ["Wujiang Silk Weaving Co."]


# --- Encodings -----------------------------------------------------------------------------------


def test_import_reads_gbk_csv_as_saved_by_chinese_excel(expo):
    row = exhibitor(company_name_zh="盛泽丝绸印染厂", fabrics="雪纺；色丁", province="江苏")

    import_exhibitors(expo, [row], encoding="gbk")

    mill = Exhibitor.objects.get()
    assert (mill.name_zh, mill.province, slugs(mill.fabrics)) == (
        "盛泽丝绸印染厂",
        "JS",
        ["chiffon", "satin"],
    )


def test_import_reads_the_examples_of_the_documentation(expo):
    data = Path(__file__).parent / "data"

    with (data / "exhibitors_example.csv").open("rb") as file:
        assert exhibitors_import(expo=expo, file=file, filename=file.name) == ImportResult(2, 2, 0)
    with (data / "buyers_example.csv").open("rb") as file:
        assert buyers_import(expo=expo, file=file, filename=file.name) == ImportResult(2, 2, 0)

    knits = Exhibitor.objects.get(external_id="EX002")
    assert (knits.country.code, knits.moq_m, slugs(knits.fabrics), slugs(knits.processes)) == (
        "CN",
        3000,
        ["interlock", "jersey"],
        ["dyeing"],
    )
    assert Booth.objects.get(code="1A02").tables == 1
    li = Buyer.objects.get(external_id="B0002")
    assert (li.country.code, li.verified, li.price_min_cny) == ("CN", False, Decimal("6.50"))


def test_import_reads_utf16_tab_separated_text_as_saved_by_excel_unicode_text(expo):
    text = "external_id\temail\tname\tfabrics\r\nB1\twang@x.example\t王芳\t雪纺, 色丁\r\n"

    result = buyers_import(expo=expo, file=io.BytesIO(text.encode("utf-16")), filename="buyers.txt")

    assert result == ImportResult(rows=1, created=1, updated=0)
    wang = Buyer.objects.get()
    assert (wang.user.name, slugs(wang.fabrics)) == ("王芳", ["chiffon", "satin"])


def test_import_reads_utf8_csv_with_byte_order_mark(expo):
    import_buyers(expo, [buyer(name="王芳")], encoding="utf-8-sig")

    assert User.objects.get().name == "王芳"


# --- Commands ------------------------------------------------------------------------------------


def test_import_exhibitors_command_reports_counts(expo, tmp_path):
    path = tmp_path / "exhibitors.csv"
    path.write_bytes(csv_bytes([exhibitor(), exhibitor(external_id="EX2", booth="1A02")]).getvalue())
    out = io.StringIO()

    call_command("import_exhibitors", str(path), stdout=out)  # the current expo
    call_command("import_exhibitors", str(path), "--expo", expo.slug, stdout=out)

    assert out.getvalue() == (
        "Imported 2 rows: 2 created, 0 updated.\nImported 2 rows: 0 created, 2 updated.\n"
    )


def test_import_buyers_command_lists_errors_and_fails_writing_nothing(expo, tmp_path):
    path = tmp_path / "buyers.xlsx"
    table = [
        ["external_id", "email", "price_min_cny", "price_max_cny"],
        ["B1", "a@x.example", 5, 9],
        ["B2", "bad", 9, 5],
    ]
    path.write_bytes(xlsx_bytes(table).getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 2 errors."):
        call_command("import_buyers", str(path), "--expo", expo.slug, stderr=err)

    assert err.getvalue() == (
        "row 3, email: “bad” is not a valid email address.\n"
        "row 3, price_max_cny: The maximum price cannot be below the minimum price.\n"
    )
    assert (User.objects.count(), Buyer.objects.count()) == (0, 0)


def test_import_command_reports_file_errors_and_unknown_expo(expo, tmp_path):
    err = io.StringIO()
    path = tmp_path / "buyers.ods"
    path.write_bytes(b"x")

    with pytest.raises(CommandError, match="Nothing imported: 1 error."):
        call_command("import_buyers", str(path), stderr=err)
    assert (
        err.getvalue()
        == "file: Upload a .csv or .xlsx file (save other spreadsheets in one of these formats).\n"
    )
    with pytest.raises(CommandError, match="No expo with slug “nope”."):
        call_command("import_buyers", str(path), "--expo", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_buyers", str(tmp_path / "missing.csv"))


def test_import_command_dry_run_writes_nothing_and_names_whole_row_errors(expo, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(b"external_id,company_name\nEX1,Mill\n")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"external_id,company_name\nEX1,Mill,surplus\n")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_exhibitors", str(good), "--dry-run", stdout=out)
    with pytest.raises(CommandError, match="Nothing imported: 1 error."):
        call_command("import_exhibitors", str(bad), stderr=err)

    assert out.getvalue() == "Would import 1 rows: 1 created, 0 updated.\n"
    assert err.getvalue() == "row 2: This row has more cells than the header has columns.\n"
    assert Exhibitor.objects.count() == 0


# --- The shared term resolver --------------------------------------------------------------------


def test_terms_resolve_names_every_unknown_value():
    with pytest.raises(ValidationError) as failure:
        terms_resolve(kind="fibre", values=["涤纶", "moonbeam", "Nylon; stardust"])

    assert failure.value.messages == ["Unknown fibre “moonbeam”.", "Unknown fibre “stardust”."]


def test_terms_resolve_returns_terms_in_order_without_repeats():
    terms = terms_resolve(kind="fibre", values=["涤纶", "nylon", "POLYESTER"])

    assert [t.slug for t in terms] == ["polyester", "nylon"]


def test_import_skips_title_rows_above_the_header_and_keeps_spreadsheet_row_numbers(expo):
    table = [[None, None], ["2027 盛泽纺织博览会 展商名单", None], [None, None]]
    table += [["external_id", "company_name", "moq_m"], ["EX1", "Mill", "many"]]

    errors = errors_of(exhibitors_import, expo=expo, file=xlsx_bytes(table), filename="x.xlsx")

    assert errors == [RowError(5, "moq_m", "“many” is not a number.")]


def test_import_rejects_files_over_the_row_limit(expo, monkeypatch):
    monkeypatch.setattr("expo.services.imports.reading.MAX_ROWS", 2)
    file = io.BytesIO(b"external_id,company_name\nEX1,A\nEX2,B\nEX3,C\n")

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    assert errors == [RowError(0, "", "The file has more than 2 rows; split it.")]


def test_import_reports_an_oversized_csv_cell_with_its_row_and_line(expo):
    file = io.BytesIO(b"external_id,company_name,description\nEX1,A,short\nEX2,B," + b"x" * 140_000 + b"\n")

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    message = (
        'Line 3 of the file has a cell longer than 131,072 characters, or a quote (") that is never closed.'
    )
    assert errors == [RowError(3, "", message)]


def test_import_rejects_huge_and_odd_numbers_without_crashing(expo):
    rows = [exhibitor(price_min_cny="1e30", price_max_cny="NaN", capacity_m_month="Infinity")]

    errors = errors_of(import_exhibitors, expo, rows)

    assert errors == [
        RowError(2, "capacity_m_month", "“Infinity” is not a number."),
        RowError(2, "price_min_cny", "The price must be below 100000000."),
        RowError(2, "price_max_cny", "“NaN” is not a number."),
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=30))
def test_cell_checks_never_crash_on_any_text(text):
    errors: list[RowError] = []
    row = Row(2, dict.fromkeys(("moq_m", "price_min_cny", "country", "verified", "email"), text), errors)

    results = (
        row.integer("moq_m", 1, 10),
        row.price("price_min_cny"),
        row.country("country", default=""),
        row.boolean("verified"),
        row.email("email"),
    )

    assert all(e.row == 2 and e.message for e in errors)
    assert results[0] is None or 1 <= results[0] <= 10
    assert results[1] is None or Decimal("0") < results[1] < Decimal("100000000")


# --- Headers in English or Chinese, and their variants --------------------------------------------

IMPORTS = {"exhibitors": (EXHIBITOR_COLUMNS, EXHIBITOR_REQUIRED), "buyers": (BUYER_COLUMNS, BUYER_REQUIRED)}
ALIASES = [
    (kind, column, name)
    for kind, (columns, _required) in IMPORTS.items()
    for column in columns
    for name in COLUMN_NAMES[column]
]


def test_every_column_of_both_imports_has_a_chinese_header():
    for columns, _required in IMPORTS.values():
        assert [column for column in columns if not COLUMN_NAMES.get(column)] == []


@pytest.mark.parametrize(("kind", "column", "name"), ALIASES, ids=[f"{k}-{c}-{n}" for k, c, n in ALIASES])
def test_import_reads_each_header_alias_as_its_column(kind, column, name):
    columns, required = IMPORTS[kind]
    header = [name, *(other for other in required if other != column)]
    values = [f"value of {column}", *(f"value of {other}" for other in header[1:])]
    out = io.StringIO()
    csv.writer(out).writerows([["notes", "ignored"], header, values])  # a title row above the header too

    data, errors = read_table(io.BytesIO(out.getvalue().encode()), "x.csv", columns, required)

    assert errors == []
    assert data == [
        (3, {column: f"value of {column}", **{o: f"value of {o}" for o in required if o != column}})
    ]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("Company Name", "company_name"),
        ("company-name", "company_name"),
        ("  COMPANY_NAME * ", "company_name"),
        ("Company.Name", "company_name"),
        ("ＭＯＱ", "moq_m"),
        ("MOQ (m)", "moq_m"),
        ("起订量(米)", "moq_m"),
        ("起订量【米】", "moq_m"),
        ("Price Min CNY", "price_min_cny"),
        ("E-mail", "contact_email"),
        ("End Uses", "end_uses"),
        ("Lead time (days)", "lead_time_days"),
    ],
)
def test_header_variants_of_case_width_spaces_and_signs_name_the_same_column(text, column):
    assert header_names(EXHIBITOR_COLUMNS)[header_key(text)] == column


def test_buyer_headers_e_mail_and_company_name_mean_the_buyers_columns():
    names = header_names(BUYER_COLUMNS)

    assert [
        names[header_key(text)] for text in ("E-mail", "Company Name", "公司名称", "Name", "电子邮箱")
    ] == [
        "email",
        "company",
        "company",
        "name",
        "email",
    ]


def test_exhibitors_import_reads_chinese_headers_in_any_order(expo):
    chinese = {column: COLUMN_NAMES[column][0] for column in EXHIBITOR_COLUMNS}
    row = exhibitor()
    order = list(reversed(EXHIBITOR_COLUMNS))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([chinese[column] for column in order])
    writer.writerow([row.get(column, "") for column in order])

    result = exhibitors_import(expo=expo, file=io.BytesIO(out.getvalue().encode()), filename="展商.csv")

    assert result == ImportResult(rows=1, created=1, updated=0)
    mill = Exhibitor.objects.get()
    assert (mill.external_id, mill.name_en, mill.name_zh, mill.moq_m, mill.contact_email) == (
        "EX1",
        "Wujiang Silk Weaving Co.",
        "吴江丝绸织造有限公司",
        1000,
        "sales@wujiang-silk.example",
    )
    assert (Booth.objects.get().code, slugs(mill.fabrics)) == ("1A01", ["chiffon", "satin"])


def test_buyers_import_reads_chinese_and_variant_headers_from_xlsx(expo):
    table = [
        ["电子邮箱", "编号", "Company Name", "姓名", "国家/地区", "面料", "订单量（米）", "已核实"],
        ["li@shanghai-fashion.example", "B0002", "上海服饰", "李明", "中国", "雪纺", 20000, "是"],
    ]

    result = buyers_import(expo=expo, file=xlsx_bytes(table), filename="采购商.xlsx")

    assert result == ImportResult(rows=1, created=1, updated=0)
    li = Buyer.objects.get()
    assert (li.external_id, li.user.email, li.user.name, li.company, li.country.code) == (
        "B0002",
        "li@shanghai-fashion.example",
        "李明",
        "上海服饰",
        "CN",
    )
    assert (li.order_quantity_m, li.verified, slugs(li.fabrics)) == (20000, True, ["chiffon"])


def test_an_unknown_header_is_one_error_naming_it_however_many_rows(expo):
    rows = [exhibitor(external_id=f"EX{i}", booth=f"1A{i:02}") | {"颜色": "红"} for i in range(40)]

    errors = errors_of(import_exhibitors, expo, rows)

    columns = ", ".join(f"{column} ({COLUMN_NAMES[column][0]})" for column in EXHIBITOR_COLUMNS)
    assert errors == [RowError(1, "颜色", f"Unknown column “颜色”; the columns are: {columns}.")]
    assert Exhibitor.objects.count() == 0


def test_two_headers_naming_one_column_are_one_error(expo):
    file = csv_bytes([{"email": "a@x.example", "E-mail": "b@x.example", "编号": "B1"}])

    errors = errors_of(buyers_import, expo=expo, file=file, filename="x.csv")

    assert errors == [RowError(1, "email", "The columns “email” and “E-mail” both mean email; keep one.")]


# --- Malformed files -------------------------------------------------------------------------------


def test_an_unterminated_quote_swallowing_the_next_rows_is_an_error_naming_the_row(expo, tmp_path):
    text = 'external_id,company_name,province\nEX1,"Wujiang Silk,Jiangsu\nEX2,Shengze Knits,Jiangsu\nEX3,Mill",Zhejiang\n'
    path = tmp_path / "exhibitors.csv"
    path.write_text(text)

    with pytest.raises(CommandError, match="Nothing imported: 1 error."):
        call_command("import_exhibitors", str(path), stderr=(err := io.StringIO()))

    assert err.getvalue() == (
        "row 2: This row (lines 2 to 4 of the file) has a quoted cell that runs over several lines and "
        'takes in what look like other rows: a closing quote (") is probably missing.\n'
    )
    assert Exhibitor.objects.count() == 0


def test_a_quote_never_closed_is_an_error_naming_its_row_and_line(expo):
    file = io.BytesIO(b'external_id,company_name\nEX1,Mill\n\nEX2,"Shengze\nEX3,Knits\n')

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    message = (
        'Line 4 of the file opens a quoted cell that is never closed: a closing quote (") is missing, '
        "so every following line would be read into it."
    )
    assert errors == [RowError(4, "", message)]


def test_text_after_a_closing_quote_is_an_error_naming_its_row_and_line(expo):
    file = io.BytesIO(b'external_id,company_name\nEX1,"Wujiang "Silk" Co."\n')

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    message = (
        'Line 2 of the file has text right after a closing quote ("): a quote inside a cell must be '
        'doubled (""), or a quote is missing.'
    )
    assert errors == [RowError(2, "", message)]


def test_a_quoted_cell_with_line_breaks_and_inch_marks_imports_as_written(expo):
    text = (
        'external_id,company_name,description\r\nEX1,Mill,"Chiffon, satin.\r\nAlso 60"" wide ""twill"""\r\n'
        'EX2,Knits,58" jersey\r\n'
    )

    import_exhibitors_text = exhibitors_import(expo=expo, file=io.BytesIO(text.encode()), filename="x.csv")

    assert import_exhibitors_text == ImportResult(rows=2, created=2, updated=0)
    assert list(Exhibitor.objects.order_by("external_id").values_list("description_en", flat=True)) == [
        'Chiffon, satin.\r\nAlso 60" wide "twill"',
        '58" jersey',
    ]


def test_a_row_with_extra_cells_is_an_error_naming_the_row(expo):
    file = io.BytesIO(b"external_id,company_name\nEX1,Wujiang Silk Co., Ltd\nEX2,Mill\n")

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    assert errors == [RowError(2, "", "This row has more cells than the header has columns.")]


def test_a_nul_character_in_a_csv_cell_is_a_file_error_naming_the_row(expo):
    file = io.BytesIO(b"external_id,company_name\nEX1,Mill\nEX2,Sheng\x00ze\n")

    errors = errors_of(exhibitors_import, expo=expo, file=file, filename="x.csv")

    message = (
        "Cell 2 of this row holds a NUL character (a zero byte), which no spreadsheet cell can: the file "
        "is damaged, or is not text. " + SAVE_AS_UTF8
    )
    assert errors == [RowError(3, "", message)]


def _xlsx_with_sheet(transform) -> io.BytesIO:
    """A valid workbook whose first sheet's XML went through `transform` (zip kept whole)."""
    source = xlsx_bytes([["external_id", "company_name"], *[[f"EX{i}", f"Mill {i}"] for i in range(200)]])
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, transform(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            lambda: io.BytesIO(
                xlsx_bytes([["external_id", "company_name"], ["EX1", "Mill"]]).getvalue()[:-300]
            ),
            "The file is not a readable XLSX workbook.",
        ),
        (
            lambda: _xlsx_with_sheet(lambda xml: xml[: len(xml) // 2]),
            "The XLSX file is damaged or incomplete (was it cut short while uploading or copying?). "
            "Open it in Excel, save it again and upload the new file.",
        ),
    ],
    ids=["zip cut short", "sheet cut short"],
)
def test_a_truncated_xlsx_is_a_file_error_not_a_crash(expo, file, message):
    errors = errors_of(exhibitors_import, expo=expo, file=file(), filename="x.xlsx")

    assert errors == [RowError(0, "", message)]


# --- Encodings: detected, or refused with how to save the file --------------------------------------


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("Jürgen Weiß", "Müller Textil GmbH"),
        ("Hélène Côté", "Créations Lefèvre"),
        ("José Núñez", "Textiles Peña"),
        ("João Simões", "Confecções São João"),
        ("Renée Aimée", "Tissus créé éé"),  # accented pairs that are also GB2312 characters
    ],
)
def test_import_reads_western_european_csv_saved_as_windows_1252(expo, name, company):
    import_buyers(expo, [buyer(name=name, company=company, fabrics="chiffon; satin")], encoding="cp1252")

    anna = Buyer.objects.get()
    assert (anna.user.name, anna.company) == (name, company)


def test_import_reads_gbk_csv_with_rare_characters_in_names(expo):
    rows = [
        buyer(name="王喆", company="苏州堃泰纺织", country="中国"),
        buyer(external_id="B2", email="li@x.example", name="李明", company="上海服饰", fabrics="雪纺；色丁"),
    ]

    import_buyers(expo, rows, encoding="gbk")

    assert sorted(Buyer.objects.values_list("user__name", "company")) == [
        ("李明", "上海服饰"),
        ("王喆", "苏州堃泰纺织"),
    ]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "external_id,company_name\nEX1,Текстиль Москва\n",
            "cp1251",
        ),  # Cyrillic: neither Chinese nor Western
        ("external_id,company_name\nEX1,Αθήνα Υφάσματα\n", "cp1253"),  # Greek
        ("external_id,company_name\nEX1,東京テキスタイル\n", "shift_jis"),  # Japanese
        ("external_id,company_name\nEX1,台灣紡織股份有限公司\n", "big5"),  # Traditional Chinese
    ],
    ids=["cyrillic", "greek", "japanese", "big5"],
)
def test_import_refuses_text_it_cannot_tell_saying_how_to_save_it(expo, text, encoding):
    errors = errors_of(exhibitors_import, expo=expo, file=io.BytesIO(text.encode(encoding)), filename="x.csv")

    assert errors == [RowError(0, "", UNKNOWN_ENCODING)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200) | st.text(max_size=60).map(lambda t: ("a,b\n" + t).encode("utf-8")))
def test_reading_any_bytes_gives_rows_or_import_errors_never_a_crash(data):
    for filename in ("x.csv", "x.xlsx"):
        errors = _read_errors(data, filename)

        assert errors is None or all(error.message for error in errors)


def _read_errors(data: bytes, filename: str) -> list[RowError] | None:
    try:
        read_table(io.BytesIO(data), filename, ("a", "b"), ())
    except ImportFailed as failure:
        return failure.errors
    return None


def test_the_documentation_lists_every_column_name_the_imports_accept():
    docs = (Path(__file__).parents[2] / "docs" / "imports.md").read_text()

    for columns, _required in IMPORTS.values():
        for column in columns:
            chinese, *others = COLUMN_NAMES[column]
            assert f"| `{column}` | {chinese} | " + ", ".join(f"`{name}`" for name in others) + " |" in docs


def test_exhibitors_reimport_never_shrinks_a_booth_below_a_table_holding_a_meeting(expo):
    """The rule `booth_save` applies (floor.booth_tables_check), as a row error on `tables`, for the
    whole file: nothing is written."""
    from expo.models import Meeting
    from tests.factories.meetings import buyer_at, meeting_between

    import_exhibitors(expo, [exhibitor(tables="3"), exhibitor(external_id="EX2", booth="1A02", tables="3")])
    mill = Exhibitor.objects.get(external_id="EX1")
    meeting = meeting_between(buyer_at(expo), mill)
    Meeting.objects.filter(pk=meeting.pk).update(table=Table.objects.get(booth__code="1A01", number=3))

    errors = errors_of(
        import_exhibitors,
        expo,
        [
            exhibitor(tables="2", company_name="Renamed"),
            exhibitor(external_id="EX2", booth="1A02", tables="1"),
        ],
    )

    assert errors == [RowError(2, "tables", "Table 3 holds meetings: this booth needs at least 3 tables.")]
    assert list(Table.objects.filter(is_active=True).values_list("booth__code", "number").order_by("pk")) == [
        ("1A01", 1),
        ("1A01", 2),
        ("1A01", 3),
        ("1A02", 1),
        ("1A02", 2),
        ("1A02", 3),
    ]
    assert list(Booth.objects.order_by("code").values_list("code", "tables")) == [("1A01", 3), ("1A02", 3)]
    assert Exhibitor.objects.get(pk=mill.pk).name_en == exhibitor()["company_name"]
