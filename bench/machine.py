"""What every benchmark shares: a scratch PostgreSQL database and the machine's description."""

import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def scratch_database(url: str, name: str, *, fresh: bool = False) -> str:
    """The URL of database `name` on the server of `url`, created if missing (dropped first if `fresh`)."""
    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at a PostgreSQL server (the figures are for PostgreSQL).")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> str:
    """The 1, 5 and 15-minute load averages, printed beside figures taken on a possibly shared machine."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
