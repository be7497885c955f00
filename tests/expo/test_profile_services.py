"""exhibitor_update, buyer_update, buyers_verify, exhibitors_delete, staff_member_move: the services
the admin saves through, each sending the profile signal itself (once) and naming bad fields."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from expo.models import Booth, Buyer, Exhibitor
from expo.services.profiles import (
    buyer_update,
    buyers_verify,
    exhibitor_update,
    exhibitors_delete,
    staff_member_add,
    staff_member_move,
)
from expo.signals import buyer_profile_changed, exhibitor_profile_changed
from tests.factories.expo import BoothFactory, BuyerFactory, ExhibitorFactory, ExpoFactory, term

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """The (signal name, pk) pairs the profile signals carried during the test."""
    received = []

    def on_exhibitor(sender, exhibitor, **kwargs):
        received.append(("exhibitor", exhibitor.pk))

    def on_buyer(sender, buyer, **kwargs):
        received.append(("buyer", buyer.pk))

    exhibitor_profile_changed.connect(on_exhibitor)
    buyer_profile_changed.connect(on_buyer)
    yield received
    exhibitor_profile_changed.disconnect(on_exhibitor)
    buyer_profile_changed.disconnect(on_buyer)


def test_exhibitor_update_saves_fields_and_facets_and_signals_once(exhibitor, sent):
    satin = term("fabric", "satin")

    exhibitor_update(exhibitor=exhibitor, data={"name_en": " Alpha Mill ", "moq_m": 800, "fabrics": [satin]})

    exhibitor.refresh_from_db()
    assert (exhibitor.name_en, exhibitor.moq_m) == ("Alpha Mill", 800)
    assert list(exhibitor.fabrics.all()) == [satin]
    assert sent == [("exhibitor", exhibitor.pk)]


def test_exhibitor_update_names_each_bad_field_and_writes_nothing(exhibitor, sent):
    dyeing = term("process", "dyeing")
    name = exhibitor.name_en

    with pytest.raises(ValidationError) as excinfo:
        exhibitor_update(
            exhibitor=exhibitor,
            data={"moq_m": 0, "fabrics": [dyeing], "contact_email": "not-an-address", "name_en": "New"},
        )

    assert set(excinfo.value.message_dict) == {"moq_m", "fabrics", "contact_email"}
    fresh = Exhibitor.objects.get(pk=exhibitor.pk)
    assert (fresh.name_en, fresh.moq_m) == (name, 1000)
    assert fresh.fabrics.count() == 0
    assert sent == []


def test_exhibitor_update_keeps_expo_and_import_key_for_organisers(exhibitor):
    with pytest.raises(ValueError, match="external_id"):
        exhibitor_update(exhibitor=exhibitor, data={"external_id": "STOLEN"})
    with pytest.raises(ValidationError) as excinfo:
        exhibitor_update(exhibitor=exhibitor, data={"expo": ExpoFactory()}, organiser=True)
    assert excinfo.value.message_dict == {"expo": ["A profile stays at its expo."]}

    exhibitor_update(exhibitor=exhibitor, data={"external_id": "EX-9"}, organiser=True)
    assert Exhibitor.objects.get(pk=exhibitor.pk).external_id == "EX-9"


def test_exhibitors_delete_keeps_booths_and_signals_each(expo, sent):
    booth = BoothFactory(expo=expo)
    other = ExhibitorFactory(expo=expo)
    gone = booth.exhibitor.pk

    assert exhibitors_delete(exhibitors=Exhibitor.objects.filter(pk__in=[gone, other.pk])) == 2

    assert Exhibitor.objects.filter(expo=expo).count() == 0
    assert Booth.objects.get(pk=booth.pk).exhibitor_id is None
    assert sorted(sent) == sorted([("exhibitor", gone), ("exhibitor", other.pk)])


def test_buyer_update_sets_organiser_fields_and_signals_once(expo, sent):
    buyer = BuyerFactory(expo=expo)

    buyer_update(
        buyer=buyer, data={"verified": True, "external_id": " B-1 ", "price_min_cny": Decimal("9.50")}
    )

    fresh = Buyer.objects.get(pk=buyer.pk)
    assert (fresh.verified, fresh.external_id, fresh.price_min_cny) == (True, "B-1", Decimal("9.50"))
    assert sent == [("buyer", buyer.pk)]


def test_buyer_update_names_each_bad_field_and_writes_nothing(expo, sent):
    buyer = BuyerFactory(expo=expo, company="Brand")
    taken = BuyerFactory(expo=expo)

    with pytest.raises(ValidationError) as excinfo:
        buyer_update(
            buyer=buyer, data={"order_quantity_m": 0, "external_id": taken.external_id, "company": "X"}
        )

    assert set(excinfo.value.message_dict) == {"order_quantity_m", "__all__"}
    assert Buyer.objects.get(pk=buyer.pk).company == "Brand"
    assert sent == []


def test_buyers_verify_changes_only_those_that_differ(expo):
    buyers = [BuyerFactory(expo=expo), BuyerFactory(expo=expo, verified=True), BuyerFactory(expo=expo)]
    selected = Buyer.objects.filter(pk__in=[b.pk for b in buyers[:2]])

    assert buyers_verify(buyers=selected) == 1
    assert list(Buyer.objects.order_by("pk").values_list("verified", flat=True)) == [True, True, False]
    assert buyers_verify(buyers=selected, verified=False) == 2
    assert list(Buyer.objects.order_by("pk").values_list("verified", flat=True)) == [False, False, False]


def test_staff_member_move_changes_the_company(expo, exhibitor):
    link = staff_member_add(exhibitor=exhibitor, email="chen@mill.example")
    other = ExhibitorFactory(expo=expo)

    staff_member_move(staff=link, exhibitor=other)

    assert type(link).objects.get(pk=link.pk).exhibitor_id == other.pk


def test_admin_buyer_save_goes_through_the_service_and_signals_once(client, organiser, expo, sent):
    buyer = BuyerFactory(expo=expo, company="Old Brand")
    client.force_login(organiser)
    url = reverse("admin:expo_buyer_change", args=[buyer.pk])
    data = {
        "user": buyer.user_id,
        "external_id": buyer.external_id,
        "company": "New Brand",
        "country": "DE",
        "verified": "on",
        "order_quantity_m": 5000,
        "price_min_cny": "9.00",
        "price_max_cny": "14.00",
        "lead_time_days": 30,
    }

    response = client.post(url, data)

    assert response.status_code == 302
    fresh = Buyer.objects.get(pk=buyer.pk)
    assert (fresh.company, fresh.verified) == ("New Brand", True)
    assert sent == [("buyer", buyer.pk)]


def test_a_partial_save_still_checks_every_rule_that_reads_a_changed_field(expo, sent):
    """Untouched fields are not checked again, except those a constraint reads with a changed one."""
    from expo.services.profiles import buyer_profile_update

    buyer = BuyerFactory(expo=expo, price_min_cny=Decimal("9.00"), price_max_cny=Decimal("10.00"))
    taken = BuyerFactory(expo=expo, external_id="B-TAKEN")

    with pytest.raises(ValidationError) as price:
        buyer_profile_update(buyer=buyer, data={"price_min_cny": Decimal("12.00")})
    with pytest.raises(ValidationError) as external_id:
        buyer_update(buyer=Buyer.objects.get(pk=buyer.pk), data={"external_id": taken.external_id})

    assert price.value.message_dict == {
        "price_max_cny": ["The maximum price cannot be below the minimum price."]
    }
    assert external_id.value.message_dict == {
        "__all__": ["This expo already has a buyer with this external ID."]
    }
    assert Buyer.objects.get(pk=buyer.pk).price_min_cny == Decimal("9.00")
    assert sent == []
