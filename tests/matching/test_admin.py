"""Matching back office: organisers see all; exhibitor staff only their own company's customers and policy."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import ExhibitorStaff
from matching.models import CustomerLink, CustomerPolicy, MatchWeights
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExpoFactory
from tests.factories.matching import CustomerLinkFactory, CustomerPolicyFactory, MatchRunFactory

pytestmark = pytest.mark.django_db


def staff_of(exhibitor):
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=exhibitor)
    return user_set_role(user=user, role=Role.EXHIBITOR_STAFF)


@pytest.fixture
def companies(expo):
    return ExhibitorFactory(expo=expo, name_en="Alpha Weaving"), ExhibitorFactory(
        expo=expo, name_en="Beta Dyeing"
    )


@pytest.fixture
def links(companies, expo):
    alpha, beta = companies
    return (
        CustomerLinkFactory(exhibitor=alpha, buyer=BuyerFactory(expo=expo, company="Alpha's Client")),
        CustomerLinkFactory(exhibitor=beta, buyer=BuyerFactory(expo=expo, company="Beta's Client")),
    )


def test_staff_see_only_their_own_customer_links(client, companies, links):
    client.force_login(staff_of(companies[0]))
    listing = client.get(reverse("admin:matching_customerlink_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Alpha&#x27;s Client" in html
    assert "Beta&#x27;s Client" not in html
    other = links[1]
    assert client.get(reverse("admin:matching_customerlink_change", args=[other.pk])).status_code == 302
    assert (
        client.post(
            reverse("admin:matching_customerlink_delete", args=[other.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert CustomerLink.objects.filter(pk=other.pk).exists()


def test_staff_add_a_customer_by_email_never_by_dropdown(
    client, companies, expo, django_capture_on_commit_callbacks
):
    alpha, beta = companies
    buyer = BuyerFactory(expo=expo, external_id="B-9")
    client.force_login(staff_of(alpha))
    form = client.get(reverse("admin:matching_customerlink_add")).content.decode()
    assert 'name="buyer_key"' in form
    assert 'name="buyer"' not in form
    assert 'name="exhibitor"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_customerlink_add"),
            {"buyer_key": buyer.user.email, "note": "since 2019", "exhibitor": beta.pk},
        )
    assert response.status_code == 302
    link = CustomerLink.objects.get()
    assert (link.exhibitor, link.buyer, link.note) == (alpha, buyer, "since 2019")


def test_staff_add_unknown_or_foreign_buyer_is_refused(client, companies):
    client.force_login(staff_of(companies[0]))
    foreign = BuyerFactory(expo=ExpoFactory())
    for key in ("nobody@example.com", foreign.user.email):
        response = client.post(reverse("admin:matching_customerlink_add"), {"buyer_key": key})
        assert response.status_code == 200
        assert "No buyer of this expo has this email address or external ID." in response.content.decode()
    assert CustomerLink.objects.count() == 0


def test_staff_set_their_own_policy_only(client, companies):
    alpha, beta = companies
    beta_policy = CustomerPolicyFactory(exhibitor=beta, existing_customers="show")
    client.force_login(staff_of(alpha))
    form = client.get(reverse("admin:matching_customerpolicy_add")).content.decode()
    assert 'name="exhibitor"' not in form
    response = client.post(reverse("admin:matching_customerpolicy_add"), {"existing_customers": "hide"})
    assert response.status_code == 302
    assert CustomerPolicy.objects.get(exhibitor=alpha).existing_customers == "hide"
    assert (
        client.get(reverse("admin:matching_customerpolicy_change", args=[beta_policy.pk])).status_code == 302
    )
    listing = client.get(reverse("admin:matching_customerpolicy_changelist")).content.decode()
    assert "Beta Dyeing" not in listing
    assert client.get(reverse("admin:matching_customerpolicy_add")).status_code == 403  # one policy each


def test_staff_cannot_open_weights_runs_or_feedback(client, companies):
    client.force_login(staff_of(companies[0]))
    for name in ("matchweights", "matchrun", "matchfeedback"):
        assert client.get(reverse(f"admin:matching_{name}_changelist")).status_code == 403


def test_organiser_sees_every_link_and_adds_one_for_any_exhibitor(client, companies, links, expo):
    client.force_login(OrganiserFactory())
    html = client.get(reverse("admin:matching_customerlink_changelist")).content.decode()
    assert "Alpha&#x27;s Client" in html
    assert "Beta&#x27;s Client" in html
    buyer = BuyerFactory(expo=expo, external_id="B-10")
    response = client.post(
        reverse("admin:matching_customerlink_add"), {"exhibitor": companies[1].pk, "buyer_key": "B-10"}
    )
    assert response.status_code == 302
    assert CustomerLink.objects.filter(exhibitor=companies[1], buyer=buyer).exists()


DEFAULT_FORM = {
    "fabric": "3",
    "process": "2",
    "fibre": "2",
    "end_use": "1",
    "quantity": "1",
    "price": "1",
    "lead_time": "1",
    "demote_factor": "0.5",
    "top_k": "20",
    "chunk_size": "5000",
}


def test_organiser_adds_weights_from_the_defaults_then_edits_them(client, expo):
    client.force_login(OrganiserFactory())
    assert client.get(reverse("admin:matching_matchweights_changelist")).status_code == 200
    assert MatchWeights.objects.count() == 0  # reading the list creates nothing
    form = client.get(reverse("admin:matching_matchweights_add"), {"expo": expo.pk}).context["adminform"].form
    assert form.initial["expo"] == str(expo.pk)
    assert [form[name].value() for name in ("fabric", "process", "demote_factor", "top_k")] == [
        3.0,
        2.0,
        0.5,
        20,
    ]
    added = client.post(reverse("admin:matching_matchweights_add"), {**DEFAULT_FORM, "expo": expo.pk})
    assert added.status_code == 302
    weights = MatchWeights.objects.get(expo=expo)
    assert weights.fabric == 3.0
    data = {
        "fabric": "4",
        "process": "2",
        "fibre": "2",
        "end_use": "1",
        "quantity": "1",
        "price": "0",
        "lead_time": "1",
        "demote_factor": "0.3",
        "top_k": "10",
        "chunk_size": "2000",
    }
    response = client.post(reverse("admin:matching_matchweights_change", args=[weights.pk]), data)
    assert response.status_code == 302
    weights.refresh_from_db()
    assert (weights.fabric, weights.price, weights.demote_factor, weights.top_k) == (4.0, 0.0, 0.3, 10)
    bad = client.post(
        reverse("admin:matching_matchweights_change", args=[weights.pk]), {**data, "fabric": "-1"}
    )
    assert bad.status_code == 200
    weights.refresh_from_db()
    assert weights.fabric == 4.0


def test_organiser_starts_a_run_from_the_run_list(client, expo, django_capture_on_commit_callbacks):
    run = MatchRunFactory(expo=expo)
    client.force_login(OrganiserFactory())
    assert client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_matchrun_changelist"),
            {"action": "start_new_run", "_selected_action": [run.pk]},
        )
    assert response.status_code == 302
    assert expo.match_runs.count() == 2


@pytest.mark.parametrize("how", ["delete_view", "delete_selected"])
def test_organiser_deleting_an_exhibitor_removes_it_from_every_list_at_once(
    client, expo, how, django_capture_on_commit_callbacks
):
    from expo.models import Exhibitor
    from tests.matching.scenes import full_run, populate, served_lists

    MatchWeights.objects.create(expo=expo, top_k=3)
    _buyers, exhibitors = populate(expo, buyers=12, exhibitors=10, seed=9)
    full_run(expo)
    holding = {b for b, items in served_lists(expo).items() for e, _ in items if e == exhibitors[1].pk}
    gone = [exhibitors[1].pk] if how == "delete_view" else [exhibitors[1].pk, exhibitors[2].pk]
    assert holding
    client.force_login(OrganiserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete_view":
            url = reverse("admin:expo_exhibitor_delete", args=[gone[0]])
            response = client.post(url, {"post": "yes"})
        else:
            response = client.post(
                reverse("admin:expo_exhibitor_changelist"),
                {"action": "delete_selected", "_selected_action": gone, "post": "yes"},
            )
    assert response.status_code == 302
    assert not Exhibitor.objects.filter(pk__in=gone).exists()
    lists = served_lists(expo)
    assert not {e for items in lists.values() for e, _ in items} & set(gone)
    full_run(expo)
    assert lists == served_lists(expo)  # the next exhibitors took the freed ranks
    assert any(len(lists.get(b, [])) == 3 for b in holding)
