"""Booking throughput and latency through gunicorn + PostgreSQL, and double bookings counted by SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_booking.py

Creates a fresh scratch database (--database), migrates it, and seeds one expo whose slots lie in
the future: --exhibitors exhibitors with one booth of --tables tables each, a shared lounge none of
them uses, and enough verified buyers with API tokens. Then, for each --clients figure (default 32
and 128), starts gunicorn (--workers sync workers, no broker: notifications are written to the
outbox and sent in-process to a dummy mail backend, as in `make run`), lets that many client
threads POST `/api/v1/meetings/` as fast as they can for --requests requests each (every client
signs in as its own buyers and picks an exhibitor and a slot among a small set at random, so
many requests race for the same table), and prints requests per second, bookings per second,
p50/p99 latency and the status counts (201 booked, 409 taken, anything else is a failure).
Afterwards it counts, by SQL, the active meetings sharing a table or a buyer in one slot: must be 0.
Prints the machine (CPU model, cores, load average), which may be shared; the clients run on the
same machine as the server and the database, so the figures are for the whole system.
"""

import argparse
import http.client
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model, load, scratch_database  # noqa: E402

DOUBLE_BOOKINGS = """
SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM expo_meeting WHERE status = ANY(%(active)s)
                              GROUP BY table_id, slot_id HAVING COUNT(*) > 1) t)
     + (SELECT COUNT(*) FROM (SELECT 1 FROM expo_meeting WHERE status = ANY(%(active)s)
                              GROUP BY buyer_id, slot_id HAVING COUNT(*) > 1) b)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def seed(*, exhibitors: int, tables: int, buyers: int) -> dict:
    """The expo, its exhibitors with tables, buyers with tokens; returns what the clients need."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from expo.models import Booth, Buyer, Exhibitor, Hall, Slot
    from expo.services.floor import booth_tables_sync, expo_create

    start = timezone.localdate() + datetime.timedelta(days=7)
    expo = expo_create(
        slug="bench-booking",
        name="Booking bench",
        start_date=start,
        days=1,
        opening_time=datetime.time(9),
        closing_time=datetime.time(17),
        slot_minutes=20,
        make_current=True,
    )
    hall = Hall.objects.create(expo=expo, code="B1")
    exhibitor_ids = []
    for i in range(exhibitors):
        exhibitor = Exhibitor.objects.create(expo=expo, name_en=f"Bench Mill {i}")
        booth = Booth.objects.create(
            expo=expo, hall=hall, code=f"B{i:04d}", exhibitor=exhibitor, tables=tables
        )
        booth_tables_sync(booth=booth)
        exhibitor_ids.append(exhibitor.pk)
    lounge = Booth.objects.create(expo=expo, hall=hall, code="LOUNGE", tables=10, is_lounge=True)
    booth_tables_sync(booth=lounge)
    users = User.objects.bulk_create(
        [
            User(email=f"bench-buyer-{i}@example.com", role="buyer", email_confirmed=True)
            for i in range(buyers)
        ]
    )
    Buyer.objects.bulk_create(
        [Buyer(expo=expo, user=u, company=f"Bench Buyer {i}", verified=True) for i, u in enumerate(users)]
    )
    tokens = [Token.objects.create(user=u).key for u in users]
    slots = list(Slot.objects.filter(expo=expo).order_by("start").values_list("pk", flat=True))
    return {"exhibitors": exhibitor_ids, "slots": slots, "tokens": tokens}


def reset_meetings() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE expo_notification, expo_meetingevent, expo_meeting CASCADE")


def double_bookings() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_BOOKINGS, {"active": ["requested", "accepted", "checked_in"]})
        return cursor.fetchone()[0]


def serve(*, url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-booking-not-secret",
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "ERROR",
        "CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--log-level=warning",
        "--timeout=120",
    ]
    # The server's log (a warning per 409) would drown the table: it goes to bench/out/booking-server.log.
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    log = open(ROOT / "bench" / "out" / "booking-server.log", "ab")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        command, cwd=ROOT, env={**env, "PYTHONWARNINGS": "ignore"}, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within a minute")


def run_clients(
    *, port: int, clients: int, requests: int, data: dict, hot_exhibitors: int, seed_: int
) -> dict:
    rng = random.Random(seed_)
    exhibitors = data["exhibitors"][:hot_exhibitors]
    slots = data["slots"]
    per_client = len(data["tokens"]) // clients
    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        tokens = data["tokens"][index * per_client : (index + 1) * per_client]
        local_rng = random.Random(rng.random())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        counts: dict[int, int] = {}
        barrier.wait()
        for i in range(requests):
            body = json.dumps({"exhibitor": local_rng.choice(exhibitors), "slot": local_rng.choice(slots)})
            headers = {
                "Authorization": f"Token {tokens[i % len(tokens)]}",
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/meetings/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status = 0
            mine.append(time.perf_counter() - started)
            counts[status] = counts.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, n in counts.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--exhibitors", type=int, default=300)
    parser.add_argument("--hot-exhibitors", type=int, default=60, help="exhibitors the clients pick from")
    parser.add_argument("--tables", type=int, default=2)
    parser.add_argument("--buyers-per-client", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8108")))
    parser.add_argument("--database", default="shuttle_bench_booking", help="scratch database name")
    args = parser.parse_args()

    url = scratch_database(os.environ.get("DATABASE_URL", ""), args.database, fresh=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-booking-not-secret")
    os.environ.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DJANGO_DEBUG": "1"},
    )
    began = time.perf_counter()
    data = seed(
        exhibitors=args.exhibitors, tables=args.tables, buyers=max(args.clients) * args.buyers_per_client
    )
    print(
        f"Seeded {len(data['exhibitors'])} exhibitors × {args.tables} tables, {len(data['slots'])} slots, "
        f"{len(data['tokens'])} buyers in {time.perf_counter() - began:.1f} s"
    )
    print(
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"gunicorn {args.workers} sync workers; clients on the same machine"
    )
    capacity = args.hot_exhibitors * args.tables * len(data["slots"])
    print(
        f"Clients pick among {args.hot_exhibitors} exhibitors × {len(data['slots'])} slots "
        f"(room for {capacity} meetings)\n"
    )
    print(
        "| clients | requests | req/s | bookings/s | p50 ms | p99 ms | 201 | 409 | other | double bookings | load before |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for clients in args.clients:
        reset_meetings()
        before = load()
        server = serve(url=url, port=args.port, workers=args.workers)
        try:
            result = run_clients(
                port=args.port,
                clients=clients,
                requests=args.requests,
                data=data,
                hot_exhibitors=args.hot_exhibitors,
                seed_=clients,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        statuses = result["statuses"]
        total = sum(statuses.values())
        booked = statuses.get(201, 0)
        other = total - booked - statuses.get(409, 0)
        lat = [x * 1000 for x in result["latencies"]]
        print(
            f"| {clients} | {total} | {total / result['elapsed']:.0f} | {booked / result['elapsed']:.0f} | "
            f"{percentile(lat, 0.5):.0f} | {percentile(lat, 0.99):.0f} | {booked} | {statuses.get(409, 0)} | "
            f"{other} | {double_bookings()} | {before} |"
        )
        if other:
            print(f"  statuses: {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()
