"""`manage.py rescore --expo SLUG`: a full match run with a progress bar in the terminal.

With a broker (REDIS_URL) the run goes to the Celery workers and this command follows its
progress; without one (or with --inline) it runs in this process, chunk by chunk.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.api import Conflict
from expo.selectors import expo_current
from matching.models import MatchRun, RunStatus
from matching.selectors import match_run_served
from matching.services.runs import match_run_execute, match_run_start


class Command(BaseCommand):
    help = "Score every buyer of an expo against every exhibitor (a full match run), showing progress."

    def add_arguments(self, parser):
        parser.add_argument("--expo", help="Expo slug (default: the current expo)")
        parser.add_argument("--inline", action="store_true", help="Run in this process, not on the workers")
        parser.add_argument("--chunk-size", type=int, help="Buyers per chunk (default: the expo's setting)")
        parser.add_argument(
            "--threads", type=int, default=1, help="With --inline: score this many chunks at once (default 1)"
        )
        parser.add_argument("--no-wait", action="store_true", help="Queue the run and return at once")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")
        parser.add_argument(
            "--if-needed", action="store_true", help="Do nothing when the expo already has served results"
        )

    def handle(self, *args, **options):
        expo = expo_current(slug=options["expo"])
        if expo is None:
            raise CommandError(f"No expo {options['expo']!r}." if options["expo"] else "No expo is current.")
        if options["if_needed"] and match_run_served(expo=expo) is not None:
            self.stdout.write(f"{expo.slug} already has recommendations; keeping them.")
            return
        if options["chunk_size"] is not None and options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        inline = options["inline"] or settings.CELERY_TASK_ALWAYS_EAGER
        try:
            run = match_run_start(expo=expo, dispatch=not inline, chunk_size=options["chunk_size"])
        except Conflict as exc:
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(f"Match run #{run.pk} of {expo.slug}")
        if options["no_wait"] and not inline:
            return
        bar = tqdm(total=100, unit="%", disable=options["no_progress"], file=self.stderr._out)
        started = time.perf_counter()

        def show(current: MatchRun) -> None:
            bar.set_postfix_str(f"{current.chunks_done}/{current.chunks_total} chunks")
            bar.update(current.progress - bar.n)

        try:
            if inline:
                run = match_run_execute(
                    run=run, chunk_size=options["chunk_size"], on_progress=show, threads=options["threads"]
                )
            else:
                while True:
                    run.refresh_from_db()
                    show(run)
                    if run.is_finished:
                        break
                    time.sleep(0.5)
        except Exception as exc:
            bar.close()
            raise CommandError(f"Match run #{run.pk} failed: {exc}") from exc
        bar.close()
        if run.status != RunStatus.COMPLETED:
            raise CommandError(f"Match run #{run.pk} {run.status}: {run.error}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Done in {elapsed:.2f} s: {run.matches_count} recommendations for {run.buyers_count} buyers "
            f"from {run.exhibitors_count} exhibitors ({run.engine})."
        )
        phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in sorted(run.timings.items()))
        self.stdout.write(f"Phases: {phases}")
