"""Incremental updates of the served run: a saved buyer or exhibitor, imports and the per-process
caches, and the catch-up after a run is published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from expo.models import Term
from expo.services.profiles import buyer_profile_update
from expo.signals import exhibitor_profile_changed, profiles_imported
from matching import scoring
from matching.models import Match, MatchChunk, MatchRun, MatchWeights, RunStatus
from matching.selectors import match_list_for_buyer, match_run_served
from matching.services import incremental, runs
from tests.factories.matching import buyer_with, exhibitor_with
from tests.matching.scenes import CERTS, FABRICS, full_run, populate, served_lists

pytestmark = pytest.mark.django_db


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
        assert len(holding) == 9
    else:
        assert holding == []


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
    assert len(holding) == 6
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
    assert len([b for b, items in caught_up.items() if target.pk in [e for e, _ in items]]) == 6
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


def test_rescoring_more_buyers_than_one_query_lists_gives_a_full_runs_lists(expo, monkeypatch):
    from matching.services import loading

    buyers, _ = populate(expo, buyers=7, exhibitors=6, seed=6)
    full_run(expo)
    expected = served_lists(expo)
    Match.objects.filter(buyer__in=buyers).delete()
    monkeypatch.setattr(loading, "IDS_PER_QUERY", 3)  # locked and read in three batches
    assert incremental.match_rescore_buyers(expo=expo, buyer_ids=[b.pk for b in buyers]) == sum(
        len(rows) for rows in expected.values()
    )
    assert served_lists(expo) == expected


def _running(expo):
    """A run of `expo` going now (fresh heartbeat): another start is refused."""
    from django.utils import timezone

    from matching.models import MatchRun, RunStatus
    from tests.factories.matching import MatchRunFactory

    run = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, finished_at=None)
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    return run


def test_import_of_many_while_a_run_goes_is_skipped(expo, monkeypatch):
    buyers, _ = populate(expo, buyers=3, exhibitors=2)
    running = _running(expo)
    monkeypatch.setattr(incremental, "IMPORT_INCREMENTAL_BUYERS", 1)

    assert incremental.match_after_import(expo=expo, kind="buyers", ids=[b.pk for b in buyers]) == "skipped"
    assert list(MatchRun.objects.values_list("pk", flat=True)) == [running.pk]
