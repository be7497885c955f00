"""Time `seed_demo` (the demo data service) at expo scale on PostgreSQL, phase by phase.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_seed.py

Seeds --buyers × --exhibitors (default 50,000 × 5,000) into a scratch database (--database,
created and migrated if missing) on the server DATABASE_URL points at; nothing else is touched.
The previous bench expo is reset first (timed apart). Prints the machine (CPU model, cores, load
average) with the figures, since the machine may be shared.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, load, scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="seed this many times (reset in between)")
    parser.add_argument("--database", default="shuttle_bench_seed", help="scratch database name")
    parser.add_argument("--expo", default="bench-seed", help="slug of the seeded expo")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch_database(os.environ.get("DATABASE_URL", ""), args.database)
    os.environ.setdefault("DJANGO_DEBUG", "1")  # no SECRET_KEY needed; queries are not logged
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from expo.models import Term
    from expo.services.demo import demo_plan, demo_reset, demo_seed

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    version = connection.cursor().connection.info.server_version
    print(f"PostgreSQL {version // 10000}.{version % 10000}; database {args.database}")
    print(f"seed_demo --buyers {args.buyers:,} --exhibitors {args.exhibitors:,} --seed {args.seed}")

    terms = list(Term.objects.values_list("kind", "slug", "name_en", "name_zh", "parent__slug"))
    started = time.perf_counter()
    demo_plan(
        buyers=args.buyers, exhibitors=args.exhibitors, seed=args.seed, expo_slug=args.expo, terms=terms
    )
    print(f"plan alone (pure numpy + Python, no database): {time.perf_counter() - started:.2f} s")

    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        demo_reset(expo_slug=args.expo)
        reset = time.perf_counter() - started
        print(f"\nrun {run}: load average before: {load()}")
        print(f"  reset of the previous bench expo: {reset:.2f} s")
        started = time.perf_counter()
        result = demo_seed(
            buyers=args.buyers, exhibitors=args.exhibitors, seed=args.seed, expo_slug=args.expo
        )
        total = time.perf_counter() - started
        for phase, seconds in result.seconds.items():
            print(f"  {phase:<14} {seconds:8.2f} s")
        print(f"  {'total':<14} {total:8.2f} s")
        print(
            f"  rows: {result.exhibitors:,} exhibitors, {result.booths:,} booths, {result.tables:,} tables, "
            f"{result.buyers + 2:,} users, {result.buyers:,} buyers, {result.facet_links:,} facet links"
        )
        print(f"  load average after: {load()}")


if __name__ == "__main__":
    main()
