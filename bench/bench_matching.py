"""Matching benchmark: 50,000 buyers × 5,000 exhibitors (250 M pairs), top-20, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_matching.py

Uses the scratch database `shuttle_bench_matching` (created and migrated if missing) and the
`seed_demo` service for the data (expo slug `bench`, seeded once and kept; --reseed redoes it).
Prints, with the CPU, cores and load average:
1. in-memory scoring of every pair: numba kernel (cold and warm), numpy engine (on a block,
   extrapolated), and the per-pair Python reference on a sample (extrapolated);
2. a full run end to end as one worker does it (load, encode, score, explain, write, publish),
   in a fresh process so that its peak memory is its own, and the same run with another chunk
   size, checked identical;
3. incremental updates: a saved buyer profile served with its new list, a saved exhibitor
   reflected in every affected list.
Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import cpu_model, load, scratch_database  # noqa: E402

BENCH_DB = "shuttle_bench_matching"


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the bench database is created beside it).")
    return scratch_database(base, BENCH_DB)


def _setup_django(url: str, *, broker: bool = False) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not broker:
        os.environ.pop("REDIS_URL", None)  # in-process: the bench measures the work, not the broker
    import logging

    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)


def _context() -> str:
    return f"CPU {cpu_model()}, {os.cpu_count()} cores, load average {load()}"


def _peak_mib() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would carry the parent's over exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"  {label:<58} {time.perf_counter() - started:8.3f} s", flush=True)
    return result


def _seed(args) -> None:
    from django.core.management import call_command

    from expo.models import Expo
    from expo.services.demo import demo_reset, demo_seed

    call_command("migrate", verbosity=0)
    if args.reseed:
        demo_reset(expo_slug="bench")
    if not Expo.objects.filter(slug="bench").exists():
        print(
            f"Seeding {args.buyers:,} buyers × {args.exhibitors:,} exhibitors (seed_demo, once)…", flush=True
        )
        _timed(
            "seed_demo", demo_seed, buyers=args.buyers, exhibitors=args.exhibitors, seed=1, expo_slug="bench"
        )


def bench_scoring(args) -> None:
    import numpy as np

    from expo.models import Expo
    from matching import scoring
    from matching.services import loading
    from tests.matching.reference import score_pair

    expo = Expo.objects.get(slug="bench")
    print(f"\n1. Scoring in memory — {_context()}")
    layout = _timed("layout of the taxonomy", loading.layout_current)
    exhibitors = _timed("load + encode exhibitors", loading.exhibitors_encode, expo=expo, layout=layout)
    buyers = _timed("load + encode buyers", loading.buyers_encode, expo=expo, layout=layout)
    weights = loading.weights_array(loading.weights_get(expo=expo))
    pairs = len(buyers) * len(exhibitors)
    print(
        f"  {len(buyers):,} buyers × {len(exhibitors):,} exhibitors = {pairs / 1e6:.0f} M pairs, top-{args.k}"
    )

    started = time.perf_counter()
    scoring._get_kernel()
    print(f"  {'numba kernel: compile or load from cache':<58} {time.perf_counter() - started:8.3f} s")
    numba_top = _timed(
        "numba engine, every pair + streaming top-k",
        scoring.top_k,
        buyers,
        exhibitors,
        layout,
        weights,
        k=args.k,
        engine="numba",
    )
    _timed(
        "numba engine again (warm)",
        scoring.top_k,
        buyers,
        exhibitors,
        layout,
        weights,
        k=args.k,
        engine="numba",
    )

    block = buyers.take(slice(0, args.numpy_buyers))
    started = time.perf_counter()
    numpy_top = scoring.top_k(block, exhibitors, layout, weights, k=args.k, engine="numpy", block=512)
    elapsed = time.perf_counter() - started
    print(
        f"  numpy engine on {len(block):,} buyers: {elapsed:.3f} s → "
        f"{elapsed * len(buyers) / len(block):.1f} s for all (extrapolated)"
    )
    same = np.array_equal(numpy_top.exhibitor, numba_top.exhibitor[: len(block)]) and np.array_equal(
        numpy_top.score, numba_top.score[: len(block)]
    )
    print(f"  numpy and numba results identical on that block: {same}")

    sample_b, sample_e = args.reference_buyers, len(exhibitors)
    started = time.perf_counter()
    for b in range(sample_b):
        for e in range(sample_e):  # the slow baseline, on purpose
            score_pair(buyers, b, exhibitors, e, layout, weights)
    elapsed = time.perf_counter() - started
    print(
        f"  per-pair Python reference on {sample_b * sample_e:,} pairs: {elapsed:.2f} s → "
        f"{elapsed * pairs / (sample_b * sample_e):,.0f} s for all pairs (extrapolated)"
    )
    filled = int((numba_top.exhibitor >= 0).sum())
    print(f"  recommendations kept: {filled:,} (of {len(buyers) * args.k:,} slots)")
    print(f"  peak memory of this process so far: {_peak_mib():.0f} MiB")


def bench_run_child(args) -> None:
    """One full run in this (fresh) process; prints a JSON line for the parent."""
    from expo.models import Expo
    from matching.services import runs

    expo = Expo.objects.get(slug="bench")
    started = time.perf_counter()
    run = runs.match_run_start(expo=expo, dispatch=False)
    run = runs.match_run_execute(run=run, chunk_size=args.chunk_size, threads=args.threads)
    total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "run": run.pk,
                "status": run.status,
                "total": total,
                "timings": run.timings,
                "matches": run.matches_count,
                "chunks": run.chunks_total,
                "engine": run.engine,
                "peak_mib": _peak_mib(),
            }
        )
    )


def bench_worker_child(args) -> None:
    """Start a run on the Celery workers (through Redis) and wait for it; prints a JSON line."""
    from expo.models import Expo
    from matching.models import MatchRun
    from matching.services import runs

    expo = Expo.objects.get(slug="bench")
    MatchRun.objects.filter(expo=expo).update()  # connection warm-up
    started = time.perf_counter()
    run = runs.match_run_start(expo=expo)
    while True:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.05)
    total = time.perf_counter() - started
    print(json.dumps({"run": run.pk, "status": run.status, "total": total, "timings": run.timings,
                      "matches": run.matches_count, "chunks": run.chunks_total, "engine": run.engine,
                      "error": run.error}))  # fmt: skip


def _worker_peak_mib(pid: int) -> float:
    """Largest VmHWM among a worker's processes (the pool children do the scoring)."""
    peaks = []
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return max(peaks or [0.0])


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def bench_worker(url: str, args) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "DJANGO_DEBUG": "1"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--concurrency", "2",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(6)  # the worker connects and forks its pool
        print(f"\n2b. Full run on one Celery worker (2 processes, Redis broker) — {_context()}")
        for label in ("cold worker (first task of each process loads the kernel)", "warm worker"):
            out = subprocess.run(
                [sys.executable, __file__, "--child-worker-run"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            t = result["timings"]
            print(f"  {label}: {result['status']} {result['error']}".rstrip())
            print(f"    {'total, wall clock (start → completed)':<56} {result['total']:8.3f} s")
            print(
                f"    {'publish (unique index, attach partition, commit)':<56} {t.get('publish', 0):8.3f} s"
            )
            print("    chunk phases summed over both processes: " + ", ".join(
                f"{k.removeprefix('chunks_')} {v:.2f} s" for k, v in sorted(t.items()) if k.startswith("chunks_")
            ))  # fmt: skip
        print(f"    {'peak memory of a worker process':<56} {_worker_peak_mib(worker.pid):8.0f} MiB")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _run_in_child(url: str, chunk_size: int, threads: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--child-run", "--chunk-size", str(chunk_size), "--threads", str(threads)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_identical(url: str, args) -> None:
    """Two runs with different chunk sizes give identical lists (compared via a checksum of rows)."""
    from django.db import connection

    from matching.models import MatchRun, RunStatus

    def checksum(run_id: int) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(buyer_id * 31 + exhibitor_id * rank), sum(score) FROM matching_match WHERE run_id = %s",
                [run_id],
            )
            return cursor.fetchone()

    runs_done = []
    for chunk_size in (args.chunk_size, args.other_chunk_size):
        result = _run_in_child(url, chunk_size, args.threads)
        runs_done.append((chunk_size, result, checksum(result["run"])))
    print(f"\n2. Full run end to end, one worker (in-process, fresh process each) — {_context()}")
    for chunk_size, result, check in runs_done:
        t = result["timings"]
        print(
            f"  chunk size {chunk_size:,}: {result['chunks']} chunks, {result['matches']:,} rows, "
            f"engine {result['engine']}, status {result['status']}"
        )
        phases = [
            (
                "load exhibitors, snapshot, create chunks + run table",
                t.get("load_exhibitors", 0) + t.get("prepare_storage", 0),
            ),
            (
                "load + encode buyers (all chunks, or once in one process)",
                t.get("chunks_load", 0) + t.get("load_buyers", 0),
            ),
            ("existing customers + feedback rules", t.get("chunks_rules", 0)),
            ("score + top-k (all chunks)", t.get("chunks_score", 0)),
            ("reasons (all chunks)", t.get("chunks_explain", 0)),
            ("write rows (COPY BINARY into the run's table)", t.get("chunks_write", 0)),
            ("both indexes + statistics, side by side (one process)", t.get("index", 0)),
            ("publish (unique index, attach partition, commit)", t.get("publish", 0)),
        ]
        for label, seconds in phases:
            print(f"    {label:<56} {seconds:8.3f} s")
        print(f"    {'total, wall clock (start → completed)':<56} {result['total']:8.3f} s")
        print(f"    {'peak memory of the run process':<56} {result['peak_mib']:8.0f} MiB")
        print(f"    rows checksum {check}")
    (a, b) = (runs_done[0][2], runs_done[1][2])
    same = a[0] == b[0] and a[1] == b[1] and abs(float(a[2]) - float(b[2])) < 1e-6
    print(f"  the two chunk sizes give the same rows: {same}")
    served = MatchRun.objects.filter(status=RunStatus.COMPLETED, expo__slug="bench").count()
    print(f"  completed (served) runs of the bench expo: {served}")


def bench_incremental(args) -> None:
    from expo.models import Buyer, Exhibitor, Expo, Term
    from expo.services.profiles import buyer_profile_update
    from matching.selectors import match_list_for_buyer
    from matching.services import incremental, loading

    expo = Expo.objects.get(slug="bench")
    print(f"\n3. Incremental updates — {_context()}")
    buyer = Buyer.objects.filter(expo=expo).order_by("pk")[100]
    fabrics = list(Term.objects.filter(kind="fabric").order_by("pk")[:3])
    loading.exhibitors_cache_clear()
    # A worker process keeps the encoded exhibitors between tasks; the first save pays for them.
    # The real path: the profile service sends its signal, the receiver queues the rescore on
    # commit, and the (eager, in-process) worker runs it. A worker keeps the encoded exhibitors
    # between tasks; the first save in a fresh process pays for encoding them.
    for label in ("first save in a fresh worker", "next save (exhibitors cached)"):
        started = time.perf_counter()
        buyer_profile_update(buyer=buyer, data={"fabrics": fabrics})
        served = list(match_list_for_buyer(buyer=buyer))
        elapsed = time.perf_counter() - started
        print(
            f"  saved buyer profile → new list served ({label}): {elapsed * 1000:7.1f} ms, {len(served)} matches"
        )
        fabrics = fabrics[1:] + fabrics[:1]
    from django.db.models import Count

    from matching.selectors import match_run_served

    served_run = match_run_served(expo=expo)
    popularity = list(
        served_run.matches.values("exhibitor_id")
        .annotate(n=Count("id"))
        .order_by("n")
        .values_list("exhibitor_id", "n")
    )
    median_id, median_n = popularity[len(popularity) // 2]
    top_id, top_n = popularity[-1]
    print(
        f"  lists holding an exhibitor: median {median_n}, most {top_n} (of {served_run.buyers_count:,} buyers)"
    )
    for exhibitor_id, who in ((median_id, "median exhibitor"), (top_id, "most listed exhibitor")):
        exhibitor = Exhibitor.objects.get(pk=exhibitor_id)
        lead = exhibitor.lead_time_days
        for label, days in (("lead time + 10 days", (lead or 20) + 10), ("lead time back", lead)):
            exhibitor.lead_time_days = days
            exhibitor.save()
            started = time.perf_counter()
            affected = incremental.match_rescore_exhibitor(exhibitor_id=exhibitor.pk, expo=expo)
            elapsed = time.perf_counter() - started
            print(
                f"  saved {who} ({label}) → every affected list updated: {elapsed * 1000:7.1f} ms, "
                f"{affected:,} buyers rescored"
            )
    exhibitor = Exhibitor.objects.filter(expo=expo).order_by("pk")[10]
    offered = list(exhibitor.fabrics.all())
    for label, change in (
        ("gains every fabric", list(Term.objects.filter(kind="fabric"))),
        ("back as it was", offered),
    ):
        exhibitor.fabrics.set(change)
        exhibitor.save()
        started = time.perf_counter()
        affected = incremental.match_rescore_exhibitor(exhibitor_id=exhibitor.pk, expo=expo)
        elapsed = time.perf_counter() - started
        print(
            f"  saved exhibitor ({label}) → every affected list updated: {elapsed * 1000:7.1f} ms, {affected:,} buyers rescored"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--other-chunk-size", type=int, default=12_345)
    parser.add_argument("--numpy-buyers", type=int, default=2_000, help="Block the numpy engine is timed on")
    parser.add_argument("--reference-buyers", type=int, default=10, help="Buyers the Python reference scores")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-scoring", action="store_true")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="Connections writing rows while scoring goes on (in-process runs)",
    )
    parser.add_argument("--skip-runs", action="store_true", help="Skip the full runs")
    parser.add_argument("--skip-worker", action="store_true", help="Skip the real Celery worker run")
    parser.add_argument("--child-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-worker-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_run:
        _setup_django(os.environ["DATABASE_URL"])
        bench_run_child(args)
        return
    if args.child_worker_run:
        _setup_django(os.environ["DATABASE_URL"], broker=True)
        bench_worker_child(args)
        return
    url = _database_url()
    _setup_django(url)
    print(f"Shuttle matching benchmark — {_context()}; Python {platform.python_version()}")
    _seed(args)
    if not args.skip_scoring:
        bench_scoring(args)
    if not args.skip_runs:
        bench_identical(url, args)
    if not args.skip_worker and not args.skip_runs:
        bench_worker(url, args)
    bench_incremental(args)


if __name__ == "__main__":
    main()
