"""One deal per meeting under concurrency, on PostgreSQL, through the real API: the buyer and the
exhibitor's staff log a deal for the same meeting at the same moment, each client on its own
connection. Exactly one is created; every other gets a 409 naming the deal to change instead,
none a 500; the database holds one deal and one history row."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from expo.models import Deal, DealChange
from expo.services.money import exchange_rate_set
from tests.factories.accounts import OrganiserFactory
from tests.factories.meetings import buyer_at, exhibitor_with_tables, meeting_between

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAFF = 4
BUYER_THREADS = 4


def _race(requests: list[tuple]) -> list[tuple[int, dict]]:
    """POST every (user, body) to deals/ at once, each from its own thread and connection."""
    tokens = [Token.objects.get_or_create(user=user)[0].key for user, _ in requests]
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, dict] | None] = [None] * len(requests)

    def run(i: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i]}")
        try:
            barrier.wait()
            response = client.post("/api/v1/deals/", requests[i][1], format="json")
            results[i] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_buyer_and_staff_racing_to_log_a_deal_for_one_meeting_make_exactly_one(restore_shipped_data, expo):
    exchange_rate_set(expo=expo, currency="USD", rate_to_cny=Decimal("7.1"))
    exhibitor = exhibitor_with_tables(expo=expo, staff=STAFF)
    buyer = buyer_at(expo)
    meeting = meeting_between(buyer, exhibitor, status="checked_in")
    staff = [s.user for s in exhibitor.staff.select_related("user").order_by("pk")]
    body = {"meeting": meeting.pk, "amount": "12500.00", "currency": "USD", "category": "satin"}
    requests = [(buyer.user, body)] * BUYER_THREADS + [(user, body) for user in staff]
    requests.append((OrganiserFactory(), body))

    results = _race(requests)

    codes = sorted(code for code, _body in results)
    assert codes == [201] + [409] * (len(requests) - 1)
    deal = Deal.objects.get()
    assert (deal.meeting_id, deal.buyer_id, deal.exhibitor_id, deal.amount_cny) == (
        meeting.pk,
        buyer.pk,
        exhibitor.pk,
        "88750.00",
    )
    message = f"This meeting already holds deal {deal.pk}; change that deal instead (PATCH deals/{deal.pk}/)."
    assert [body for code, body in results if code == 409] == [{"detail": message}] * (len(requests) - 1)
    assert DealChange.objects.filter(deal=deal).count() == 1
