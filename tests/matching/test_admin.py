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


def test_staff_see_only_their_own_customer_keys_never_the_buyer(client, companies, links):
    client.force_login(staff_of(companies[0]))
    listing = client.get(reverse("admin:matching_customerlink_changelist"))
    assert listing.status_code == 200
    assert [str(link) for link in listing.context["cl"].result_list] == [links[0].key]
    assert "Client" not in listing.content.decode()  # no company name, no address
    own = client.get(reverse("admin:matching_customerlink_change", args=[links[0].pk]))
    assert own.status_code == 200
    assert list(own.context["adminform"].form.fields) == ["note"]
    assert "Alpha&#x27;s Client" not in own.content.decode()
    assert links[0].buyer.user.email not in own.content.decode()
    other = links[1]
    assert client.get(reverse("admin:matching_customerlink_change", args=[other.pk])).status_code == 302
    assert (
        client.post(
            reverse("admin:matching_customerlink_delete", args=[other.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert CustomerLink.objects.filter(pk=other.pk).exists()


def test_staff_search_cannot_find_customers_by_company_or_address(client, companies, links):
    client.force_login(staff_of(companies[0]))
    url = reverse("admin:matching_customerlink_changelist")

    by_company = client.get(url, {"q": "Alpha's Client"})
    by_address = client.get(url, {"q": links[0].buyer.user.email})
    by_key = client.get(url, {"q": links[0].key})

    assert list(by_company.context["cl"].result_list) == []
    assert list(by_address.context["cl"].result_list) == []
    assert list(by_key.context["cl"].result_list) == [links[0]]


def test_staff_add_a_customer_by_email_never_by_dropdown(
    client, companies, expo, django_capture_on_commit_callbacks
):
    alpha, beta = companies
    buyer = BuyerFactory(expo=expo, external_id="B-9")
    client.force_login(staff_of(alpha))
    form = client.get(reverse("admin:matching_customerlink_add")).context["adminform"].form
    assert list(form.fields) == ["buyer_key", "note"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_customerlink_add"),
            {"buyer_key": f" {buyer.user.email.upper()} ", "note": "since 2019", "exhibitor": beta.pk},
        )
    assert response.status_code == 302
    link = CustomerLink.objects.get()
    assert (link.exhibitor, link.buyer, link.key, link.note) == (alpha, buyer, buyer.user.email, "since 2019")


def _add_key(client, key: str):
    response = client.post(reverse("admin:matching_customerlink_add"), {"buyer_key": key}, follow=True)
    messages = [m.message for m in response.context["messages"]]
    return response.status_code, [page for page, _status in response.redirect_chain], messages


def test_staff_cannot_tell_a_buyer_from_an_unknown_or_other_expo_address(client, companies, expo):
    alpha = companies[0]
    known = BuyerFactory(expo=expo, external_id="B-1")
    foreign = BuyerFactory(expo=ExpoFactory(), external_id="B-2")
    client.force_login(staff_of(alpha))

    answers = {
        key: _add_key(client, key)
        for key in (known.user.email, "nobody@example.com", foreign.user.email, "B-1", "B-404")
    }

    # The same redirect and the same message, naming only what was typed.
    for key, (status, chain, messages) in answers.items():
        assert (status, chain) == (200, [reverse("admin:matching_customerlink_changelist")]), key
        change = reverse("admin:matching_customerlink_change", args=[CustomerLink.objects.get(key=key).pk])
        assert messages == [
            f'The existing customer “<a href="{change}">{key}</a>” was added successfully.'
        ], key
    links = CustomerLink.objects.filter(exhibitor=alpha).order_by("pk")
    assert [(link.key, link.buyer_id) for link in links] == [
        (known.user.email, known.pk),
        ("nobody@example.com", None),
        (foreign.user.email, None),
        ("B-1", None),  # the same buyer again under another key: not linked twice, not said
        ("B-404", None),
    ]


def test_staff_entering_a_key_twice_hears_only_about_their_own_entry(client, companies, expo):
    client.force_login(staff_of(companies[0]))
    _add_key(client, "Nobody@Example.com")

    response = client.post(reverse("admin:matching_customerlink_add"), {"buyer_key": "nobody@example.com "})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "buyer_key": ["You have already entered this email address or external ID."]
    }
    assert CustomerLink.objects.count() == 1


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
    listing = client.get(reverse("admin:matching_customerlink_changelist"))
    labels = [
        listing.context["cl"].model_admin.buyer_label(link) for link in listing.context["cl"].result_list
    ]
    assert sorted(labels) == sorted(f"{link.buyer.company} ({link.buyer.external_id})" for link in links)
    buyer = BuyerFactory(expo=expo, external_id="B-10")
    response = client.post(
        reverse("admin:matching_customerlink_add"), {"exhibitor": companies[1].pk, "buyer_key": "B-10"}
    )
    assert response.status_code == 302
    assert CustomerLink.objects.filter(exhibitor=companies[1], buyer=buyer, key="B-10").count() == 1


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
    # the buyers that held it: seven have a full list of 3 again, one has no other fitting exhibitor
    assert sorted(len(lists.get(b, [])) for b in holding) == [0, 3, 3, 3, 3, 3, 3, 3]


def _running(expo):
    """A run of `expo` going now (fresh heartbeat): another start is refused."""
    from django.utils import timezone

    from matching.models import MatchRun, RunStatus
    from tests.factories.matching import MatchRunFactory

    run = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, finished_at=None)
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    return run


def test_starting_a_run_from_the_run_list_while_one_runs_says_so(client, expo):
    from django.contrib.messages import get_messages

    running = _running(expo)
    client.force_login(OrganiserFactory())
    response = client.post(
        reverse("admin:matching_matchrun_changelist"),
        {"action": "start_new_run", "_selected_action": [running.pk]},
    )

    assert response.status_code == 302
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("warning", f"A match run of this expo is already in progress (#{running.pk}).")
    ]
    assert list(expo.match_runs.values_list("pk", flat=True)) == [running.pk]
