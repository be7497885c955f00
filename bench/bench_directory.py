"""Time the exhibitor directory API (filters + search) at expo scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_directory.py

Seeds 5,000 exhibitors and 50,000 buyers with `seed_demo`'s service into a scratch database
(--database, created and migrated if missing; the seed is skipped when the bench expo exists),
then requests `GET /api/v1/exhibitors/` through Django's test client (full stack: URL routing,
authentication, django-filter, pagination, serialisation; no network) for several filter and
search mixes, and prints p50/p99 latency, the query count, and whether PostgreSQL uses the
full-text index. Prints the machine (CPU model, cores, load average), which may be shared.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, load, scratch_database  # noqa: E402

SCENARIOS: list[tuple[str, dict]] = [
    ("no filter", {}),
    ("one fabric", {"fabric": "chiffon"}),
    (
        "OR in a facet + AND across",
        {"fabric": "chiffon,satin,georgette", "certification": "oeko-tex-100,grs"},
    ),
    ("search, Latin", {"search": "silk"}),
    ("search, Chinese", {"search": "丝绸"}),
    (
        "facets + hall + search + order",
        {
            "fabric": "chiffon,satin",
            "process": "dyeing,digital-printing",
            "hall": "A,B,C",
            "search": "silk",
            "ordering": "moq",
        },
    ),
    (
        "all five facets, page of 100",
        {
            "fabric": "chiffon,satin,jersey,georgette",
            "process": "digital-printing,dyeing,piece-dyeing",
            "fibre": "polyester-fdy,nylon,silk",
            "end_use": "womens-wear,sportswear",
            "certification": "oeko-tex-100,grs",
            "page_size": 100,
        },
    ),
    (
        "all five facets + search, page of 100",
        {
            "fabric": "chiffon,satin,jersey,georgette",
            "process": "digital-printing,dyeing",
            "fibre": "polyester,nylon,silk",
            "end_use": "womens-wear,sportswear",
            "certification": "oeko-tex-100,grs",
            "search": "co",
            "page_size": 100,
        },
    ),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=100, help="timed requests per scenario")
    parser.add_argument("--database", default="shuttle_bench_directory", help="scratch database name")
    parser.add_argument("--expo", default="bench-directory", help="slug of the seeded expo")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch_database(os.environ.get("DATABASE_URL", ""), args.database)
    os.environ.setdefault("DJANGO_DEBUG", "1")  # no SECRET_KEY needed; queries are not logged
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # the directory does not use the cache; keep it hermetic
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS

    from expo.models import Buyer, Exhibitor, Expo
    from expo.selectors import exhibitor_list, exhibitors_matching
    from expo.services.demo import demo_seed
    from expo.services.floor import expo_make_current

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    version = connection.cursor().connection.info.server_version
    print(f"PostgreSQL {version // 10000}.{version % 10000}; database {args.database}")
    expo = Expo.objects.filter(slug=args.expo).first()
    if expo is None:
        started = time.perf_counter()
        expo = demo_seed(buyers=args.buyers, exhibitors=args.exhibitors, seed=3, expo_slug=args.expo).expo
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    expo_make_current(expo=expo)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{Exhibitor.objects.filter(expo=expo).count():,} exhibitors, "
        f"{Buyer.objects.filter(expo=expo).count():,} buyers at expo {expo.slug}"
    )

    sql, params = exhibitors_matching(exhibitor_list(expo=expo), search="silk mill").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scan = "GIN index" if "expo_exhibitor_search" in plan else "sequential scan"
    print(f"planner's choice for a full-text search at this size: {scan}")

    client = Client()
    print(f"\nload average before: {load()}; {args.runs} timed requests per scenario after 5 warm-ups")
    print(f"{'scenario':<40} {'results':>8} {'queries':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, params in SCENARIOS:
        url = "/api/v1/exhibitors/?" + urlencode(params)
        for _ in range(5):
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries: list[str] = []

        def record(execute, sql, params, many, context, log=queries):
            log.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url, secure=True)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<40} {response.json()['count']:>8,} {len(queries):>8} "
            f"{percentile(timings, 0.5):>8.1f} {percentile(timings, 0.99):>8.1f}"
        )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
