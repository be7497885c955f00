import io

import pytest
from django.core.management import CommandError, call_command

from matching.models import MatchRun, RunStatus
from tests.factories.matching import buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db


def test_rescore_runs_a_full_run_with_progress(expo):
    buyer_with(expo=expo, fabrics=["chiffon"])
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    out, err = io.StringIO(), io.StringIO()
    call_command("rescore", "--expo", expo.slug, stdout=out, stderr=err)
    run = MatchRun.objects.get()
    assert run.status == RunStatus.COMPLETED
    assert run.matches_count == 1
    assert f"Match run #{run.pk} of {expo.slug}" in out.getvalue()
    assert "1 recommendations for 1 buyers from 1 exhibitors" in out.getvalue()
    assert "100/100" in err.getvalue()


def test_rescore_unknown_expo_is_an_error(expo):
    with pytest.raises(CommandError, match="No expo 'nope'."):
        call_command("rescore", "--expo", "nope", stdout=io.StringIO(), stderr=io.StringIO())


def test_rescore_if_needed_keeps_served_results(expo):
    buyer_with(expo=expo, fabrics=["chiffon"])
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    call_command("rescore", "--if-needed", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("rescore", "--if-needed", "--no-progress", stdout=out, stderr=io.StringIO())
    assert MatchRun.objects.count() == 1
    assert out.getvalue() == f"{expo.slug} already has recommendations; keeping them.\n"


def test_rescore_chunk_size_reaches_the_workers(
    expo, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from matching import tasks

    for i in range(5):
        buyer_with(expo=expo, fabrics=["chiffon"], external_id=f"B-{i}")
    exhibitor_with(expo=expo, fabrics=["chiffon"])
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker: the command dispatches
    queued = []
    monkeypatch.setattr(tasks.match_run_prepare_task, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "rescore",
            "--chunk-size",
            "2",
            "--no-wait",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    run = MatchRun.objects.get()
    assert queued == [{"run_id": run.pk, "chunk_size": 2}]
    tasks.match_run_prepare_task.apply(kwargs=queued[0])  # what the worker then does
    run.refresh_from_db()
    assert run.chunks_total == 3


def test_rescore_rejects_a_chunk_size_below_one(expo):
    with pytest.raises(CommandError, match="--chunk-size must be at least 1."):
        call_command("rescore", "--chunk-size", "0", stdout=io.StringIO(), stderr=io.StringIO())


def _running(expo):
    """A run of `expo` going now (fresh heartbeat): another start is refused."""
    from django.utils import timezone

    from matching.models import MatchRun, RunStatus
    from tests.factories.matching import MatchRunFactory

    run = MatchRunFactory(expo=expo, status=RunStatus.RUNNING, finished_at=None)
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    return run


def test_rescore_while_a_run_goes_is_an_error_naming_it(expo):
    running = _running(expo)
    with pytest.raises(CommandError) as error:
        call_command("rescore", "--expo", expo.slug, stdout=io.StringIO(), stderr=io.StringIO())
    assert str(error.value) == f"A match run of this expo is already in progress (#{running.pk})."
