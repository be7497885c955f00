from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Deal, DealChange, ExchangeRate, ExchangeRateChange, ExhibitorStaff
from expo.services.money import exchange_rate_set
from tests.factories.accounts import UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, deal, term

pytestmark = pytest.mark.django_db


def _staff_of(exhibitor):
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=exhibitor)
    return user_set_role(user=user, role=Role.EXHIBITOR_STAFF)


@pytest.fixture
def setup(expo):
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.2"))
    company_a, company_b = (
        ExhibitorFactory(expo=expo, name_en="Alpha"),
        ExhibitorFactory(expo=expo, name_en="Beta"),
    )
    buyer = BuyerFactory(expo=expo, company="Lyon Couture")
    return {
        "a": company_a,
        "b": company_b,
        "buyer": buyer,
        "deal_a": deal(buyer=buyer, exhibitor=company_a, amount="100.00", currency="USD"),
        "deal_b": deal(buyer=buyer, exhibitor=company_b, amount="200.00"),
    }


def _form(deal_or_none=None, **values):
    data = {
        "amount": "10.00",
        "currency": "USD",
        "quantity_m": "",
        "category": term("fabric", "satin").pk,
        "stage": "intended",
        "date": "2027-04-13",
        "note": "",
        "external_id": "",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


def test_organiser_adds_a_deal_through_the_service(client, organiser, setup, expo):
    client.force_login(organiser)
    data = _form(
        expo=expo.pk, buyer=setup["buyer"].pk, exhibitor=setup["a"].pk, amount="10.55", external_id="P-1"
    )

    response = client.post(reverse("admin:expo_deal_add"), data)

    assert response.status_code == 302
    added = Deal.objects.get(external_id="P-1")
    assert (added.rate, added.amount_cny, added.created_by) == (Decimal("7.20000000"), "75.96", organiser)
    assert added.changes.get().action == "created"


def test_organiser_add_without_rate_names_currency(client, organiser, setup, expo):
    client.force_login(organiser)
    data = _form(expo=expo.pk, buyer=setup["buyer"].pk, exhibitor=setup["a"].pk, currency="GBP")

    response = client.post(reverse("admin:expo_deal_add"), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["currency"]
    assert Deal.objects.count() == 2


def test_organiser_edit_keeps_history_shown_on_the_change_page(client, organiser, setup):
    client.force_login(organiser)
    target = setup["deal_a"]
    url = reverse("admin:expo_deal_change", args=[target.pk])
    data = _form(
        amount="100.00", currency="USD", category=target.category_id, stage="signed", date=str(target.date)
    )

    response = client.post(url, data)
    page = client.get(url)

    assert response.status_code == 302
    change = target.changes.order_by("id").last()
    assert (change.changed_by, change.before, change.after) == (
        organiser,
        {"stage": "intended"},
        {"stage": "signed"},
    )
    assert page.context["inline_admin_formsets"][0].opts.model is DealChange


def test_staff_see_only_their_companys_deals_and_no_history(client, setup):
    staff = _staff_of(setup["a"])
    client.force_login(staff)

    listing = client.get(reverse("admin:expo_deal_changelist"))
    own = client.get(reverse("admin:expo_deal_change", args=[setup["deal_a"].pk]))
    other = client.get(reverse("admin:expo_deal_change", args=[setup["deal_b"].pk]))

    assert [d.pk for d in listing.context["cl"].result_list] == [setup["deal_a"].pk]
    assert own.status_code == 200
    assert own.context["inline_admin_formsets"] == []
    assert other.status_code == 302  # "doesn't exist": another company's deal is invisible
    assert client.post(reverse("admin:expo_deal_delete", args=[setup["deal_a"].pk])).status_code == 403


def test_staff_edit_own_deal_through_the_service(client, setup):
    staff = _staff_of(setup["a"])
    client.force_login(staff)
    target = setup["deal_a"]
    data = _form(amount="150.00", currency="USD", category=target.category_id, date=str(target.date))

    response = client.post(reverse("admin:expo_deal_change", args=[target.pk]), data)

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.amount_cny, target.buyer) == ("1080.00", setup["buyer"])
    assert target.changes.order_by("id").last().changed_by == staff


def test_staff_cannot_log_deals_with_buyers_they_did_not_meet(client, setup):
    staff = _staff_of(setup["a"])
    client.force_login(staff)

    response = client.post(reverse("admin:expo_deal_add"), _form(buyer=setup["buyer"].pk))

    assert response.status_code == 200
    assert "buyer" in response.context["adminform"].form.errors
    assert Deal.objects.count() == 2


def test_rate_changes_in_the_admin_keep_history(client, organiser, expo):
    client.force_login(organiser)
    exchange_rate_set(expo=expo, currency="EUR", rate_to_cny=Decimal("7.7"))
    rate = ExchangeRate.objects.get(currency="EUR")

    response = client.post(reverse("admin:expo_exchangerate_change", args=[rate.pk]), {"rate_to_cny": "7.8"})

    assert response.status_code == 302
    assert list(
        ExchangeRateChange.objects.filter(currency="EUR").values_list("previous_rate", "rate_to_cny")
    ) == [
        (Decimal("7.70000000"), Decimal("7.80000000")),
        (None, Decimal("7.70000000")),
    ]
    assert client.get(reverse("admin:expo_exchangeratechange_changelist")).status_code == 200
