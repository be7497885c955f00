"""Serving throughput under wrk: the directory list, one exhibitor and a buyer's matches, old vs new.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/bench_serving.py --base-tree ../shuttle-3f64439 --rounds 3

Compares this checkout with an older one checked out beside it (`--base-tree`, e.g.
`git worktree add ../shuttle-3f64439 3f64439`), side by side on the same machine: each gets its
own scratch database (created, migrated and filled by its own `seed_demo --buyers 5000
--exhibitors 1000 --seed 1`, then `rescore`, when missing), and is served by gunicorn (3 sync
workers, DEBUG off, PostgreSQL, Redis as the cache when REDIS_URL is set) on a loopback port. For
each endpoint, rounds alternate old, new, old, new…: `wrk -t2 -c64 -d<duration>s --latency` after
a warm-up, printing requests a second, p50 and p99 latency, non-2xx answers and the load average
before and after each run. The machine may be shared: compare the two columns of one round.
"""

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, load, scratch_database  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
EXPO = "demo"
# The demo buyer's token is created by a one-line script run in each tree (same ORM calls in both).
TOKEN_SCRIPT = """
from rest_framework.authtoken.models import Token
from expo.models import Buyer, Exhibitor
buyer = Buyer.objects.filter(user__email__startswith="buyer@").select_related("user").get()
print(Token.objects.get_or_create(user=buyer.user)[0].key)
print(Exhibitor.objects.order_by("id").values_list("pk", flat=True)[500])
"""


def tree_env(url: str, *, redis: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "REDIS_URL")}
    env.update(DATABASE_URL=url, SECRET_KEY="bench-serving", ALLOWED_HOSTS="127.0.0.1", PYTHONPATH=".")
    if redis:
        env["REDIS_URL"] = redis
    return env


def manage(tree: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(tree / ".venv/bin/python"), "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"{tree}: manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def prepare(tree: Path, env: dict, *, buyers: int, exhibitors: int) -> tuple[str, int]:
    """Migrate, seed and rescore when the demo expo is missing; the buyer's token and an exhibitor id."""
    manage(tree, env, "migrate", "-v0")
    has = manage(
        tree,
        env,
        "shell",
        "-c",
        f"from expo.models import Expo; print(Expo.objects.filter(slug='{EXPO}').exists())",
    )
    if has.split()[-1:] != ["True"]:
        started = time.perf_counter()
        manage(
            tree, env, "seed_demo", "--buyers", str(buyers), "--exhibitors", str(exhibitors), "--seed", "1"
        )
        manage(tree, env, "rescore", "--expo", EXPO, "--inline", "--no-progress")
        print(f"  {tree.name}: seeded and rescored in {time.perf_counter() - started:.0f} s")
    token, exhibitor = manage(tree, env, "shell", "-c", TOKEN_SCRIPT).split()[-2:]
    return token, int(exhibitor)


class Server:
    """gunicorn serving one tree on a loopback port (3 sync workers, as the issue's figures)."""

    def __init__(self, tree: Path, env: dict, port: int, workers: int):
        self.port = port
        gunicorn = tree / ".venv/bin/gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=tree,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/health/", headers={"X-Forwarded-Proto": "https"}
                )
                urllib.request.urlopen(request, timeout=5)
                return
            except Exception:
                time.sleep(0.5)
        self.stop()
        sys.exit(f"gunicorn for {tree} did not answer on port {port}")

    def stop(self) -> None:
        """Stop gunicorn and its workers (their own process group); SIGKILL if they linger."""
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def _exit_on_signal(signum, frame) -> None:
    # SIGTERM/SIGHUP (a killed terminal or job) end the bench through its `finally`, so no
    # gunicorn is left serving (they run in their own sessions, out of reach of the job's group).
    raise SystemExit(f"stopped by signal {signum}")


def wrk(url: str, *, headers: list[str], connections: int, seconds: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in ["X-Forwarded-Proto: https", *headers]:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "bad": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1) if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-tree", required=True, type=Path, help="the older checkout to compare with")
    parser.add_argument("--base-label", default="3f64439")
    parser.add_argument("--database", default="shuttle_bench_serving")
    parser.add_argument("--base-database", default="shuttle_bench_serving_base")
    parser.add_argument("--buyers", type=int, default=5_000)
    parser.add_argument("--exhibitors", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15, help="duration of one wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8111, help="new tree's port; the old one gets the next")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing (apt-get install wrk).")

    redis = os.environ.get("REDIS_URL")
    server_url = os.environ.get("DATABASE_URL", "")
    trees = {
        args.base_label: (args.base_tree.resolve(), scratch_database(server_url, args.base_database)),
        "new": (HERE, scratch_database(server_url, args.database)),
    }
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    print(
        f"CPU: {cpu_model()}, {os.cpu_count()} cores, {int(memory) / 2**20:.0f} GiB RAM; "
        f"Python {platform.python_version()}; load average {load()}"
    )
    print(
        f"{args.buyers:,} buyers x {args.exhibitors:,} exhibitors; cache: {'Redis' if redis else 'local memory'}"
    )
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    # Every tree is prepared (migrated, seeded, rescored) before any server starts: a failure there
    # leaves nothing running.
    prepared = {}
    for label, (tree, url) in trees.items():
        env = tree_env(url, redis=redis)
        prepared[label] = (env, *prepare(tree, env, buyers=args.buyers, exhibitors=args.exhibitors))
    servers, targets = {}, {}
    try:
        for offset, (label, (tree, _url)) in enumerate(trees.items()):
            env, token, exhibitor = prepared[label]
            port = args.port + (1 - offset)
            servers[label] = Server(tree, env, port, args.workers)
            base = f"http://127.0.0.1:{port}/api/v1"
            targets[label] = {
                "directory list": (f"{base}/exhibitors/", []),
                "exhibitor detail": (f"{base}/exhibitors/{exhibitor}/", []),
                "buyer's matches": (f"{base}/matches/", [f"Authorization: Token {token}"]),
            }
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        print(
            f"wrk -t2 -c{args.connections} -d{args.seconds}s, gunicorn {args.workers} workers; "
            f"rounds alternate {args.base_label} and new\n"
        )
        print(
            f"{'endpoint':<18} {'round':>5} {'tree':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'non-2xx':>8}  load before → after"
        )
        for name in targets["new"]:
            if only and name not in only:
                continue
            for label in trees:  # warm-up: every worker loads what it loads on first use
                url, headers = targets[label][name]
                wrk(url, headers=headers, connections=args.connections, seconds=3)
            for round_ in range(1, args.rounds + 1):
                for label in trees:
                    url, headers = targets[label][name]
                    before = load()
                    got = wrk(url, headers=headers, connections=args.connections, seconds=args.seconds)
                    print(
                        f"{name:<18} {round_:>5} {label:>8} {got['rps']:>8.1f} {got['p50']:>8.1f} "
                        f"{got['p99']:>8.1f} {got['bad']:>8}  {before} → {load()} {got['errors']}",
                        flush=True,
                    )
    finally:
        for server in servers.values():
            try:
                server.stop()
            except Exception as exc:  # stop the others all the same
                print(f"could not stop gunicorn {server.process.pid}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
