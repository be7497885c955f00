"""Rescorings, feedback and publishing racing on PostgreSQL: an older computation never
overwrites newer rows, and a "not interested" pair never comes back.

Each test runs one piece of work in a thread (its own connection) up to a point (a rescoring has
computed its rows from what it read; a feedback is about to commit), then a newer change in a
second thread until it is done or waits for a lock, and only then lets the first go on: the
interleavings that lost updates.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections

from expo.models import Buyer, Term
from expo.services.profiles import buyer_profile_update
from matching.models import Match, MatchChunk
from matching.selectors import match_run_served
from matching.services import feedback, incremental, runs
from tests.factories.matching import buyer_with, exhibitor_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GUARD = 60  # seconds; only so that a broken lock order fails instead of hanging the suite


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def interleave(
    monkeypatch,
    *,
    older: Callable[[], object],
    newer: Callable[[], object],
    pause_after=(incremental, "block_score"),
) -> None:
    """Run `older` until it returns from `pause_after` (module, function name), then `newer` until
    it is done or waits for a lock `older` holds, then let `older` go on; returns when both are done."""
    computed, resume = threading.Event(), threading.Event()
    first = {}
    errors: list[BaseException] = []
    module, name = pause_after
    real = getattr(module, name)

    def call_then_pause(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.get_ident() == first.get("thread"):
            computed.set()
            assert resume.wait(GUARD), "the older work was never resumed"
        return result

    def thread(work: Callable[[], object], *, is_first: bool) -> threading.Thread:
        def target():
            if is_first:
                first["thread"] = threading.get_ident()
            try:
                work()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                computed.set()
                connections.close_all()  # this thread's own connections

        return threading.Thread(target=target)

    monkeypatch.setattr(module, name, call_then_pause)
    older_thread = thread(older, is_first=True)
    older_thread.start()
    assert computed.wait(GUARD)
    newer_thread = thread(newer, is_first=False)
    newer_thread.start()
    deadline = time.monotonic() + GUARD
    while newer_thread.is_alive() and not _someone_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.01)
    resume.set()
    older_thread.join(GUARD)
    newer_thread.join(GUARD)
    assert [older_thread.is_alive(), newer_thread.is_alive()] == [False, False], "a thread hangs"
    assert errors == []


def served_list(buyer) -> list[int]:
    run = match_run_served(expo=buyer.expo)
    return list(
        Match.objects.filter(run=run, buyer_id=buyer.pk)
        .order_by("rank")
        .values_list("exhibitor_id", flat=True)
    )


def test_rescoring_from_an_older_profile_finishing_last_does_not_win(committed_db, expo, monkeypatch):
    chiffon = exhibitor_with(expo=expo, fabrics=["chiffon"])
    satin = exhibitor_with(expo=expo, fabrics=["satin"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    assert served_list(buyer) == [chiffon.pk]

    def older():  # a rescoring of the profile as it is now (wanting chiffon)
        incremental.match_rescore_buyers(expo=expo, buyer_ids=[buyer.pk])

    def newer():  # the buyer now wants satin; the save queues its own rescoring on commit
        buyer_profile_update(
            buyer=Buyer.objects.get(pk=buyer.pk),
            data={"fabrics": [Term.objects.get(kind="fabric", slug="satin")]},
        )

    interleave(monkeypatch, older=older, newer=newer)
    assert served_list(buyer) == [satin.pk]


def test_not_interested_pair_never_comes_back_from_an_older_rescoring(committed_db, expo, monkeypatch):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    second = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    assert served_list(buyer) == [first.pk, second.pk]
    match = Match.objects.select_related("buyer").get(buyer=buyer, exhibitor=first)

    def older():  # a rescoring computed before the buyer's feedback
        incremental.match_rescore_buyers(expo=expo, buyer_ids=[buyer.pk])

    def newer():  # removes the pair at once and queues a rescoring on commit
        feedback.match_feedback_set(match=match, value="not_interested")

    interleave(monkeypatch, older=older, newer=newer)
    assert served_list(buyer) == [second.pk]


def test_not_interested_while_a_run_publishes_never_reaches_its_rows(committed_db, expo, monkeypatch):
    first = exhibitor_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    second = exhibitor_with(expo=expo, fabrics=["chiffon"])
    buyer = buyer_with(expo=expo, fabrics=["chiffon"], processes=["coating"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    match = Match.objects.select_related("buyer").get(buyer=buyer, exhibitor=first)
    run = runs.match_run_start(expo=expo, dispatch=False)
    for chunk_id in runs.match_run_prepare(run=run, dispatch=False):
        runs.match_chunk_score(chunk=MatchChunk.objects.get(pk=chunk_id))  # scored with the pair
    # Only the feedback and the publishing act: no rescoring after either.
    monkeypatch.setattr(incremental, "match_run_after_publish", lambda **kwargs: None)
    monkeypatch.setattr(feedback, "_queue_buyers", lambda expo_id, buyer_ids: None)

    def older():  # the feedback, paused just before its commit
        feedback.match_feedback_set(match=match, value="not_interested")

    def newer():
        runs.match_run_publish(run=run)

    interleave(monkeypatch, older=older, newer=newer, pause_after=(feedback, "_queue_buyers"))
    assert match_run_served(expo=expo).pk == run.pk
    assert served_list(buyer) == [second.pk]
