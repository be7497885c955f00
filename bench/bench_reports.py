"""Time the deal-totals report at expo scale on PostgreSQL: CSV, XLSX and every JSON grouping.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_reports.py

Seeds one expo with 5,000 exhibitors, 50,000 buyers, 1,000,000 deals, 300,000 meetings (two
thirds of them held: accepted or checked in) and 100,000 sample requests at held meetings (COPY,
into a scratch database, --database; skipped when the bench expo exists), then requests
`GET /api/v1/reports/deal-totals/` through Django's test client as an organiser (full stack, no
network) and reads the whole response:

- CSV, one row per deal (`group_by=deal`), for 250,000 / 500,000 / 1,000,000 deals (date ranges):
  time and peak Python memory (tracemalloc, in a second pass), which should stay flat as rows grow;
- XLSX of 100,000 deals (`group_by=deal`, one day's range);
- JSON of each grouping over all 1,000,000 deals.

Prints the machine (CPU model, cores, load average), which may be shared with other work.
"""

import argparse
import datetime
import os
import platform
import random
import sys
import time
import tracemalloc
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, load, scratch_database  # noqa: E402

SLUG = "bench-reports"
DAYS = 10  # deals spread evenly over ten days, so date ranges select 10 % steps


def seed(deals: int, buyers: int, exhibitors: int, meetings: int, samples: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import User
    from expo.models import Buyer, Deal, Exhibitor, Expo, Meeting, SampleRequest, Term
    from expo.services.floor import expo_create
    from expo.services.money import exchange_rate_set

    if Expo.objects.filter(slug=SLUG).exists():
        return
    started = time.perf_counter()
    expo = expo_create(
        slug=SLUG, name="Bench expo", start_date=datetime.date(2027, 4, 1), days=DAYS,
        opening_time=datetime.time(9), closing_time=datetime.time(17), slot_minutes=20, make_current=True,
    )  # fmt: skip
    rates = {"CNY": Decimal(1), "USD": Decimal("7.1234"), "EUR": Decimal("7.7531"), "JPY": Decimal("0.04761")}
    for code, rate in rates.items():
        if code != "CNY":
            exchange_rate_set(expo=expo, currency=code, rate_to_cny=rate)
    Exhibitor.objects.bulk_create(
        [
            Exhibitor(expo=expo, external_id=f"E{i}", name_en=f"Mill {i}", name_zh=f"织造厂{i}")
            for i in range(exhibitors)
        ],
        batch_size=5000,
    )
    password = make_password(None)
    User.objects.bulk_create(
        [User(email=f"bench-buyer-{i}@example.com", password=password) for i in range(buyers)],
        batch_size=5000,
    )
    users = list(User.objects.filter(email__startswith="bench-buyer-").values_list("pk", flat=True))
    countries = ["DE", "FR", "IT", "US", "GB", "KR", "JP", "IN", "TR", "VN", "BD", "AE", ""]
    Buyer.objects.bulk_create(
        [
            Buyer(expo=expo, user_id=u, company=f"Brand {i}", country=countries[i % len(countries)])
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    buyer_ids = list(Buyer.objects.filter(expo=expo).values_list("pk", flat=True))
    exhibitor_ids = list(Exhibitor.objects.filter(expo=expo).values_list("pk", flat=True))
    fabrics = list(Term.objects.filter(kind="fabric").values_list("pk", flat=True))
    rng = random.Random(7)
    columns = [
        "expo_id", "buyer_id", "exhibitor_id", "external_id", "amount", "currency", "rate", "amount_cny_fen",
        "quantity_m", "category_id", "stage", "date", "note", "created_at", "updated_at",
    ]  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    stages = ["intended", "negotiating", "signed", "signed", "withdrawn"]
    with connection.cursor() as cursor:
        copy_sql = f"COPY {Deal._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for n in range(deals):
                currency = rng.choice(list(rates))
                amount = Decimal(rng.randint(100, 10**9)) / 100
                fen = int((amount * rates[currency]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
                copy.write_row(
                    (
                        expo.pk, rng.choice(buyer_ids), rng.choice(exhibitor_ids), "", amount, currency,
                        rates[currency], fen, rng.randint(100, 90000), rng.choice(fabrics), rng.choice(stages),
                        expo.start_date + datetime.timedelta(days=n * DAYS // deals), "", now, now,
                    )
                )  # fmt: skip
    seed_meetings(expo, meetings, samples, buyer_ids, exhibitor_ids, fabrics, rng)
    with connection.cursor() as cursor:
        for model in (Deal, Meeting, SampleRequest):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    print(
        f"seeded {deals:,} deals, {meetings:,} meetings and {samples:,} samples"
        f" in {time.perf_counter() - started:.0f} s"
    )


def seed_meetings(expo, meetings: int, samples: int, buyer_ids, exhibitor_ids, fabrics, rng) -> None:
    """One booth with one table per exhibitor; meetings spread over every slot, none double-booked."""
    from django.db import connection

    from expo.models import Booth, Hall, Meeting, SampleRequest, Slot, Table

    hall = Hall.objects.create(expo=expo, code="1")
    Booth.objects.bulk_create(
        [Booth(expo=expo, hall=hall, code=f"B{i}", exhibitor_id=e) for i, e in enumerate(exhibitor_ids)],
        batch_size=5000,
    )
    booths = dict(Booth.objects.filter(expo=expo).values_list("exhibitor_id", "pk"))
    Table.objects.bulk_create([Table(booth_id=booths[e], number=1) for e in exhibitor_ids], batch_size=5000)
    tables = dict(Table.objects.filter(booth__expo=expo).values_list("booth__exhibitor_id", "pk"))
    slots = list(Slot.objects.filter(expo=expo).order_by("start").values_list("pk", flat=True))
    # Meeting n takes slot n % S and the k-th exhibitor and buyer (k = n // S, shifted per slot):
    # within one slot k never repeats, so no table and no buyer is taken twice.
    assert meetings // len(slots) < min(len(exhibitor_ids), len(buyer_ids)), "too many meetings"
    statuses = ["accepted", "checked_in", "checked_in", "accepted", "declined", "cancelled"]
    columns = [
        "expo_id", "buyer_id", "exhibitor_id", "slot_id", "table_id", "status", "requested_by",
        "decline_reason", "no_show_side", "check_in_code", "created_at", "updated_at",
    ]  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        copy_sql = f"COPY {Meeting._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for n in range(meetings):
                s, k = n % len(slots), n // len(slots)
                exhibitor = exhibitor_ids[(k + s * 13) % len(exhibitor_ids)]
                buyer = buyer_ids[(k + s * 211) % len(buyer_ids)]
                copy.write_row(
                    (
                        expo.pk, buyer, exhibitor, slots[s], tables[exhibitor], statuses[n % len(statuses)],
                        "buyer", "", "", f"bench{n}", now, now,
                    )
                )  # fmt: skip
    held = list(
        Meeting.objects.filter(expo=expo, status__in=["accepted", "checked_in"]).values_list("pk", flat=True)
    )
    columns = ["meeting_id", "fabric_id", "quantity", "status", "note", "created_at", "updated_at"]
    with connection.cursor() as cursor:
        copy_sql = f"COPY {SampleRequest._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for _n in range(samples):
                copy.write_row(
                    (rng.choice(held), rng.choice(fabrics), rng.randint(1, 5), "requested", "", now, now)
                )


def fetch(client, params: dict) -> tuple[float, int, int]:
    """(seconds, bytes, rows) of one full response, read to the end as a client would."""
    started = time.perf_counter()
    response = client.get("/api/v1/reports/deal-totals/", params)
    assert response.status_code == 200, response.status_code
    if response.streaming:
        size = rows = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
    else:
        size, rows = len(response.content), response.content.count(b'"key"')
    return time.perf_counter() - started, size, rows


def peak_memory(client, params: dict) -> float:
    """Peak Python memory (MiB, tracemalloc) while producing and reading one response."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fetch(client, params)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="shuttle_bench_reports")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--meetings", type=int, default=300_000)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="drop the scratch database first")
    parser.add_argument("--json-only", action="store_true", help="skip the CSV and XLSX exports")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = scratch_database(url, args.database, fresh=args.fresh)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import Role, User

    call_command("migrate", verbosity=0)
    seed(args.deals, args.buyers, args.exhibitors, args.meetings, args.samples)
    organiser, _ = User.objects.get_or_create(
        email="bench-organiser@example.com", defaults={"role": Role.ORGANISER}
    )
    client = Client()
    client.force_login(organiser)
    start = datetime.date(2027, 4, 1)

    print(
        f"\nmachine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load()}"
    )
    if not args.json_only:
        exports(client, start, args.deals)
    groupings(client)
    print(f"\nload after: {load()}")


def exports(client, start: datetime.date, deals: int) -> None:
    print("\nCSV, group_by=deal (one row per deal), date ranges of growing size")
    print(f"{'rows':>10} {'MB':>8} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for tenths in (1, 3, 5, 10):
        params = {
            "group_by": "deal", "format": "csv", "date_from": start.isoformat(),
            "date_to": (start + datetime.timedelta(days=tenths * DAYS // 10 - 1)).isoformat(),
        }  # fmt: skip
        seconds, size, rows = fetch(client, params)
        peak = peak_memory(client, params)
        print(
            f"{rows - 2:>10,} {size / 1e6:>8.1f} {seconds:>8.1f} {(rows - 2) / seconds:>10,.0f} {peak:>9.1f}"
        )

    print("\nXLSX, group_by=deal, one day's deals")
    params = {
        "group_by": "deal",
        "format": "xlsx",
        "date_from": start.isoformat(),
        "date_to": start.isoformat(),
    }
    seconds, size, _rows = fetch(client, params)
    print(
        f"{deals // DAYS:,} rows: {seconds:.1f} s, {size / 1e6:.1f} MB, peak {peak_memory(client, params):.1f} MiB"
    )


def groupings(client) -> None:
    from expo.models import Expo
    from expo.services.reports import TotalsFilter, group_counts

    print("\nJSON, each grouping over every deal (withdrawn excluded by the report)")
    for group_by in ("exhibitor", "buyer", "category", "country", "day"):
        seconds, size, rows = fetch(client, {"group_by": group_by})
        print(f"{group_by:>10}: {rows:>7,} rows, {seconds:.2f} s, {size / 1e6:.1f} MB")
    print("\nof which the count columns (samples, meetings: one GROUP BY query each), timed alone")
    expo = Expo.objects.get(slug=SLUG)
    for group_by in ("exhibitor", "buyer", "category", "country", "day"):
        started = time.perf_counter()
        counts = group_counts(TotalsFilter(expo=expo, group_by=group_by))
        keys = ", ".join(f"{len(c):,}" for c in counts)
        print(f"{group_by:>10}: {time.perf_counter() - started:.2f} s ({keys} keys)")


if __name__ == "__main__":
    main()
