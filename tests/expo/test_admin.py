"""The expo admin: organisers see everything; exhibitor staff see and change only their own company.

Scoping is checked on every door a staff member could try: the list, the change page, a POST to
it, the history, the delete page, and the autocomplete endpoint.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Booth, Exhibitor, ExhibitorStaff, Expo, Slot, Table, Term
from expo.services.floor import booth_tables_sync
from expo.services.imports import (
    BUYER_COLUMNS,
    EXHIBITOR_COLUMNS,
    ImportResult,
    buyers_import,
    exhibitors_import,
)
from expo.services.imports.columns import COLUMN_NAMES
from expo.services.imports.templates import TEMPLATE_FORMATS
from expo.signals import exhibitor_profile_changed
from tests.factories.accounts import UserFactory
from tests.factories.expo import (
    BoothFactory,
    BuyerFactory,
    ExchangeRateFactory,
    ExhibitorFactory,
    ExhibitorStaffFactory,
    ExpoFactory,
    HallFactory,
    term,
)

pytestmark = pytest.mark.django_db


def _staff_of(exhibitor: Exhibitor):
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=exhibitor)
    return user_set_role(user=user, role=Role.EXHIBITOR_STAFF)


@pytest.fixture
def hall(expo):
    return HallFactory(expo=expo, code="4A")


@pytest.fixture
def company_a(expo):
    return ExhibitorFactory(expo=expo, name_en="Alpha Weaving", name_zh="阿尔法织造")


@pytest.fixture
def company_b(expo):
    return ExhibitorFactory(expo=expo, name_en="Beta Dyeing", name_zh="贝塔印染")


@pytest.fixture
def booth_a(expo, hall, company_a):
    booth = BoothFactory(expo=expo, hall=hall, exhibitor=company_a, code="A101", tables=2)
    booth_tables_sync(booth=booth)
    return booth


@pytest.fixture
def booth_b(expo, hall, company_b):
    booth = BoothFactory(expo=expo, hall=hall, exhibitor=company_b, code="B202", tables=2)
    booth_tables_sync(booth=booth)
    return booth


@pytest.fixture
def staff_a(company_a, booth_a):
    return _staff_of(company_a)


@pytest.fixture
def staff_client(client, staff_a, booth_b):
    client.force_login(staff_a)
    return client


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def _exhibitor_form(exhibitor: Exhibitor, **changes) -> dict:
    data = {
        "name_en": exhibitor.name_en,
        "name_zh": exhibitor.name_zh,
        "description_en": exhibitor.description_en,
        "description_zh": exhibitor.description_zh,
        "country": exhibitor.country.code,
        "province": exhibitor.province,
        "region": exhibitor.region,
        "contact_email": exhibitor.contact_email,
        "contact_phone": exhibitor.contact_phone,
        "website": exhibitor.website,
        "moq_m": exhibitor.moq_m or "",
        "capacity_m_month": exhibitor.capacity_m_month or "",
        "price_min_cny": exhibitor.price_min_cny or "",
        "price_max_cny": exhibitor.price_max_cny or "",
        "lead_time_days": exhibitor.lead_time_days or "",
    }
    data.update(changes)
    return data


def _booth_form(booth: Booth, **changes) -> dict:
    tables = list(booth.table_set.order_by("number"))
    data = {
        "tables": booth.tables,
        "table_set-TOTAL_FORMS": len(tables),
        "table_set-INITIAL_FORMS": len(tables),
        "table_set-MIN_NUM_FORMS": 0,
        "table_set-MAX_NUM_FORMS": 1000,
    }
    for i, table in enumerate(tables):
        data[f"table_set-{i}-id"] = table.pk
        data[f"table_set-{i}-booth"] = booth.pk
        data[f"table_set-{i}-label"] = table.label
        if table.is_active:
            data[f"table_set-{i}-is_active"] = "on"
    data.update(changes)
    return data


# --- Exhibitor staff: their own company ---------------------------------------------------------


def test_staff_exhibitor_list_shows_only_own_company(staff_client, company_a, company_b):
    response = staff_client.get(reverse("admin:expo_exhibitor_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [company_a]
    assert "Beta Dyeing" not in response.content.decode()


def test_staff_exhibitor_search_cannot_reach_other_company(staff_client, company_b):
    response = staff_client.get(reverse("admin:expo_exhibitor_changelist"), {"q": "Beta"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_staff_cannot_open_other_company_change_page(staff_client, company_b):
    response = staff_client.get(reverse("admin:expo_exhibitor_change", args=[company_b.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_staff_post_to_other_company_changes_nothing(staff_client, company_b):
    url = reverse("admin:expo_exhibitor_change", args=[company_b.pk])

    response = staff_client.post(url, _exhibitor_form(company_b, name_en="Hijacked"))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    company_b.refresh_from_db()
    assert company_b.name_en == "Beta Dyeing"


def test_staff_cannot_delete_any_company(staff_client, company_a, company_b):
    for company in (company_a, company_b):
        url = reverse("admin:expo_exhibitor_delete", args=[company.pk])
        assert staff_client.get(url).status_code == 403
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Exhibitor.objects.count() == 2


def test_staff_cannot_see_other_company_history(staff_client, company_b):
    response = staff_client.get(reverse("admin:expo_exhibitor_history", args=[company_b.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_staff_sees_own_company_history_and_booth_tables(staff_client, company_a, booth_a):
    assert staff_client.get(reverse("admin:expo_exhibitor_history", args=[company_a.pk])).status_code == 200
    response = staff_client.get(reverse("admin:expo_booth_change", args=[booth_a.pk]))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["tables"]
    tables = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.number for form in tables] == [1, 2]


def test_staff_may_read_terms_but_not_change_them(staff_client):
    chiffon = term("fabric", "chiffon")
    url = reverse("admin:expo_term_change", args=[chiffon.pk])

    response = staff_client.post(
        url, {"kind": "fabric", "slug": "chiffon", "name_en": "Mine", "name_zh": "我的"}
    )

    assert response.status_code == 403
    chiffon.refresh_from_db()
    assert chiffon.name_en == "Chiffon"
    assert staff_client.get(reverse("admin:expo_term_add")).status_code == 403


def test_staff_bulk_delete_action_cannot_reach_any_company(staff_client, company_a, company_b):
    response = staff_client.post(
        reverse("admin:expo_exhibitor_changelist"),
        {"action": "delete_selected", "_selected_action": [company_a.pk, company_b.pk], "post": "yes"},
    )

    assert response.status_code == 200  # no such action for staff: the list is shown again
    assert list(response.context["cl"].result_list) == [company_a]
    assert Exhibitor.objects.count() == 2


def test_staff_save_as_new_is_refused(staff_client, company_a, booth_a):
    url = reverse("admin:expo_exhibitor_change", args=[company_a.pk])
    response = staff_client.post(url, _exhibitor_form(company_a, _saveasnew="1"))
    assert response.status_code == 403

    url = reverse("admin:expo_booth_change", args=[booth_a.pk])
    response = staff_client.post(url, _booth_form(booth_a, _saveasnew="1"))
    assert response.status_code == 403
    assert (Exhibitor.objects.count(), Booth.objects.count()) == (2, 2)


def test_staff_cannot_add_an_exhibitor(staff_client):
    assert staff_client.get(reverse("admin:expo_exhibitor_add")).status_code == 403


def test_staff_edits_own_company_profile_but_not_expo_or_import_key(staff_client, company_a):
    other_expo = ExpoFactory()
    url = reverse("admin:expo_exhibitor_change", args=[company_a.pk])
    fabric = term("fabric", "chiffon")
    data = _exhibitor_form(
        company_a,
        name_zh="阿尔法新织造",
        moq_m=500,
        price_min_cny="9.50",
        fabrics=[fabric.pk],
        expo=other_expo.pk,
        external_id="STOLEN",
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.name_zh == "阿尔法新织造"
    assert company_a.moq_m == 500
    assert company_a.price_min_cny == Decimal("9.50")
    assert list(company_a.fabrics.all()) == [fabric]
    assert company_a.expo_id != other_expo.pk
    assert company_a.external_id != "STOLEN"


def test_staff_save_tells_matching_the_profile_changed(staff_client, company_a):
    received = []

    def receiver(sender, exhibitor, **kwargs):
        received.append((exhibitor.pk, list(exhibitor.fabrics.values_list("slug", flat=True))))

    exhibitor_profile_changed.connect(receiver)
    try:
        url = reverse("admin:expo_exhibitor_change", args=[company_a.pk])
        response = staff_client.post(url, _exhibitor_form(company_a, fabrics=[term("fabric", "satin").pk]))
    finally:
        exhibitor_profile_changed.disconnect(receiver)

    assert response.status_code == 302
    assert received == [(company_a.pk, ["satin"])]


def test_staff_change_form_hides_expo_and_external_id(staff_client, company_a):
    response = staff_client.get(reverse("admin:expo_exhibitor_change", args=[company_a.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "expo" not in form.fields
    assert "external_id" not in form.fields
    assert "fabrics" in form.fields


def test_staff_facet_of_wrong_kind_is_refused(staff_client, company_a):
    url = reverse("admin:expo_exhibitor_change", args=[company_a.pk])
    dyeing = term("process", "dyeing")

    response = staff_client.post(url, _exhibitor_form(company_a, fabrics=[dyeing.pk]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "fabrics": [f"Select a valid choice. {dyeing.pk} is not one of the available choices."]
    }
    assert company_a.fabrics.count() == 0


def test_staff_booth_list_shows_only_own_booths(staff_client, booth_a, booth_b):
    response = staff_client.get(reverse("admin:expo_booth_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [booth_a]


def test_staff_cannot_open_or_change_other_booth(staff_client, booth_b):
    change = reverse("admin:expo_booth_change", args=[booth_b.pk])

    assert staff_client.get(change).status_code == 302
    response = staff_client.post(change, _booth_form(booth_b, tables=5))
    assert response.status_code == 302
    booth_b.refresh_from_db()
    assert booth_b.tables == 2
    assert staff_client.get(reverse("admin:expo_booth_history", args=[booth_b.pk])).status_code == 302
    assert staff_client.post(reverse("admin:expo_booth_delete", args=[booth_b.pk])).status_code == 403


def test_staff_changes_own_booth_tables_and_table_labels(staff_client, booth_a):
    url = reverse("admin:expo_booth_change", args=[booth_a.pk])
    data = _booth_form(booth_a, tables=3, **{"table_set-0-label": "Window table"})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    booth_a.refresh_from_db()
    assert booth_a.tables == 3
    tables = list(booth_a.table_set.order_by("number").values_list("number", "label", "is_active"))
    assert tables == [(1, "Window table", True), (2, "", True), (3, "", True)]


def test_staff_can_retire_a_table_without_changing_the_count(staff_client, booth_a):
    url = reverse("admin:expo_booth_change", args=[booth_a.pk])
    data = _booth_form(booth_a)
    del data["table_set-1-is_active"]

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert list(booth_a.table_set.order_by("number").values_list("is_active", flat=True)) == [True, False]


def test_staff_cannot_move_own_booth_to_another_company_or_code(staff_client, booth_a, company_b, expo):
    url = reverse("admin:expo_booth_change", args=[booth_a.pk])
    other_hall = HallFactory(expo=expo, code="9Z")
    data = _booth_form(booth_a, exhibitor=company_b.pk, code="Z999", hall=other_hall.pk)

    response = staff_client.post(url, data)

    assert response.status_code == 302
    booth_a.refresh_from_db()
    assert (booth_a.exhibitor_id, booth_a.code, booth_a.hall.code) == (booth_a.exhibitor_id, "A101", "4A")
    assert booth_a.exhibitor.name_en == "Alpha Weaving"


def test_staff_cannot_edit_tables_of_another_booth_through_own_booth(staff_client, booth_a, booth_b):
    url = reverse("admin:expo_booth_change", args=[booth_a.pk])
    foreign = booth_b.table_set.get(number=1)
    data = _booth_form(booth_a, **{"table_set-0-id": foreign.pk, "table_set-0-label": "Mine now"})

    response = staff_client.post(url, data)

    assert response.status_code == 302  # Django's inline formset skips a row that is not this booth's
    foreign.refresh_from_db()
    assert (foreign.booth_id, foreign.label) == (booth_b.pk, "")
    assert list(Table.objects.filter(label="Mine now")) == []


@pytest.mark.parametrize(
    "url_name",
    ["expo_buyer", "expo_expo", "expo_hall", "expo_slot", "expo_exchangerate", "expo_exhibitorstaff"],
)
def test_staff_cannot_open_organiser_pages(staff_client, url_name):
    assert staff_client.get(reverse(f"admin:{url_name}_changelist")).status_code == 403


def test_staff_cannot_open_users_or_groups(staff_client, staff_a):
    assert staff_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:accounts_user_change", args=[staff_a.pk])).status_code == 403
    assert staff_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_staff_cannot_open_buyer_record_even_by_id(staff_client, expo):
    buyer = BuyerFactory(expo=expo)

    assert staff_client.get(reverse("admin:expo_buyer_change", args=[buyer.pk])).status_code == 403


def test_staff_index_lists_only_own_company_pages(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert response.status_code == 200
    apps = {
        app["app_label"]: [m["object_name"] for m in app["models"]] for app in response.context["app_list"]
    }
    assert apps["expo"] == [
        "ExhibitorDay",
        "Booth",
        "ExhibitorMeetingSettings",
        "Exhibitor",
        "Deal",
        "MeetingFeedback",
        "Meeting",
        "SampleRequest",
    ]  # by verbose name; fmt: skip
    assert {"accounts", "auth", "authtoken"} & set(apps) == set()
    assert reverse("admin:expo_import") not in response.content.decode()


def test_staff_cannot_open_import_page(staff_client):
    assert staff_client.get(reverse("admin:expo_import")).status_code == 403


def test_staff_without_company_sees_nothing(client, company_a):
    user = UserFactory()
    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)  # no ExhibitorStaff link yet
    client.force_login(user)

    response = client.get(reverse("admin:expo_exhibitor_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_staff_link_is_ignored_once_the_role_is_gone(client, company_a, staff_a):
    user_set_role(user=staff_a, role=Role.BUYER)
    client.force_login(staff_a)

    response = client.get(reverse("admin:expo_exhibitor_changelist"))

    assert response.status_code == 302  # not staff any more: back to the admin login


# --- Autocomplete leakage ------------------------------------------------------------------------


def _autocomplete(client, **params):
    return client.get(reverse("admin:autocomplete"), params)


def test_staff_autocomplete_of_exhibitors_returns_only_own(staff_client, company_a, company_b):
    response = _autocomplete(
        staff_client, app_label="expo", model_name="booth", field_name="exhibitor", term=""
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(company_a.pk)]


def test_staff_autocomplete_search_does_not_find_other_company(staff_client, company_b):
    response = _autocomplete(
        staff_client, app_label="expo", model_name="booth", field_name="exhibitor", term="贝塔"
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_staff_autocomplete_of_booths_returns_only_own(staff_client, booth_a, booth_b):
    response = _autocomplete(staff_client, app_label="expo", model_name="table", field_name="booth", term="")

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(booth_a.pk)]


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [("buyer", "user"), ("booth", "hall"), ("exhibitorstaff", "user"), ("hall", "expo")],
)
def test_staff_autocomplete_of_organiser_models_is_refused(staff_client, model_name, field_name):
    response = _autocomplete(staff_client, app_label="expo", model_name=model_name, field_name=field_name)

    assert response.status_code == 403


def test_facet_autocomplete_returns_only_terms_of_the_field_kind(staff_client):
    response = _autocomplete(
        staff_client, app_label="expo", model_name="exhibitor", field_name="certifications", term="o"
    )

    assert response.status_code == 200
    ids = [int(r["id"]) for r in response.json()["results"]]
    assert ids
    assert set(Term.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"certification"}


# --- Organisers ----------------------------------------------------------------------------------


def test_organiser_sees_every_exhibitor_with_chinese_names(organiser_client, company_a, company_b, booth_a):
    response = organiser_client.get(reverse("admin:expo_exhibitor_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [company_a, company_b]
    body = response.content.decode()
    assert "阿尔法织造" in body
    assert "贝塔印染" in body
    assert "4A A101" in body


def test_organiser_edits_external_id_but_not_expo_and_sees_staff(organiser_client, expo, company_a, staff_a):
    other_expo = ExpoFactory()
    url = reverse("admin:expo_exhibitor_change", args=[company_a.pk])
    page = organiser_client.get(url)
    assert staff_a.email in page.content.decode()
    data = _exhibitor_form(
        company_a,
        expo=other_expo.pk,
        external_id="EX-NEW",
        **{"staff-TOTAL_FORMS": 1, "staff-INITIAL_FORMS": 1, "staff-0-id": staff_a.exhibitor_staff.pk},
    )
    data["staff-0-exhibitor"] = company_a.pk

    response = organiser_client.post(url, data)

    assert response.status_code == 302
    company_a.refresh_from_db()
    assert (company_a.expo_id, company_a.external_id) == (expo.pk, "EX-NEW")


def test_non_superuser_organiser_manages_everything_through_the_group(client, company_b):
    user = UserFactory()
    user_set_role(user=user, role=Role.ORGANISER)
    client.force_login(user)

    assert client.get(reverse("admin:expo_exhibitor_change", args=[company_b.pk])).status_code == 200
    assert client.get(reverse("admin:expo_buyer_changelist")).status_code == 200
    assert client.get(reverse("admin:expo_expo_add")).status_code == 200
    assert client.get(reverse("admin:expo_import")).status_code == 200


def test_organiser_opens_every_admin_page(organiser_client, expo, booth_a, staff_a):
    BuyerFactory(expo=expo)
    ExchangeRateFactory(expo=expo)
    objects = {
        "expo": expo,
        "hall": booth_a.hall,
        "booth": booth_a,
        "exhibitor": booth_a.exhibitor,
        "buyer": expo.buyers.get(),
        "exchangerate": expo.exchange_rates.get(),
        "slot": expo.slots.first(),
        "term": term("fabric", "chiffon"),
        "exhibitorstaff": ExhibitorStaff.objects.get(user=staff_a),
    }
    for model, obj in objects.items():
        assert organiser_client.get(reverse(f"admin:expo_{model}_changelist")).status_code == 200, model
        assert (
            organiser_client.get(reverse(f"admin:expo_{model}_change", args=[obj.pk])).status_code == 200
        ), model
        if model != "slot":
            assert organiser_client.get(reverse(f"admin:expo_{model}_add")).status_code == 200, model
    assert organiser_client.get(reverse("admin:accounts_user_change", args=[staff_a.pk])).status_code == 200
    assert organiser_client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_organiser_exhibitor_filters_by_facet(organiser_client, company_a, company_b):
    chiffon = term("fabric", "chiffon")
    company_b.fabrics.add(chiffon)

    response = organiser_client.get(
        reverse("admin:expo_exhibitor_changelist"), {"fabrics__id__exact": chiffon.pk}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [company_b]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _rows(expo, hall, count: int) -> None:
    for _ in range(count):
        booth = BoothFactory(expo=expo, hall=hall)
        _staff_of(booth.exhibitor)
        BuyerFactory(expo=expo)


@pytest.mark.parametrize(
    "model", ["exhibitor", "booth", "buyer", "hall", "exchangerate", "exhibitorstaff", "expo", "slot"]
)
def test_organiser_changelist_query_count_does_not_grow_with_rows(organiser_client, expo, hall, model):
    url = reverse(f"admin:expo_{model}_changelist")
    _rows(expo, hall, 1)
    ExchangeRateFactory(expo=expo, currency="USD")
    organiser_client.get(url)  # warm the session and the content-type cache
    one = _queries(organiser_client, url)

    _rows(expo, hall, 2)
    ExchangeRateFactory(expo=ExpoFactory(), currency="EUR")
    ExchangeRateFactory(expo=ExpoFactory(), currency="JPY")

    assert _queries(organiser_client, url) == one


@pytest.mark.parametrize("count", [1, 3])
def test_exhibitor_changelist_query_count(organiser_client, expo, hall, count, django_assert_num_queries):
    for _ in range(count):
        BoothFactory(expo=expo, hall=hall)
    organiser_client.get(reverse("admin:expo_exhibitor_changelist"))  # warm the session and caches

    # Session, user, one count (no "N total"), each list filter's choices (the province's are data,
    # no query), the page, its prefetched booths: none per row.
    with django_assert_num_queries(13):
        response = organiser_client.get(reverse("admin:expo_exhibitor_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_buyer_changelist_query_count(organiser_client, expo, count, django_assert_num_queries):
    for _ in range(count):
        BuyerFactory(expo=expo, country="DE")
    organiser_client.get(reverse("admin:expo_buyer_changelist"))  # warm the session and caches

    # Session, user, the expo filter, the five facet filters' terms, one count, the page with its
    # users and expos joined, the country filter's countries.
    with django_assert_num_queries(11):
        response = organiser_client.get(reverse("admin:expo_buyer_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_user_changelist_query_count(organiser_client, organiser, count, django_assert_num_queries):
    for _ in range(count - 1):
        UserFactory()
    organiser_client.get(reverse("admin:accounts_user_changelist"))  # warm the session and caches

    # Session, user, the groups filter, one count, the page.
    with django_assert_num_queries(5):
        response = organiser_client.get(reverse("admin:accounts_user_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize(
    ("language", "germany", "china"), [("en", "Germany", "China"), ("zh-hans", "德国", "中国")]
)
def test_organiser_lists_show_country_names_in_the_admin_language(
    organiser_client, expo, language, germany, china
):
    BuyerFactory(expo=expo, company="Nordic Apparel", country="DE")
    ExhibitorFactory(expo=expo, name_en="Wujiang Silk", country="CN")
    organiser_client.cookies["django_language"] = language

    buyers = organiser_client.get(reverse("admin:expo_buyer_changelist"))
    exhibitors = organiser_client.get(reverse("admin:expo_exhibitor_changelist"))

    assert [_cells(row) for row in buyers.context["results"]][0][3] == germany
    assert [_cells(row) for row in exhibitors.context["results"]][0][4] == china


def _cells(row) -> list[str]:
    """The texts of one admin result row's cells (checkbox first), without their markup."""
    return [strip_tags(str(cell)).strip() for cell in row]


def test_staff_booth_changelist_query_count_does_not_grow_with_booths(staff_client, company_a, expo, hall):
    url = reverse("admin:expo_booth_changelist")
    one = _queries(staff_client, url)
    BoothFactory(expo=expo, hall=hall, exhibitor=company_a)
    BoothFactory(expo=expo, hall=hall, exhibitor=company_a)

    assert _queries(staff_client, url) == one


def test_organiser_expo_add_creates_slot_grid_and_inline_halls(organiser_client):
    data = {
        "slug": "shengze-2027",
        "name": "Shengze Textile Expo 2027",
        "name_zh": "盛泽纺织博览会",
        "edition": "",
        "venue": "",
        "venue_zh": "盛泽会展中心",
        "start_date": "2027-04-12",
        "days": 2,
        "opening_time": "09:00",
        "closing_time": "10:00",
        "slot_minutes": 20,
        "time_zone": "Asia/Shanghai",
        "unverified_request_limit": 3,
        "make_current": "on",
        "halls-TOTAL_FORMS": 1,
        "halls-INITIAL_FORMS": 0,
        "halls-0-code": "1A",
        "halls-0-name_en": "Hall 1A",
        "halls-0-name_zh": "1A馆",
        "exchange_rates-TOTAL_FORMS": 1,
        "exchange_rates-INITIAL_FORMS": 0,
        "exchange_rates-0-currency": "USD",
        "exchange_rates-0-rate_to_cny": "7.1",
    }

    response = organiser_client.post(reverse("admin:expo_expo_add"), data)

    assert response.status_code == 302
    expo = Expo.objects.get(slug="shengze-2027")
    assert expo.is_current
    assert (expo.venue_zh, expo.unverified_request_limit) == ("盛泽会展中心", 3)
    assert Slot.objects.filter(expo=expo).count() == 6  # 2 days × 3 slots of 20 minutes
    assert list(expo.halls.values_list("code", flat=True)) == ["1A"]
    assert list(expo.exchange_rates.values_list("currency", flat=True)) == ["USD"]
    assert LogEntry.objects.filter(object_id=str(expo.pk)).count() == 1


def test_organiser_expo_change_of_hours_regenerates_slots(organiser_client, expo):
    url = reverse("admin:expo_expo_change", args=[expo.pk])
    form = organiser_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data.update(
        start_date="2027-04-12",
        opening_time="09:00",
        closing_time="10:00",
        days=1,
        **{
            "halls-TOTAL_FORMS": 0,
            "halls-INITIAL_FORMS": 0,
            "exchange_rates-TOTAL_FORMS": 0,
            "exchange_rates-INITIAL_FORMS": 0,
        },
    )

    response = organiser_client.post(url, data)

    assert response.status_code == 302
    assert Slot.objects.filter(expo=expo).count() == 3


def test_organiser_actions_make_current_and_regenerate_slots(organiser_client, expo):
    other = ExpoFactory()
    url = reverse("admin:expo_expo_changelist")

    response = organiser_client.post(url, {"action": "make_current", "_selected_action": [other.pk]})
    assert response.status_code == 302
    assert list(Expo.objects.filter(is_current=True)) == [other]

    response = organiser_client.post(url, {"action": "regenerate_slots", "_selected_action": [other.pk]})
    assert response.status_code == 302
    assert Slot.objects.filter(expo=other).count() == 3 * 24  # 3 days, 09:00–17:00, 20 minutes


def test_slots_are_read_only_even_for_organisers(organiser_client, expo):
    slot = Slot.objects.filter(expo=expo).first() or Slot.objects.create(
        expo=expo, start="2027-04-12T01:00:00Z", end="2027-04-12T01:20:00Z"
    )

    assert organiser_client.get(reverse("admin:expo_slot_changelist")).status_code == 200
    assert organiser_client.get(reverse("admin:expo_slot_add")).status_code == 403
    assert organiser_client.post(reverse("admin:expo_slot_delete", args=[slot.pk])).status_code == 403


def test_regenerating_slots_held_by_meetings_keeps_the_grid_and_says_why(organiser_client, expo, holder):
    first = expo.slots.order_by("start").first()
    holder.objects.create(id=1, slot=first)
    Expo.objects.filter(pk=expo.pk).update(opening_time=datetime.time(10, 0))  # the 09:00 slots no longer fit
    before = set(expo.slots.values_list("pk", flat=True))

    response = organiser_client.post(
        reverse("admin:expo_expo_changelist"),
        {"action": "regenerate_slots", "_selected_action": [expo.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        (
            "error",
            f"{expo.name}: This change would remove 1 meeting slot that is in use (2027-04-12 09:00–09:20); "
            "keep it in the grid or free it first.",
        )
    ]
    assert set(expo.slots.values_list("pk", flat=True)) == before


def test_organiser_booth_add_creates_tables(organiser_client, expo, hall, company_a):
    data = {
        "expo": expo.pk,
        "hall": hall.pk,
        "code": "C303",
        "exhibitor": company_a.pk,
        "tables": 3,
        "table_set-TOTAL_FORMS": 0,
        "table_set-INITIAL_FORMS": 0,
    }

    response = organiser_client.post(reverse("admin:expo_booth_add"), data)

    assert response.status_code == 302
    booth = Booth.objects.get(code="C303")
    assert list(Table.objects.filter(booth=booth).values_list("number", flat=True)) == [1, 2, 3]


def test_organiser_buyer_actions_mark_verified_and_unverified(organiser_client, expo):
    buyers = [BuyerFactory(expo=expo), BuyerFactory(expo=expo)]
    url = reverse("admin:expo_buyer_changelist")
    ids = [b.pk for b in buyers]

    response = organiser_client.post(url, {"action": "mark_verified", "_selected_action": ids}, follow=True)
    assert [m.message for m in response.context["messages"]] == ["2 buyers marked verified."]
    assert [b.verified for b in type(buyers[0]).objects.order_by("pk")] == [True, True]

    response = organiser_client.post(
        url, {"action": "mark_unverified", "_selected_action": ids[:1]}, follow=True
    )
    assert [m.message for m in response.context["messages"]] == ["1 buyer marked not verified."]
    assert [b.verified for b in type(buyers[0]).objects.order_by("pk")] == [False, True]


def test_organiser_adds_exhibitor_staff_by_email(organiser_client, company_b):
    response = organiser_client.post(
        reverse("admin:expo_exhibitorstaff_add"),
        {"exhibitor": company_b.pk, "email": "Sales@Beta.example", "name": "Li Na"},
    )

    assert response.status_code == 302
    link = ExhibitorStaff.objects.select_related("user").get(exhibitor=company_b)
    user = link.user
    assert (user.email, user.name, user.role, user.is_staff) == (
        "Sales@beta.example",
        "Li Na",
        Role.EXHIBITOR_STAFF,
        True,
    )
    assert list(user.groups.values_list("name", flat=True)) == ["Exhibitor staff"]
    assert not user.has_usable_password()


def test_organiser_cannot_add_staff_already_working_elsewhere(
    organiser_client, company_a, company_b, staff_a
):
    response = organiser_client.post(
        reverse("admin:expo_exhibitorstaff_add"), {"exhibitor": company_b.pk, "email": staff_a.email}
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert ExhibitorStaff.objects.get(user=staff_a).exhibitor == company_a


def test_organiser_deleting_staff_link_removes_admin_access(organiser_client, staff_a):
    link = ExhibitorStaff.objects.get(user=staff_a)

    response = organiser_client.post(
        reverse("admin:expo_exhibitorstaff_delete", args=[link.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert (staff_a.role, staff_a.is_staff, staff_a.groups.count()) == (Role.BUYER, False, 0)


def test_exhibitor_staff_factory_link_scopes_like_the_service(client, company_b):
    user = ExhibitorStaffFactory(exhibitor=company_b).user
    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)
    client.force_login(user)

    response = client.get(reverse("admin:expo_exhibitor_changelist"))

    assert list(response.context["cl"].result_list) == [company_b]


# --- Language ------------------------------------------------------------------------------------


def test_admin_renders_in_simplified_chinese(organiser_client, company_a):
    # The saved language, not the browser's, decides.
    get_user_model().objects.update(preferred_language="zh-hans")
    response = organiser_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "站点管理" in response.content.decode()


def test_exhibitor_changelist_renders_in_simplified_chinese(staff_client, company_a):
    get_user_model().objects.update(preferred_language="zh-hans")
    response = staff_client.get(reverse("admin:expo_exhibitor_changelist"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.content.decode()
    assert "阿尔法织造" in body
    assert "注销" in body  # Django's own "Log out"


def test_admin_language_switch_sets_the_language(organiser_client):
    page = organiser_client.get(reverse("admin:index")).content.decode()
    assert 'action="/i18n/setlang/"' in page

    response = organiser_client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": reverse("admin:index")}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert "站点管理" in organiser_client.get(reverse("admin:index")).content.decode()


# --- Import page ---------------------------------------------------------------------------------

EXHIBITORS_CSV = (
    "external_id,company_name,company_name_zh,country,hall,booth,tables,fabrics,moq_m\n"
    "EX-1,Wujiang Silk Weaving,吴江丝绸织造,CN,1,1A01,2,chiffon; satin,1000\n"
    "EX-2,Shengze Dyeing,盛泽印染,CN,1,1A02,1,雪纺,500\n"
)


def _upload(name: str, text: str):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_page_form_defaults_to_the_current_expo(organiser_client, expo):
    response = organiser_client.get(reverse("admin:expo_import"), {"kind": "buyers"})

    assert response.status_code == 200
    form = response.context["form"]
    assert (form.initial["expo"], form.initial["kind"]) == (expo, "buyers")


def test_import_page_imports_exhibitors_from_csv(organiser_client, expo):
    response = organiser_client.post(
        reverse("admin:expo_import"),
        {"expo": expo.pk, "kind": "exhibitors", "file": _upload("exhibitors.csv", EXHIBITORS_CSV)},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("admin:expo_exhibitor_changelist"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Imported 2 rows: 2 created, 0 updated."]
    silk = Exhibitor.objects.get(expo=expo, external_id="EX-1")
    assert (silk.name_zh, silk.moq_m) == ("吴江丝绸织造", 1000)
    assert sorted(silk.fabrics.values_list("slug", flat=True)) == ["chiffon", "satin"]
    assert list(Booth.objects.filter(exhibitor=silk).values_list("code", "tables")) == [("1A01", 2)]


def test_import_page_imports_buyers_from_xlsx(organiser_client, expo):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "email", "name", "company", "country", "certifications_required"])
    sheet.append(["B-9", "li@brand.example", "Li Wei", "上海服饰", "CN", "OEKO-TEX Standard 100"])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("buyers.xlsx", content.getvalue())

    response = organiser_client.post(
        reverse("admin:expo_import"), {"expo": expo.pk, "kind": "buyers", "file": upload}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Imported 1 row: 1 created, 0 updated."]
    buyer = expo.buyers.get(external_id="B-9")
    assert (buyer.company, list(buyer.certifications_required.values_list("slug", flat=True))) == (
        "上海服饰",
        ["oeko-tex-100"],
    )


def test_import_page_check_only_writes_nothing(organiser_client, expo):
    response = organiser_client.post(
        reverse("admin:expo_import"),
        {"expo": expo.pk, "kind": "exhibitors", "dry_run": "on", "file": _upload("e.csv", EXHIBITORS_CSV)},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The file is valid: 2 rows, 2 would be created, 0 updated."
    ]
    assert Exhibitor.objects.filter(expo=expo).count() == 0


def test_import_page_lists_every_error_and_writes_nothing(organiser_client, expo):
    bad = (
        "external_id,company_name,fabrics,moq_m\n"
        "EX-1,Good Mill,chiffon,1000\n"
        "EX-2,,chiffon,-5\n"
        "EX-3,Odd Mill,no-such-fabric,100\n"
    )

    response = organiser_client.post(
        reverse("admin:expo_import"), {"expo": expo.pk, "kind": "exhibitors", "file": _upload("bad.csv", bad)}
    )

    assert response.status_code == 400
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert errors == [(3, "company_name"), (3, "moq_m"), (4, "fabrics")]
    body = response.content.decode()
    assert 'id="import-errors"' in body
    assert "no-such-fabric" in body
    assert Exhibitor.objects.filter(expo=expo).count() == 0


def test_import_page_imports_buyers(organiser_client, expo):
    text = (
        "external_id,email,name,company,country,fabrics\n"
        "B-1,anna@brand.example,Anna Schmidt,Brand GmbH,DE,chiffon\n"
    )

    response = organiser_client.post(
        reverse("admin:expo_import"), {"expo": expo.pk, "kind": "buyers", "file": _upload("buyers.csv", text)}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:expo_buyer_changelist")
    buyer = expo.buyers.get(external_id="B-1")
    assert (buyer.user.email, buyer.company) == ("anna@brand.example", "Brand GmbH")


def test_import_page_refuses_other_file_types(organiser_client, expo):
    response = organiser_client.post(
        reverse("admin:expo_import"),
        {"expo": expo.pk, "kind": "exhibitors", "file": _upload("exhibitors.txt", EXHIBITORS_CSV)},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["file"]
    assert Exhibitor.objects.count() == 0


def test_import_page_refuses_staff_posts(staff_client, expo):
    response = staff_client.post(
        reverse("admin:expo_import"),
        {"expo": expo.pk, "kind": "exhibitors", "file": _upload("e.csv", EXHIBITORS_CSV)},
    )

    assert response.status_code == 403
    assert not Exhibitor.objects.filter(external_id="EX-1").exists()


def test_import_links_on_index_and_changelists_for_organisers(organiser_client):
    link = reverse("admin:expo_import")

    assert link in organiser_client.get(reverse("admin:index")).content.decode()
    assert (
        f"{link}?kind=exhibitors"
        in organiser_client.get(reverse("admin:expo_exhibitor_changelist")).content.decode()
    )
    assert (
        f"{link}?kind=buyers" in organiser_client.get(reverse("admin:expo_buyer_changelist")).content.decode()
    )


def test_import_page_lists_the_columns_in_english_and_chinese(organiser_client):
    response = organiser_client.get(reverse("admin:expo_import"))

    columns = response.context["columns"]
    assert [c["name"] for c in columns["exhibitors"]] == list(EXHIBITOR_COLUMNS)
    assert [c["name"] for c in columns["buyers"]] == list(BUYER_COLUMNS)
    assert columns["exhibitors"][:2] == [
        {"name": "external_id", "chinese": "编号", "required": True},
        {"name": "company_name", "chinese": "公司名称", "required": True},
    ]
    assert [c["name"] for c in columns["buyers"] if c["required"]] == ["external_id", "email"]
    body = response.content.decode()
    assert '<td><code lang="en">booth</code></td>\n          <td lang="zh-Hans">展位号</td>' in body
    assert f'href="{reverse("admin:expo_import_template", args=["buyers", "xlsx"])}?headers=zh"' in body


@pytest.mark.parametrize("kind", ["exhibitors", "buyers"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("headers", ["en", "zh"])
def test_import_templates_download_and_import_as_they_are(organiser_client, expo, kind, file_format, headers):
    url = reverse("admin:expo_import_template", args=[kind, file_format])

    response = organiser_client.get(url, {"headers": headers})

    assert response.status_code == 200
    assert response["Content-Type"] == TEMPLATE_FORMATS[file_format]
    suffix = "-zh" if headers == "zh" else ""
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="shuttle-{kind}-template{suffix}.{file_format}"'
    )
    columns = EXHIBITOR_COLUMNS if kind == "exhibitors" else BUYER_COLUMNS
    if file_format == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")  # so Excel reads the Chinese as UTF-8
        header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        header = [cell.value for cell in sheet[1]]
    assert header == [COLUMN_NAMES[c][0] if headers == "zh" else c for c in columns]
    importer = exhibitors_import if kind == "exhibitors" else buyers_import
    filename = f"template.{file_format}"
    assert importer(expo=expo, file=io.BytesIO(response.content), filename=filename) == ImportResult(1, 1, 0)


def test_imported_templates_hold_their_example_rows(organiser_client, expo):
    for kind in ("exhibitors", "buyers"):
        content = organiser_client.get(reverse("admin:expo_import_template", args=[kind, "xlsx"])).content
        (exhibitors_import if kind == "exhibitors" else buyers_import)(
            expo=expo, file=io.BytesIO(content), filename="t.xlsx"
        )

    mill = Exhibitor.objects.get(expo=expo)
    assert (mill.external_id, mill.name_zh, mill.moq_m, mill.price_min_cny) == (
        "EX001",
        "吴江丝绸织造有限公司",
        1000,
        Decimal("8.50"),
    )
    assert sorted(mill.fabrics.values_list("slug", flat=True)) == ["chiffon", "satin"]
    anna = expo.buyers.get()
    assert (anna.user.email, anna.country.code, anna.price_max_cny, anna.verified) == (
        "anna@nordic-apparel.example",
        "DE",
        Decimal("14.00"),
        True,
    )
    assert sorted(anna.fibres.values_list("slug", flat=True)) == ["recycled-polyester"]


def test_import_templates_are_refused_to_staff(staff_client):
    response = staff_client.get(reverse("admin:expo_import_template", args=["exhibitors", "csv"]))

    assert response.status_code == 403


def test_import_templates_of_unknown_kinds_or_formats_are_not_found(organiser_client):
    unknown = organiser_client.get(reverse("admin:expo_import_template", args=["halls", "csv"]))
    odd_format = organiser_client.get(reverse("admin:expo_import_template", args=["buyers", "ods"]))

    assert (unknown.status_code, odd_format.status_code) == (404, 404)
