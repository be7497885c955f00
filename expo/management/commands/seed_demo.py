import os
import sys
import time
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from expo.services.demo import DemoLogin, demo_has_data, demo_logins, demo_reset, demo_seed


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _box(lines: list[str]) -> str:
    inner = max(_width(line) for line in lines)
    rule = "+" + "-" * (inner + 2) + "+"
    body = [f"| {line}{' ' * (inner - _width(line))} |" for line in lines]
    return "\n".join([rule, *body, rule])


def logins_box(logins: list[DemoLogin], port: int | str) -> str:
    """The demo logins, their password and the site's addresses, in a box (also `serve_demo`'s)."""
    lines = [
        "Shuttle demo logins",
        "",
        *[
            f"{login.role:<16} {login.email}" + (f"  ({login.note})" if login.note else "")
            for login in logins
        ],
        "",
        f"Password (all demo accounts): {settings.SHUTTLE_DEMO_PASSWORD}",
        f"Site:  http://127.0.0.1:{port}/",
        f"Admin: http://127.0.0.1:{port}/admin/",
    ]
    return _box(lines)


class Command(BaseCommand):
    help = (
        "Create a deterministic demo expo: halls, booths, exhibitors, buyers, meetings with intended "
        "deals and sample requests, and three demo logins (organiser, exhibitor staff, buyer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--buyers", type=int, default=300)
        parser.add_argument("--exhibitors", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data")
        parser.add_argument("--expo", default="demo", help="Slug of the demo expo (default: demo)")
        parser.add_argument(
            "--if-empty", action="store_true", help="Keep existing demo data and only print the logins"
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo expo and its accounts first"
        )
        parser.add_argument(
            "--announce",
            action="store_true",
            help="Tell matching about the new profiles (it queues a rescore when it listens)",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the demo logins (make run prints them after the server's start-up lines)",
        )

    def handle(self, *args, **options):
        slug = options["expo"]
        self.print_logins = not options["no_logins"]
        if options["if_empty"] and not options["reset"] and demo_has_data(expo_slug=slug):
            self.stdout.write(f"The demo expo {slug!r} already has data; keeping it.")
            self._print_logins(demo_logins(expo_slug=slug))
            return
        if options["reset"] or options["if_empty"]:
            # --if-empty reaches here only when there is no demo data: clear leftovers (an empty
            # expo, orphaned demo accounts) so seeding starts clean.
            demo_reset(expo_slug=slug)

        started = time.perf_counter()
        # One bar on stderr, relabelled per phase; off when stderr is not a terminal (CI, logs).
        quiet = options["no_progress"] or options["verbosity"] == 0
        bar = None if quiet else tqdm(unit=" rows", leave=False, disable=None, file=sys.stderr)
        if bar is not None and bar.disable:
            bar = None

        def progress(phase: str, done: int, total: int) -> None:
            if bar is None:
                return
            if bar.desc != phase:
                bar.reset(total=total)
                bar.set_description_str(phase, refresh=False)
            bar.update(done - bar.n)

        try:
            result = demo_seed(
                buyers=options["buyers"],
                exhibitors=options["exhibitors"],
                seed=options["seed"],
                expo_slug=slug,
                progress=progress,
                announce=options["announce"],
            )
        except ValidationError as exc:
            lines = [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
            if any(name == "expo_slug" for name in exc.message_dict):
                lines.append("Use --reset to replace the demo data, or --if-empty to keep it.")
            raise CommandError("Demo data not created:\n  " + "\n  ".join(lines)) from exc
        finally:
            if bar is not None:
                bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.expo.slug}: {result.exhibitors:,} exhibitors, {result.buyers:,} buyers, "
                f"{result.halls} halls, {result.booths:,} booths, {result.tables:,} tables, "
                f"{result.facet_links:,} facet links, {result.meetings:,} meetings, {result.deals:,} deals, "
                f"{result.samples:,} sample requests in {elapsed:.1f} s."
            )
        )
        self._print_logins(result.logins)

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        if not self.print_logins:
            return
        self.stdout.write(logins_box(logins, os.environ.get("PORT", "8000")))
