"""Buyer feedback, existing customers and their policy, and the weights service."""

import pytest
from django.core.exceptions import ValidationError

from matching import scoring
from matching.models import MatchFeedback, MatchWeights
from matching.selectors import match_list_for_buyer
from matching.services import feedback
from tests.factories.matching import CustomerLinkFactory, CustomerPolicyFactory, buyer_with, exhibitor_with
from tests.matching.scenes import full_run

pytestmark = pytest.mark.django_db


def test_not_interested_removes_the_exhibitor_at_once_and_in_later_runs(
    expo, django_capture_on_commit_callbacks
):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    second = exhibitor_with(expo=expo, fabrics=["chiffon"])
    third = exhibitor_with(expo=expo, fabrics=["chiffon"], moq_m=None)
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    MatchWeights.objects.create(expo=expo, top_k=2)
    full_run(expo)
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [first.pk, second.pk]
    match = match_list_for_buyer(buyer=buyer).first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback.match_feedback_set(match=match, value="not_interested")
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [second.pk]  # gone at once
    for callback in callbacks:
        callback()
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [second.pk, third.pk]  # refilled
    full_run(expo)
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [second.pk, third.pk]
    assert MatchFeedback.objects.get().value == "not_interested"


def test_interested_feedback_keeps_the_list(expo):
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    match = match_list_for_buyer(buyer=buyer).get()
    feedback.match_feedback_set(match=match, value="interested")
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [exhibitor.pk]
    with pytest.raises(ValidationError) as error:
        feedback.match_feedback_set(match=match, value="maybe")
    assert list(error.value.message_dict) == ["value"]


@pytest.mark.parametrize(
    ("policy", "expected_order", "demoted"),
    [
        ("show", ["customer", "other"], False),
        ("demote", ["other", "customer"], True),
        ("hide", ["other"], False),
    ],
)
def test_existing_customer_policy(expo, policy, expected_order, demoted):
    customer = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    other = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    CustomerLinkFactory(exhibitor=customer, buyer=buyer)
    CustomerPolicyFactory(exhibitor=customer, existing_customers=policy)
    full_run(expo)
    names = {customer.pk: "customer", other.pk: "other"}
    matches = list(match_list_for_buyer(buyer=buyer))
    assert [names[m.exhibitor_id] for m in matches] == expected_order
    flagged = [
        bool(m.reason_codes & scoring.REASON_EXISTING_CUSTOMER)
        for m in matches
        if m.exhibitor_id == customer.pk
    ]
    assert flagged == ([] if policy == "hide" else [demoted])


def test_customer_policy_defaults_to_demote(expo):
    customer = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    other = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    CustomerLinkFactory(exhibitor=customer, buyer=buyer)
    full_run(expo)
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [other.pk, customer.pk]


def test_customer_link_and_policy_changes_rescore_on_commit(expo, django_capture_on_commit_callbacks):
    customer = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    with django_capture_on_commit_callbacks(execute=True):
        link = feedback.customer_link_add(exhibitor=customer, buyer=buyer)
        feedback.customer_policy_set(exhibitor=customer, existing_customers="hide")
    assert list(match_list_for_buyer(buyer=buyer)) == []
    with django_capture_on_commit_callbacks(execute=True):
        feedback.customer_link_remove(link=link)
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [customer.pk]


def test_customer_link_rejects_a_buyer_of_another_expo(expo):
    from tests.factories.expo import BuyerFactory

    customer = exhibitor_with(expo=expo, fabrics=["chiffon"])
    with pytest.raises(ValidationError) as error:
        feedback.customer_link_add(exhibitor=customer, buyer=BuyerFactory())
    assert error.value.message_dict == {"buyer": ["The buyer belongs to another expo."]}


def test_buyer_find_by_email_or_external_id(expo):
    buyer = buyer_with(expo=expo, external_id="B-77")
    assert feedback.buyer_find(expo=expo, key=buyer.user.email.upper()) == buyer
    assert feedback.buyer_find(expo=expo, key="B-77") == buyer
    with pytest.raises(ValidationError) as error:
        feedback.buyer_find(expo=expo, key="nobody@example.com")
    assert list(error.value.message_dict) == ["buyer"]


def test_weights_update_validates_and_names_the_field(expo):
    with pytest.raises(ValidationError) as error:
        feedback.match_weights_update(expo=expo, data={"fabric": -1})
    assert list(error.value.message_dict) == ["fabric"]
    assert feedback.match_weights_update(expo=expo, data={"fabric": 5, "top_k": 10}).top_k == 10


@pytest.fixture
def broker_down():
    """The Celery app sends to a closed port (nothing listens on port 1), without retrying."""
    from config.celery_app import app

    keys = ("broker_url", "task_always_eager", "broker_connection_retry", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        task_always_eager=False,
        broker_connection_retry=False,
        broker_transport_options={"max_retries": 0},
    )
    app._pool = app.amqp._producer_pool = None  # no connection made to the earlier broker is reused
    yield
    app.conf.update(saved)
    app._pool = app.amqp._producer_pool = None


def test_feedback_with_the_broker_down_is_saved_and_the_rescore_logged(
    expo, client_for, broker_down, caplog, django_capture_on_commit_callbacks
):
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    match = match_list_for_buyer(buyer=buyer).get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(buyer.user).post(
            f"/api/v1/matches/{match.pk}/feedback/", {"value": "not_interested"}, format="json"
        )

    assert response.status_code == 200
    assert list(MatchFeedback.objects.values_list("buyer_id", "exhibitor_id", "value")) == [
        (buyer.pk, exhibitor.pk, "not_interested")
    ]
    assert [
        r.getMessage().split(": Error")[0] for r in caplog.records if r.name == "matching.services.feedback"
    ] == [
        f"Broker unreachable, matching.tasks.match_rescore_buyers_task not queued for {{'expo_id': {expo.pk}, "
        f"'buyer_ids': [{buyer.pk}]}}"
    ]
