"""Time the organiser's admin lists (buyers, exhibitors, users) at expo scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_admin.py

Seeds 50,000 buyers and 5,000 exhibitors with `seed_demo`'s service into a scratch database
(--database, created and migrated if missing; the seed is skipped when the expo exists), signs
in as that expo's demo organiser, then requests the admin change lists through Django's test
client (full stack: session, admin permissions, list filters, counting, paging, rendering; no
network) in English and Chinese, and prints p50/p99 latency and the query count of each.
Prints the machine (CPU model, cores, load average), which may be shared.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, load, scratch_database  # noqa: E402

SCENARIOS: list[tuple[str, str, str]] = [  # (name, admin URL, language)
    ("buyers, first page", "/admin/expo/buyer/", "en"),
    ("buyers, first page, Chinese", "/admin/expo/buyer/", "zh-hans"),
    ("buyers, page 250", "/admin/expo/buyer/?p=250", "en"),
    ("buyers, by country", "/admin/expo/buyer/?o=3", "en"),
    ("buyers, verified only", "/admin/expo/buyer/?verified__exact=1", "en"),
    ("buyers, search", "/admin/expo/buyer/?q=gmbh", "en"),
    ("exhibitors, first page", "/admin/expo/exhibitor/", "en"),
    ("exhibitors, first page, Chinese", "/admin/expo/exhibitor/", "zh-hans"),
    ("users, first page", "/admin/accounts/user/", "en"),
    ("users, first page, Chinese", "/admin/accounts/user/", "zh-hans"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per scenario")
    parser.add_argument("--database", default="shuttle_bench_admin", help="scratch database name")
    parser.add_argument("--expo", default="bench-admin", help="slug of the seeded expo")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch_database(os.environ.get("DATABASE_URL", ""), args.database)
    os.environ.setdefault("DJANGO_DEBUG", "1")  # no SECRET_KEY needed; queries are not logged
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # sessions in the database, as without Redis; keep it hermetic
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS

    from accounts.models import User
    from expo.models import Buyer, Exhibitor, Expo
    from expo.services.demo import demo_logins, demo_seed

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    version = connection.cursor().connection.info.server_version
    print(f"PostgreSQL {version // 10000}.{version % 10000}; database {args.database}")
    expo = Expo.objects.filter(slug=args.expo).first()
    if expo is None:
        started = time.perf_counter()
        expo = demo_seed(buyers=args.buyers, exhibitors=args.exhibitors, seed=1, expo_slug=args.expo).expo
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{Exhibitor.objects.count():,} exhibitors, {Buyer.objects.count():,} buyers, "
        f"{User.objects.count():,} users in the database"
    )
    organiser = next(login for login in demo_logins(expo_slug=expo.slug) if login.role == "organiser")

    client = Client()
    client.force_login(User.objects.get(email=organiser.email))
    print(f"\nload average before: {load()}; {args.runs} timed requests per scenario after 3 warm-ups")
    print(f"{'scenario':<34} {'rows':>7} {'queries':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, url, language in SCENARIOS:
        client.cookies["django_language"] = language
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        queries: list[str] = []

        def record(execute, sql, params, many, context, log=queries):
            log.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        rows = len(response.context["cl"].result_list)
        print(
            f"{name:<34} {rows:>7} {len(queries):>8} "
            f"{percentile(timings, 0.5):>8.1f} {percentile(timings, 0.99):>8.1f}"
        )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
