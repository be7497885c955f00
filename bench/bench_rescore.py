"""`manage.py rescore` as a whole process against the two physical steps alone, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_rescore.py

Scratch database `shuttle_bench_rescore` (created, migrated and seeded once with the `seed_demo`
service: --buyers 50,000 --exhibitors 5,000 --seed 1, expo `bench`; other sizes get a database of
their own, e.g. `shuttle_bench_rescore_5000x1000` for quick iterations). Each repeat, alternating:

(a) the two physical steps alone, in a fresh process, on the same rows: the compiled bitset kernel
    over every pair with the streaming top-K (kernel already loaded, profiles already encoded), then
    one COPY BINARY of the top-K rows (the real columns: ids, scores, reasons) into a fresh table
    made like the run tables (`LIKE matching_match`, logged as they are), committed;
(b) `manage.py rescore --expo bench --no-progress` exactly as a user runs it: a subprocess (no
    broker, so the run happens in that process), wall clock from exec to exit, with the phases the
    command reports (`--timings`);
(c) with --before COMMIT, the same command from that commit (extracted with `git archive` into
    bench/out/), for before/after figures side by side.

Prints the CPU, the cores and the load average beside every figure (the machine may be shared),
the medians and the ratio whole command / physical steps. Figures only; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model, load, scratch_database  # noqa: E402

SLUG = "bench"
PHASES = (
    "startup",
    "load",
    "score",
    "reasons",
    "write",
    "index",
    "publish",
    "finish",
    "other",
    "run",
    "exit",
)


def _database_name(args) -> str:
    if (args.buyers, args.exhibitors) == (50_000, 5_000):
        return "shuttle_bench_rescore"
    return f"shuttle_bench_rescore_{args.buyers}x{args.exhibitors}"


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # in-process, as `rescore` without a broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _context() -> str:
    return f"load average {load()}"


def _seed(args) -> None:
    from django.core.management import call_command

    from expo.models import Expo
    from expo.services.demo import demo_seed

    call_command("migrate", verbosity=0)
    if not Expo.objects.filter(slug=SLUG).exists():
        print(
            f"Seeding {args.buyers:,} buyers × {args.exhibitors:,} exhibitors (seed_demo, once)…", flush=True
        )
        demo_seed(buyers=args.buyers, exhibitors=args.exhibitors, seed=1, expo_slug=SLUG)


# --- (a) the physical steps, in a child process ------------------------------------------------------


def physical_child(args) -> None:
    """Kernel over every pair + one COPY of the top-K rows into a fresh table; prints a JSON line."""
    import numpy as np
    from django.db import connection, transaction

    from expo.models import Expo
    from matching import scoring
    from matching.services import loading, storage

    expo = Expo.objects.get(slug=SLUG)
    layout = loading.layout_current()
    exhibitors = loading.exhibitors_encode(expo=expo, layout=layout)
    buyers = loading.buyers_encode(expo=expo, layout=layout)
    weights = loading.weights_array(loading.weights_read(expo=expo))
    k = loading.weights_read(expo=expo).top_k
    scoring._get_kernel()  # loaded from numba's cache: not part of the physical step

    started = time.perf_counter()
    top = scoring.top_k_numba(buyers, exhibitors, layout, weights, scoring.Adjustments.empty(len(buyers)), k)
    kernel = time.perf_counter() - started

    b_idx, e_idx, rank, score = top.pairs()
    codes, terms = scoring.explain(buyers, exhibitors, layout, buyer_idx=b_idx, exhibitor_idx=e_idx)
    rows = storage.MatchRows(
        id=storage.run_row_ids(run_id=1, buyer_offset=b_idx, rank=rank),
        buyer_id=buyers.ids[b_idx],
        exhibitor_id=exhibitors.ids[e_idx],
        rank=rank,
        score=score,
        reason_codes=codes,
        reason_terms=terms,
    )
    started = time.perf_counter()
    data = storage._copy_binary(rows, 1)
    encode = time.perf_counter() - started

    table = "bench_physical_copy"
    columns = ", ".join(("id", *storage.COPY_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table} (LIKE matching_match INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )  # logged, like the run tables
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            step = 8 << 20
            for at in range(0, len(data), step):
                copy.write(data[at : at + step])
    copied = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    print(
        json.dumps(
            {
                "pairs": len(buyers) * len(exhibitors),
                "rows": len(rows),
                "kernel": kernel,
                "copy": copied,
                "encode": encode,
                "checksum": [int(np.sum(rows.exhibitor_id * rows.rank)), float(np.sum(rows.score))],
            }
        )
    )


def physical(url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child-physical"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- (b) the command, as a user runs it -------------------------------------------------------------


def _served_checksum(url: str) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(m.exhibitor_id * m.rank), round(sum(m.score)::numeric, 6), "
            "sum(m.reason_codes), md5(string_agg(m.reason_terms::text, ',' ORDER BY m.buyer_id, m.rank)) "
            "FROM matching_match m JOIN matching_matchrun r ON r.id = m.run_id "
            "WHERE r.status = 'completed' AND r.expo_id = (SELECT id FROM expo_expo WHERE slug = %s)",
            [SLUG],
        )
        return tuple(cursor.fetchone())


def rescore(url: str, tree: Path) -> dict:
    """`manage.py rescore` of `tree` in a subprocess; wall clock from exec to exit, and its phases."""
    timings = "--timings" in (tree / "matching/management/commands/rescore.py").read_text()
    command = [sys.executable, "manage.py", "rescore", "--expo", SLUG, "--no-progress"]
    env = {**os.environ, "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    load_before = load()
    exec_at = time.time()
    started = time.perf_counter()
    out = subprocess.run(
        command + (["--timings"] if timings else []),
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    exit_at = time.time()
    result = {"wall": wall, "loadavg": load_before}
    for line in out.stdout.splitlines():
        if line.startswith("Timings: "):
            reported = json.loads(line.removeprefix("Timings: "))
            result.update(reported["phases"])
            result["startup"] = reported["handle_at"] - exec_at
            result["exit"] = exit_at - reported["done_at"]
        elif line.startswith("Done in "):
            result["done_in"] = float(line.split()[2])
    if not timings:  # an older command: its phases from the run row, start-up and exit together
        from matching.models import MatchRun

        t = MatchRun.objects.filter(expo__slug=SLUG).latest("pk").timings
        result.update(
            {
                "startup": wall - result["done_in"],  # start-up and exit
                "load": t.get("load_exhibitors", 0) + t.get("chunks_load", 0) + t.get("chunks_rules", 0),
                "score": t.get("chunks_score", 0),
                "reasons": t.get("chunks_explain", 0),
                "write": t.get("chunks_write", 0) + t.get("prepare_storage", 0),
                "publish": t.get("publish", 0),
            }
        )
        result["other"] = result["done_in"] - sum(
            result[p] for p in ("load", "score", "reasons", "write", "publish")
        )
    return result


def _before_tree(commit: str) -> Path:
    tree = ROOT / "bench" / "out" / f"before-{commit}"
    if not (tree / "manage.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _row(label: str, values: list[float]) -> str:
    cells = "".join(f"{v:8.2f}" for v in values)
    return f"  {label:<34}{cells}   median {statistics.median(values):6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="also time the command of this commit")
    parser.add_argument("--child-physical", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_physical:
        _setup_django(os.environ["DATABASE_URL"])
        physical_child(args)
        return

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    url = scratch_database(base, _database_name(args))
    _setup_django(url)
    _seed(args)
    from django.db import connection

    version = connection.cursor().connection.info.server_version
    print(
        f"Shuttle: whole `rescore` vs the physical steps — CPU {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL {version // 10000}.{version % 10000}, "
        f"{_database_name(args)} ({args.buyers:,} × {args.exhibitors:,}); {_context()}",
        flush=True,
    )
    trees = {"now": ROOT}
    if args.before:
        trees[f"before ({args.before})"] = _before_tree(args.before)
    for tree in trees.values():  # numba's cache for each tree, the first run's table statistics
        rescore(url, tree)
    physical_runs: list[dict] = []
    command_runs: dict[str, list[dict]] = {name: [] for name in trees}
    checksums: dict[str, set] = {name: set() for name in trees}
    for repeat in range(args.repeats):
        physical_runs.append(physical(url))
        for name, tree in trees.items():
            command_runs[name].append(rescore(url, tree))
            checksums[name].add(_served_checksum(url))
        print(f"  repeat {repeat + 1} done; {_context()}", flush=True)

    p = physical_runs[0]
    print(f"\n(a) physical steps alone: {p['pairs'] / 1e6:.0f} M pairs, {p['rows']:,} rows")
    print("  " + " " * 34 + "".join(f"{'#' + str(i + 1):>8}" for i in range(args.repeats)))
    kernel = [r["kernel"] for r in physical_runs]
    copy = [r["copy"] for r in physical_runs]
    both = [a + b for a, b in zip(kernel, copy, strict=True)]
    print(_row("kernel, every pair + top-K", kernel))
    print(_row("COPY into a fresh table + commit", copy))
    print(_row("sum (the physical steps)", both))
    print(_row("(building the COPY stream, apart)", [r["encode"] for r in physical_runs]))
    physical_median = statistics.median(both)
    for name, results in command_runs.items():
        print(
            f"\n(b) manage.py rescore, {name}: load average before each: {'; '.join(r['loadavg'] for r in results)}"
        )
        for phase in PHASES:
            if any(phase in r for r in results):
                label = "start-up and exit" if phase == "startup" and "exit" not in results[0] else phase
                print(_row(label, [r.get(phase, 0.0) for r in results]))
        walls = [r["wall"] for r in results]
        print(_row("whole command, exec → exit", walls))
        print(
            f"  ratio to the physical steps (medians): {statistics.median(walls) / physical_median:.2f}"
            f"   (per repeat: {', '.join(f'{w / b:.2f}' for w, b in zip(walls, both, strict=True))})"
        )
        print(f"  served rows checksum: {sorted(checksums[name])}")
    print(f"\n{_context()}")


if __name__ == "__main__":
    main()
