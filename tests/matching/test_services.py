"""Match runs end to end on the database: chunks, publishing, failures, incremental updates."""

import random
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from expo.models import Term
from expo.services.profiles import buyer_profile_update
from expo.signals import exhibitor_profile_changed, profiles_imported
from matching import scoring
from matching.models import Match, MatchChunk, MatchFeedback, MatchRun, MatchWeights, RunStatus
from matching.selectors import match_list_for_buyer, match_run_served
from matching.services import feedback, incremental, runs
from tests.factories.matching import CustomerLinkFactory, CustomerPolicyFactory, buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db

FABRICS = ["chiffon", "georgette", "satin", "taffeta", "twill", "oxford", "pongee", "jacquard"]
PROCESSES = ["dyeing", "digital-printing", "coating", "pu-coating", "rotary-printing"]
FIBRES = ["polyester", "nylon", "silk", "recycled-polyester"]
END_USES = ["womens-wear", "menswear", "sportswear", "lining"]
CERTS = ["oeko-tex-100", "grs", "bluesign"]


def populate(expo, *, buyers: int, exhibitors: int, seed: int = 1):
    rng = random.Random(seed)
    made_exhibitors = [
        exhibitor_with(
            expo=expo,
            fabrics=rng.sample(FABRICS, rng.randint(1, 4)),
            processes=rng.sample(PROCESSES, rng.randint(0, 3)),
            fibres=rng.sample(FIBRES, rng.randint(0, 2)),
            end_uses=rng.sample(END_USES, rng.randint(0, 2)),
            certifications=rng.sample(CERTS, rng.randint(0, 2)),
            moq_m=rng.choice([None, 500, 1000, 3000]),
            capacity_m_month=rng.choice([None, 20_000, 100_000]),
            price_min_cny=Decimal(rng.choice(["8.00", "10.00", "12.50"])),
            price_max_cny=Decimal("16.00"),
            lead_time_days=rng.choice([None, 15, 30, 45]),
        )
        for _ in range(exhibitors)
    ]
    made_buyers = [
        buyer_with(
            expo=expo,
            fabrics=rng.sample(FABRICS, rng.randint(1, 2)),
            processes=rng.sample(PROCESSES, rng.randint(0, 2)),
            certifications_required=rng.sample(CERTS, rng.randint(0, 1)),
            order_quantity_m=rng.choice([None, 2000, 5000]),
            lead_time_days=rng.choice([None, 30]),
        )
        for _ in range(buyers)
    ]
    return made_buyers, made_exhibitors


def full_run(expo, *, chunk_size: int | None = None) -> MatchRun:
    run = runs.match_run_start(expo=expo, dispatch=False)
    return runs.match_run_execute(run=run, chunk_size=chunk_size)


def served_lists(expo) -> dict[int, list[tuple[int, float]]]:
    run = match_run_served(expo=expo)
    lists: dict[int, list[tuple[int, float]]] = {}
    for buyer_id, exhibitor_id, score in (
        Match.objects.filter(run=run)
        .order_by("buyer_id", "rank")
        .values_list("buyer_id", "exhibitor_id", "score")
    ):
        lists.setdefault(buyer_id, []).append((exhibitor_id, score))
    return lists


def test_full_run_ranks_the_fitting_exhibitor_first_with_reasons(expo):
    perfect = exhibitor_with(
        expo=expo, fabrics=["chiffon"], processes=["coating"], certifications=["oeko-tex-100"], moq_m=1000
    )
    partial = exhibitor_with(expo=expo, fabrics=["chiffon"], certifications=["oeko-tex-100"], moq_m=1000)
    exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])  # lacks the certification
    buyer = buyer_with(
        expo=expo,
        fabrics=["chiffon"],
        processes=["coating"],
        certifications_required=["oeko-tex-100"],
        order_quantity_m=5000,
        price_min_cny=Decimal("9.00"),
        price_max_cny=Decimal("16.00"),
        lead_time_days=30,
    )
    run = full_run(expo)
    assert run.status == RunStatus.COMPLETED
    assert run.progress == 100
    assert (run.buyers_count, run.exhibitors_count, run.matches_count, run.chunks_total) == (1, 3, 2, 1)
    assert {"load_exhibitors", "chunks_score", "chunks_write", "publish"} <= set(run.timings)
    matches = list(match_list_for_buyer(buyer=buyer))
    assert [(m.exhibitor_id, m.rank) for m in matches] == [(perfect.pk, 1), (partial.pk, 2)]
    assert matches[0].score > matches[1].score
    layout = scoring.Layout.from_json(run.layout)
    decoded = scoring.decode_terms(layout, np.frombuffer(bytes(matches[0].reason_terms), dtype="<u8"))
    assert decoded["fabric"] == [Term.objects.get(kind="fabric", slug="chiffon").pk]
    assert decoded["process"] == [Term.objects.get(kind="process", slug="coating").pk]
    assert decoded["certification"] == [Term.objects.get(kind="certification", slug="oeko-tex-100").pk]
    assert matches[0].reason_codes & scoring.REASON_CERTIFIED
    assert matches[0].reason_codes & scoring.REASON_MOQ_OK


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 1000])
def test_full_run_results_are_identical_for_any_chunk_size(expo, chunk_size):
    populate(expo, buyers=14, exhibitors=12)
    reference = served_lists(full_run(expo, chunk_size=1000).expo)
    run = full_run(expo, chunk_size=chunk_size)
    assert run.chunks_total == -(-14 // chunk_size)
    assert served_lists(expo) == reference
    assert sum(len(v) for v in reference.values()) > 14


def test_full_run_chunks_in_any_order_give_the_same_results(expo):
    populate(expo, buyers=10, exhibitors=9, seed=4)
    reference = served_lists(full_run(expo, chunk_size=100).expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=3, dispatch=False)
    for chunk in MatchChunk.objects.filter(pk__in=chunk_ids).order_by("-number"):  # as two workers might
        runs.match_chunk_score(chunk=chunk)
    runs.match_run_publish(run=run)
    assert served_lists(expo) == reference


def test_chunk_retry_replaces_its_own_rows(expo):
    populate(expo, buyers=6, exhibitors=5)
    run = runs.match_run_start(expo=expo, dispatch=False)
    (chunk_id,) = runs.match_run_prepare(run=run, chunk_size=100, dispatch=False)
    chunk = MatchChunk.objects.get(pk=chunk_id)
    first = runs.match_chunk_score(chunk=chunk)
    assert runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id)) == first  # done: no-op
    MatchChunk.objects.filter(pk=chunk_id).update(done=False)  # as if the acknowledgement was lost
    MatchRun.objects.filter(pk=run.pk).update(chunks_done=0, matches_count=0)
    assert runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id)) == first
    runs.match_run_publish(run=run)
    assert Match.objects.filter(run=run).count() == first
    assert MatchRun.objects.get(pk=run.pk).matches_count == first


def test_unpublished_run_stays_invisible_until_it_completes(expo, django_capture_on_commit_callbacks):
    buyers, _ = populate(expo, buyers=5, exhibitors=6)
    old = full_run(expo)
    before = served_lists(expo)
    exhibitor_with(
        expo=expo,
        fabrics=FABRICS,
        processes=PROCESSES,
        fibres=FIBRES,
        end_uses=END_USES,
        certifications=CERTS,
    )
    run = runs.match_run_start(expo=expo, dispatch=False)
    for chunk_id in runs.match_run_prepare(run=run, chunk_size=2, dispatch=False):
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))
    assert match_run_served(expo=expo) == old
    assert served_lists(expo) == before
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(run=run)
    assert match_run_served(expo=expo) == run
    assert served_lists(expo) != before
    assert MatchRun.objects.get(pk=old.pk).status == RunStatus.SUPERSEDED
    assert Match.objects.filter(run=old).count() == 0


def test_failed_chunk_fails_the_run_and_keeps_the_previous_results(expo, monkeypatch):
    populate(expo, buyers=5, exhibitors=4)
    old = full_run(expo)
    before = served_lists(expo)

    def broken(*args, **kwargs):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(runs.scoring, "top_k", broken)
    run = runs.match_run_start(expo=expo, dispatch=False)
    with pytest.raises(RuntimeError):
        runs.match_run_execute(run=run, chunk_size=2)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: worker exploded"
    assert match_run_served(expo=expo) == old
    assert served_lists(expo) == before
    assert Match.objects.filter(run=run).count() == 0


def test_publish_with_unfinished_chunks_fails_the_run(expo):
    populate(expo, buyers=4, exhibitors=3)
    run = runs.match_run_start(expo=expo, dispatch=False)
    runs.match_run_prepare(run=run, chunk_size=2, dispatch=False)
    runs.match_run_publish(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "2 tasks did not finish."


def test_stale_run_is_marked_failed_and_a_new_run_may_start(expo):
    populate(expo, buyers=2, exhibitors=2)
    stuck = runs.match_run_start(expo=expo, dispatch=False)
    runs.match_run_prepare(run=stuck, dispatch=False)
    with pytest.raises(ValidationError) as error:
        runs.match_run_start(expo=expo, dispatch=False)
    assert error.value.message_dict == {
        "expo": [f"A match run of this expo is already in progress (#{stuck.pk})."]
    }
    MatchRun.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now() - runs.STALE_AFTER * 2)
    fresh = runs.match_run_start(expo=expo, dispatch=False)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error == "No progress for 10 minutes: a worker was lost."
    assert fresh.status == RunStatus.PENDING


def test_run_start_through_celery_runs_everything_on_commit(expo, django_capture_on_commit_callbacks):
    populate(expo, buyers=7, exhibitors=5)
    MatchWeights.objects.create(expo=expo, chunk_size=100)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(expo=expo)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    assert run.chunks_total == 1
    assert run.chunks_done == 1


def test_weights_are_created_with_the_documented_defaults(expo):
    run = runs.match_run_start(expo=expo, dispatch=False)
    weights = MatchWeights.objects.get(expo=expo)
    assert (weights.fabric, weights.process, weights.fibre, weights.end_use) == (3.0, 2.0, 2.0, 1.0)
    assert (weights.quantity, weights.price, weights.lead_time, weights.demote_factor) == (1.0, 1.0, 1.0, 0.5)
    assert (weights.top_k, weights.chunk_size) == (20, 5000)
    assert run.weights["fabric"] == 3.0


def test_weights_update_validates_and_names_the_field(expo):
    with pytest.raises(ValidationError) as error:
        feedback.match_weights_update(expo=expo, data={"fabric": -1})
    assert list(error.value.message_dict) == ["fabric"]
    assert feedback.match_weights_update(expo=expo, data={"fabric": 5, "top_k": 10}).top_k == 10


def test_empty_expo_run_completes_with_nothing(expo):
    run = full_run(expo)
    assert (run.status, run.matches_count, run.chunks_total) == (RunStatus.COMPLETED, 0, 0)


# --- incremental ----------------------------------------------------------------------------------


def test_saved_buyer_profile_gets_its_new_list_on_commit(expo, django_capture_on_commit_callbacks):
    chiffon = exhibitor_with(expo=expo, fabrics=["chiffon"])
    satin = exhibitor_with(expo=expo, fabrics=["satin"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    full_run(expo)
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [chiffon.pk]
    with django_capture_on_commit_callbacks(execute=True):
        buyer_profile_update(buyer=buyer, data={"fabrics": [Term.objects.get(kind="fabric", slug="satin")]})
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [satin.pk]


@pytest.mark.parametrize("change", ["enter", "leave", "delete"])
def test_saved_exhibitor_updates_every_affected_list_like_a_full_run(
    expo, change, django_capture_on_commit_callbacks
):
    MatchWeights.objects.create(expo=expo, top_k=3)
    buyers, exhibitors = populate(expo, buyers=12, exhibitors=10, seed=9)
    full_run(expo)
    target = exhibitors[0]
    target_pk = target.pk
    with django_capture_on_commit_callbacks(execute=True):
        if change == "enter":
            target.fabrics.set(Term.objects.filter(kind="fabric", slug__in=FABRICS))
            target.certifications.set(Term.objects.filter(kind="certification", slug__in=CERTS))
            target.moq_m = 100
        elif change == "leave":
            target.fabrics.set(Term.objects.filter(kind="fabric", slug="organza"))
            target.processes.clear()
        if change == "delete":
            target_expo = target.expo
            target.delete()
            exhibitor_profile_changed.send(
                sender=type(target), exhibitor=type(target)(pk=target_pk, expo=target_expo)
            )
        else:
            target.save()
            exhibitor_profile_changed.send(sender=type(target), exhibitor=target)
    incremental_lists = served_lists(expo)
    full_run(expo)
    assert incremental_lists == served_lists(expo)
    holding = [b for b, items in incremental_lists.items() if target_pk in [e for e, _ in items]]
    if change == "enter":
        assert len(holding) >= 6
    else:
        assert holding == []


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


def test_import_of_few_buyers_rescores_them_and_many_start_a_full_run(
    expo, django_capture_on_commit_callbacks, monkeypatch
):
    buyers, _ = populate(expo, buyers=4, exhibitors=3)
    with django_capture_on_commit_callbacks(execute=True):
        profiles_imported.send(sender=None, expo=expo, kind="buyers", ids=[b.pk for b in buyers])
    assert match_run_served(expo=expo) is not None  # no run yet: a full run
    newcomer = buyer_with(expo=expo, fabrics=FABRICS)
    assert incremental.match_after_import(expo=expo, kind="buyers", ids=[newcomer.pk]) == "incremental"
    assert match_list_for_buyer(buyer=newcomer).count() == 3
    monkeypatch.setattr(incremental, "IMPORT_INCREMENTAL_BUYERS", 1)
    assert incremental.match_after_import(expo=expo, kind="buyers", ids=[b.pk for b in buyers]) == "full"


def test_buyers_encode_by_id_range_ignores_other_expos_buyers(expo):
    from matching.services import loading
    from tests.factories.expo import ExpoFactory

    other = ExpoFactory()
    mine = [buyer_with(expo=expo, fabrics=["chiffon"]), None, buyer_with(expo=expo, fabrics=["satin"])]
    mine[1] = buyer_with(expo=other, fabrics=["twill", "oxford"])  # an id between mine, at another expo
    layout = loading.layout_current()
    ids = sorted(b.pk for b in mine)
    encoded = loading.buyers_encode(expo=expo, layout=layout, id_from=ids[0], id_to=ids[-1])
    assert encoded.ids.tolist() == [mine[0].pk, mine[2].pk]
    decoded = [scoring.decode_terms(layout, row)["fabric"] for row in encoded.bits]
    chiffon, satin = (Term.objects.get(kind="fabric", slug=s).pk for s in ("chiffon", "satin"))
    assert decoded == [[chiffon], [satin]]
    by_list = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    assert by_list.bits.tolist() == encoded.bits.tolist()


def test_buyers_encode_of_many_ids_reads_them_in_batches_with_the_same_result(expo, monkeypatch):
    from matching.services import loading

    buyers, _ = populate(expo, buyers=7, exhibitors=1, seed=2)
    layout = loading.layout_current()
    ids = [b.pk for b in reversed(buyers)]
    whole = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    monkeypatch.setattr(loading, "IDS_PER_QUERY", 3)
    batched = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    assert batched.ids.tolist() == sorted(ids)
    for name in ("ids", "bits", "quantity", "price_min", "price_max", "lead_time"):
        assert np.array_equal(getattr(batched, name), getattr(whole, name), equal_nan=True)


def test_published_rows_are_indexed_by_exhibitor(expo, django_capture_on_commit_callbacks):
    from django.db import connection

    from matching.services import storage

    populate(expo, buyers=3, exhibitors=2)
    with django_capture_on_commit_callbacks(execute=True):
        run = full_run(expo)
    # PostgreSQL: the run's own partition (indexed after publishing) and the default one (ORM rows).
    tables = (
        [storage.stage_table(run.pk), "matching_match_default"]
        if storage.uses_partitions()
        else ["matching_match"]
    )
    with connection.cursor() as cursor:
        indexed = [
            [
                c["columns"]
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] and not c["unique"]
            ]
            for table in tables
        ]
    assert indexed == [[["exhibitor_id"]]] * len(tables)


def test_full_run_rows_are_numbered_by_run_buyer_position_and_rank(expo):
    buyers, _ = populate(expo, buyers=7, exhibitors=6, seed=3)
    run = full_run(expo, chunk_size=3)
    order = {b.pk: position for position, b in enumerate(sorted(buyers, key=lambda b: b.pk))}
    rows = list(Match.objects.filter(run=run).values_list("id", "buyer_id", "rank"))
    assert rows
    assert all(pk == (run.pk << 32) | (order[buyer] << 7) | rank for pk, buyer, rank in rows)


def test_run_interrupted_mid_way_resumes_when_its_tasks_are_redelivered(expo):
    populate(expo, buyers=9, exhibitors=7, seed=5)
    reference = served_lists(full_run(expo, chunk_size=100).expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=3, dispatch=False)
    runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_ids[0]))  # then the worker dies
    assert served_lists(expo) == reference  # the previous run is still served, untouched
    assert runs.match_run_prepare(run=MatchRun.objects.get(pk=run.pk), dispatch=False) == chunk_ids
    for chunk_id in chunk_ids:  # the broker redelivers every unacknowledged task
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))
    runs.match_run_publish(run=run)
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.progress) == (RunStatus.COMPLETED, 3, 100)
    assert served_lists(expo) == reference


# --- imports and the per-process caches -----------------------------------------------------------


def _csv(rows: list[dict]):
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def test_import_changing_only_facets_refreshes_warm_caches_like_a_full_run(
    expo, django_capture_on_commit_callbacks
):
    from expo.services.imports import buyers_import, exhibitors_import
    from matching.services import loading

    MatchWeights.objects.create(expo=expo, top_k=3)
    buyers, exhibitors = populate(expo, buyers=12, exhibitors=10, seed=9)
    run = full_run(expo)
    layout = scoring.Layout.from_json(run.layout)
    loading.exhibitors_encode_cached(expo=expo, layout=layout)  # a warm worker
    loading.buyers_encode_cached(expo=expo, layout=layout)
    target, buyer = exhibitors[0], buyers[0]
    row = {"external_id": target.external_id, "company_name": target.name_en}
    with django_capture_on_commit_callbacks(execute=True):
        exhibitors_import(
            expo=expo,
            file=_csv([row | {"fabrics": ";".join(FABRICS), "certifications": ";".join(CERTS)}]),
            filename="exhibitors.csv",
        )
    holding = [b for b, items in served_lists(expo).items() if target.pk in [e for e, _ in items]]
    assert len(holding) >= 6
    with django_capture_on_commit_callbacks(execute=True):
        buyers_import(
            expo=expo,
            file=_csv([{"external_id": buyer.external_id, "email": buyer.user.email, "fabrics": "organza"}]),
            filename="buyers.csv",
        )
    cached = loading.buyers_encode_cached(expo=expo, layout=layout)
    assert cached.bits.tolist() == loading.buyers_encode(expo=expo, layout=layout).bits.tolist()
    cached = loading.exhibitors_encode_cached(expo=expo, layout=layout)
    assert cached.bits.tolist() == loading.exhibitors_encode(expo=expo, layout=layout).bits.tolist()
    incremental_lists = served_lists(expo)
    full_run(expo)
    assert incremental_lists == served_lists(expo)


# --- the catch-up after publishing -----------------------------------------------------------------


def _run_with_late_commit(expo, change, django_capture_on_commit_callbacks):
    """A run prepared (snapshot read), then `change` applied with `updated_at` stamped just before
    the run started, as a transaction saved before the snapshot and committed after it would."""
    run = runs.match_run_start(expo=expo, dispatch=False)
    chunk_ids = runs.match_run_prepare(run=run, chunk_size=5, dispatch=False)
    run.refresh_from_db()
    change()
    for chunk_id in chunk_ids:
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(run=run)
    return run


def test_catch_up_after_publish_rescores_saves_committed_after_the_snapshot(
    expo, django_capture_on_commit_callbacks
):
    from expo.models import Exhibitor

    MatchWeights.objects.create(expo=expo, top_k=3)
    _buyers, exhibitors = populate(expo, buyers=12, exhibitors=10, seed=9)
    full_run(expo)
    target = exhibitors[0]

    def change():
        target.fabrics.set(Term.objects.filter(kind="fabric", slug__in=FABRICS))
        target.certifications.set(Term.objects.filter(kind="certification", slug__in=CERTS))
        stamp = MatchRun.objects.get(status=RunStatus.RUNNING).started_at - timedelta(seconds=2)
        Exhibitor.objects.filter(pk=target.pk).update(updated_at=stamp)

    _run_with_late_commit(expo, change, django_capture_on_commit_callbacks)
    caught_up = served_lists(expo)
    assert len([b for b, items in caught_up.items() if target.pk in [e for e, _ in items]]) >= 6
    full_run(expo)
    assert caught_up == served_lists(expo)


def test_catch_up_after_publish_skips_exhibitors_the_snapshot_already_had(
    expo, django_capture_on_commit_callbacks, monkeypatch
):
    from expo.models import Exhibitor
    from matching import tasks

    _buyers, exhibitors = populate(expo, buyers=4, exhibitors=5)
    queued = []
    monkeypatch.setattr(
        tasks.match_rescore_exhibitor_task, "delay", lambda **kwargs: queued.append(kwargs["exhibitor_id"])
    )
    changed = exhibitors[1]

    def change():  # all saved just before the run started; only one differs from the snapshot
        Exhibitor.objects.filter(expo=expo).update(updated_at=timezone.now() - timedelta(seconds=1))
        changed.processes.set(Term.objects.filter(kind="process", slug="coating"))
        Exhibitor.objects.filter(pk=changed.pk).update(moq_m=12345)

    _run_with_late_commit(expo, change, django_capture_on_commit_callbacks)
    assert queued == [changed.pk]


def test_catch_up_after_publish_drops_an_exhibitor_deleted_while_the_run_computed(
    expo, django_capture_on_commit_callbacks
):
    from expo.models import Buyer, Exhibitor

    MatchWeights.objects.create(expo=expo, top_k=3)
    _buyers, exhibitors = populate(expo, buyers=12, exhibitors=10, seed=9)
    full_run(expo)
    target = max(exhibitors, key=lambda e: Match.objects.filter(exhibitor=e).count())
    gone = target.pk
    assert Match.objects.filter(exhibitor_id=gone).exists()
    an_hour_ago = timezone.now() - timedelta(hours=1)  # nothing else for the catch-up to rescore
    for model in (Buyer, Exhibitor):
        model.objects.filter(expo=expo).update(updated_at=an_hour_ago)

    _run_with_late_commit(expo, target.delete, django_capture_on_commit_callbacks)

    caught_up = served_lists(expo)
    assert gone not in {e for items in caught_up.values() for e, _ in items}
    full_run(expo)
    assert caught_up == served_lists(expo)


def test_not_interested_while_a_run_computes_never_reaches_its_published_rows(
    expo, django_capture_on_commit_callbacks
):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    second = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    full_run(expo)
    run = runs.match_run_start(expo=expo, dispatch=False)
    for chunk_id in runs.match_run_prepare(run=run, chunk_size=5, dispatch=False):
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))  # scored with the pair
    match = match_list_for_buyer(buyer=buyer).get(exhibitor=first)
    with django_capture_on_commit_callbacks(execute=False):  # no rescoring, no catch-up: publishing alone
        feedback.match_feedback_set(match=match, value="not_interested")
        runs.match_run_publish(run=run)
    assert match_run_served(expo=expo).pk == run.pk
    assert [m.exhibitor_id for m in match_list_for_buyer(buyer=buyer)] == [second.pk]
    assert MatchRun.objects.get(pk=run.pk).matches_count == 1
