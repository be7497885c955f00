"""`manage.py rescore --expo SLUG`: a full match run with a progress bar in the terminal.

With a broker (REDIS_URL) the run goes to the Celery workers and this command follows its
progress; without one (or with --inline) it runs in this process, on every core.

Start-up counts (a whole run takes a few seconds): the command skips the system checks (it serves
nothing; `manage.py check` and the web processes run them), and the compiled kernel loads on a
thread of its own while the run is prepared.
"""

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.api import Conflict
from expo.selectors import expo_current
from matching import scoring
from matching.models import MatchRun, RunStatus
from matching.selectors import match_run_served
from matching.services.runs import match_run_execute, match_run_start


def _process_age() -> float | None:
    """Seconds since this process was started (Linux; None elsewhere), to 10 ms."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, "starttime", since boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _phases(timings: dict[str, float], wall: float) -> dict[str, float]:
    """The run's phases as a user sees them, from the timings it recorded (seconds).

    `write` runs on its own connections while later chunks are scored, so the phases add up to
    more than the wall clock when it overlaps.
    """
    phases = {
        "load": timings.get("load_exhibitors", 0.0)
        + timings.get("prepare_storage", 0.0)
        + timings.get("load_buyers", 0.0)
        + timings.get("chunks_load", 0.0)
        + timings.get("chunks_rules", 0.0),
        "score": timings.get("chunks_score", 0.0),
        "reasons": timings.get("chunks_explain", 0.0),
        "write": timings.get("chunks_write", 0.0),
        "index": timings.get("index", 0.0),
        "publish": timings.get("publish", 0.0),
        "finish": timings.get("finish", 0.0),
    }
    phases["run"] = wall
    return {name: round(value, 4) for name, value in phases.items()}


class Command(BaseCommand):
    help = "Score every buyer of an expo against every exhibitor (a full match run), showing progress."
    requires_system_checks = []  # nothing served here; `check` and the web processes run them

    def run_from_argv(self, argv):
        """From the command line: once the command is done (its connections closed by Django, its
        output flushed here), the process ends at once instead of tearing the interpreter down
        module by module, which took 0.2–0.5 s after a run (numba, numpy, Django…). Errors still
        leave through Django's usual exit."""
        super().run_from_argv(argv)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    def add_arguments(self, parser):
        parser.add_argument("--expo", help="Expo slug (default: the current expo)")
        parser.add_argument("--inline", action="store_true", help="Run in this process, not on the workers")
        parser.add_argument("--chunk-size", type=int, help="Buyers per chunk (default: the expo's setting)")
        parser.add_argument(
            "--threads",
            type=int,
            default=2,
            help="With --inline: database connections writing rows while scoring goes on (default 2)",
        )
        parser.add_argument("--no-wait", action="store_true", help="Queue the run and return at once")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")
        parser.add_argument(
            "--if-needed", action="store_true", help="Do nothing when the expo already has served results"
        )
        parser.add_argument(
            "--timings",
            action="store_true",
            help="Print the phases (start-up, load, score, reasons, write, publish) as one JSON line",
        )

    def handle(self, *args, **options):
        handle_at, startup = time.time(), _process_age()
        expo = expo_current(slug=options["expo"])
        if expo is None:
            raise CommandError(f"No expo {options['expo']!r}." if options["expo"] else "No expo is current.")
        if options["if_needed"] and match_run_served(expo=expo) is not None:
            self.stdout.write(f"{expo.slug} already has recommendations; keeping them.")
            return
        if options["chunk_size"] is not None and options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        inline = options["inline"] or settings.CELERY_TASK_ALWAYS_EAGER
        if inline and scoring.default_engine() == "numba":
            # Importing numba and loading the kernel from its cache takes ~0.5 s of one core: done
            # while the run is prepared and its profiles read (the kernel's lock makes the first
            # chunk wait for it if it is not ready yet).
            threading.Thread(target=scoring._get_kernel, daemon=True).start()
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
        if options["timings"]:
            report = {
                "handle_at": handle_at,
                "done_at": time.time(),
                "phases": {"startup": startup, **_phases(run.timings, time.time() - handle_at)},
            }
            self.stdout.write("Timings: " + json.dumps(report))
