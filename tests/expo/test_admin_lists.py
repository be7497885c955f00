"""Admin lists and selects of slots, tables and buyers: their labels need another row (the expo's
time zone, the booth code, the user), which is joined, never fetched once per row."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from expo.admin import LabelledChoicesMixin
from expo.models import Slot
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, BuyerFactory, ExpoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.mark.parametrize("count", [1, 3])
def test_slot_changelist_query_count(organiser_client, count, django_assert_num_queries):
    closing = (datetime.datetime(2027, 1, 1, 9, 0) + datetime.timedelta(minutes=20 * count)).time()
    expo = ExpoFactory(days=1, opening_time=datetime.time(9, 0), closing_time=closing)
    url = reverse("admin:expo_slot_changelist")
    organiser_client.get(url)  # warm the session and the content-type cache

    # Session, user, the expo filter's choices, the count, the page with each slot's expo joined.
    with django_assert_num_queries(6):
        response = organiser_client.get(url)

    rows = response.context["cl"].result_list
    assert [str(slot) for slot in rows] == [f"2027-04-12 09:{20 * i:02d}–{_end(i)}" for i in range(count)]
    assert {slot.expo_id for slot in rows} == {expo.pk}


def _end(i: int) -> str:
    minutes = 20 * (i + 1)
    return f"{9 + minutes // 60:02d}:{minutes % 60:02d}"


@pytest.mark.parametrize("count", [1, 3])
def test_buyer_changelist_query_count(organiser_client, expo, count, django_assert_num_queries):
    buyers = [BuyerFactory(expo=expo, company="") for _ in range(count)]
    url = reverse("admin:expo_buyer_changelist")
    organiser_client.get(url)

    # Session, user, the counts, each related filter's choices, the page with users and expos joined.
    with django_assert_num_queries(11):
        response = organiser_client.get(url)

    rows = response.context["cl"].result_list
    assert [str(buyer) for buyer in rows] == [buyer.user.email for buyer in buyers]  # no company: the user


def test_labelled_choices_fetch_the_label_rows_in_one_query(holder, django_assert_num_queries):
    expo = ExpoFactory(days=1, opening_time=datetime.time(9, 0), closing_time=datetime.time(10, 0))
    booth = BoothFactory(expo=expo, tables=3, code="A101")

    class HolderAdmin(LabelledChoicesMixin, admin.ModelAdmin):
        pass

    model_admin = HolderAdmin(holder, admin.site)
    request = type("Request", (), {"user": UserFactory()})()
    slot_field = model_admin.formfield_for_foreignkey(holder._meta.get_field("slot"), request)
    table_field = model_admin.formfield_for_foreignkey(holder._meta.get_field("table"), request)

    with django_assert_num_queries(2):
        slot_labels = [label for _value, label in slot_field.choices][1:]
        table_labels = [label for _value, label in table_field.choices][1:]

    assert slot_labels == ["2027-04-12 09:00–09:20", "2027-04-12 09:20–09:40", "2027-04-12 09:40–10:00"]
    assert table_labels == ["A101 #1", "A101 #2", "A101 #3"]
    assert Slot.objects.filter(expo=expo).count() == 3
    assert booth.table_set.count() == 3
