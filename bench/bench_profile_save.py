"""A buyer saves the profile, then reads the list: `PATCH buyers/me/` + `GET matches/`, warm and on
a fresh worker, for this checkout and optionally an older one side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/bench_profile_save.py --base-tree ../shuttle-3f64439

Each tree gets its own scratch database, filled when missing by its own `seed_demo --buyers 50000
--exhibitors 5000 --seed 1` and `rescore --inline`, and is served by gunicorn with one sync worker
on a loopback port (DEBUG off). The demo buyer (by token) alternates between two profiles that
give different lists; after every PATCH the GET must return the list of the profile just saved
(the script stops otherwise), so every pair measured reflects the save.

- fresh: gunicorn is started `--fresh` times; each time, once its worker has loaded the application
  (and run the tree's own `post_worker_init`, if its gunicorn.conf.py has one), the first pair is
  timed: what a buyer meets on a newly started worker.
- warm: then `--pairs` pairs on the last worker; p50 and p95 of PATCH, GET and the pair.

This checkout is served with REDIS_URL as given (cache and broker: production's setup; a saved
profile is rescored in the request). The base tree is served without REDIS_URL, so its rescore
runs eagerly in the request too: otherwise it would be queued for a Celery worker and its list
would not reflect the save at once. The load average is printed with each tree's figures; the
machine may be shared, so compare figures of one run.
"""

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serving import prepare, tree_env  # noqa: E402
from machine import cpu_model, load, scratch_database  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
PROFILES = (
    {"fabrics": ["chiffon", "satin"], "processes": []},
    {"fabrics": ["twill", "oxford"], "processes": ["dyeing"]},
)
# Chains the tree's own gunicorn.conf.py (if any) and says when the worker is ready to serve.
CONFIG = """
import os, sys
_own = os.path.join(os.getcwd(), "gunicorn.conf.py")
if os.path.exists(_own):
    exec(compile(open(_own).read(), _own, "exec"))
_own_hook = globals().get("post_worker_init")

def post_worker_init(worker):
    if _own_hook is not None:
        _own_hook(worker)
    print("bench: worker ready", file=sys.stderr, flush=True)
"""


class Server:
    """gunicorn with one worker; `start()` returns once the worker reported ready (no request sent)."""

    def __init__(self, tree: Path, env: dict, port: int, config: str):
        self.tree, self.env, self.port, self.config = tree, env, port, config
        self.process = None

    def start(self) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [str(self.tree / ".venv/bin/gunicorn"), "config.wsgi", "-w", "1", "-c", self.config]
            + ["-b", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=self.tree,
            env=self.env,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            self.log.seek(0)
            if "bench: worker ready" in self.log.read():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.log.seek(0)
        self.stop()
        sys.exit(f"gunicorn for {self.tree} did not start:\n{self.log.read()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
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
        self.process = None


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[float, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, payload


class Pairs:
    """PATCH then GET, alternating profiles; checks the list is the saved profile's."""

    def __init__(self, token: str):
        self.token, self.turn, self.lists = token, 0, {}

    def one(self, port: int) -> tuple[float, float]:
        profile = self.turn % 2
        self.turn += 1
        patch_ms, _ = call(port, "PATCH", "buyers/me/", self.token, PROFILES[profile])
        get_ms, body = call(port, "GET", "matches/", self.token)
        shown = [row["exhibitor"]["id"] for row in body["results"]]
        expected = self.lists.setdefault(profile, shown)
        if shown != expected or self.lists.get(1 - profile) == shown:
            sys.exit(f"the list after saving profile {profile} is not that profile's: {shown[:5]}…")
        return patch_ms, get_ms


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(label: str, rows: list[tuple[float, float]]) -> str:
    columns = {"PATCH": [p for p, _ in rows], "GET": [g for _, g in rows], "pair": [p + g for p, g in rows]}
    cells = "  ".join(
        f"{name} {statistics.median(v):6.1f} / {percentile(v, 0.95):6.1f}" for name, v in columns.items()
    )
    return f"{label:<22} {cells}   (ms p50 / p95, n={len(rows)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-tree", type=Path, help="an older checkout to measure beside this one")
    parser.add_argument("--base-label", default="3f64439")
    parser.add_argument("--database", default="shuttle_bench_profile_save")
    parser.add_argument("--base-database", default="shuttle_bench_profile_save_base")
    parser.add_argument("--buyers", type=int, default=50_000)
    parser.add_argument("--exhibitors", type=int, default=5_000)
    parser.add_argument("--pairs", type=int, default=30, help="warm pairs per tree")
    parser.add_argument("--fresh", type=int, default=3, help="fresh workers started per tree")
    parser.add_argument("--port", type=int, default=8131)
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL")
    trees = {"new": (HERE, scratch_database(server_url, args.database), redis)}
    if args.base_tree:
        base = scratch_database(server_url, args.base_database)
        trees[args.base_label] = (args.base_tree.resolve(), base, None)
    print(
        f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{args.buyers:,} buyers x {args.exhibitors:,} exhibitors; load average {load()}"
    )
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    signal.signal(signal.SIGHUP, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    prepared = {}
    for label, (tree, url, tree_redis) in trees.items():
        env = tree_env(url, redis=tree_redis)
        prepared[label] = (env, prepare(tree, env, buyers=args.buyers, exhibitors=args.exhibitors)[0])
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as config:
        config.write(CONFIG)
    server = None
    try:
        for offset, (label, (tree, _url, tree_redis)) in enumerate(trees.items()):
            env, token = prepared[label]
            pairs = Pairs(token)
            server = Server(tree, env, args.port + offset, config.name)
            before = load()
            fresh = []
            for _ in range(args.fresh):
                server.stop()
                server.start()
                fresh.append(pairs.one(server.port))
            warm = [pairs.one(server.port) for _ in range(args.pairs)]
            server.stop()
            cache = "Redis cache and broker" if tree_redis else "no REDIS_URL: eager rescore, local cache"
            print(f"\n{label} ({tree}; {cache}); load {before} → {load()}")
            print(summary("fresh worker, 1st pair", fresh))
            print(summary("warm", warm))
    finally:
        if server is not None:
            server.stop()
        os.unlink(config.name)


if __name__ == "__main__":
    main()
