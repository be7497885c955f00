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
