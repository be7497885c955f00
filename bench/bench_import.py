"""Time spreadsheet imports: parse, check and write of exhibitor (and buyer) files, first import and re-import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_import.py --rows 5000 --repeat 3 --fresh

The import's own work is timed; the `profiles_imported` receivers (matching's rescoring) are
disconnected. The figures are measured in a scratch database (--database, created and migrated if missing) on
the server DATABASE_URL points at; nothing else is touched. It prints the machine (CPU model,
cores, load average) with the figures, since the machine may be shared.
"""

import argparse
import csv
import io
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model, scratch_database  # noqa: E402


def term_cells(rng: random.Random, terms: list, low: int, high: int) -> str:
    """A multi-valued cell naming terms the way organisers do: slugs, English and Chinese names mixed."""
    chosen = rng.sample(terms, rng.randint(low, min(high, len(terms))))
    return "; ".join(rng.choice((t.slug, t.name_en, t.name_zh)) for t in chosen)


def exhibitor_table(rows: int, seed: int) -> list[list]:
    from expo.models import Term
    from expo.services.imports import EXHIBITOR_COLUMNS

    rng = random.Random(seed)
    by_kind: dict[str, list] = {}
    for term in Term.objects.all():
        by_kind.setdefault(term.kind, []).append(term)
    provinces = ["Jiangsu", "Zhejiang", "Fujian", "Guangdong", "Shandong"]
    table: list[list] = [list(EXHIBITOR_COLUMNS)]
    for n in range(rows):
        low = rng.randint(4, 30)
        table.append(
            [
                f"EX{n:06d}",
                f"Shengze Textile Mill {n}",
                f"盛泽纺织厂{n}",
                rng.choice(["CN", "China", "中国"]),
                rng.choice(provinces),
                str(1 + n % 12),
                f"{1 + n % 12}{chr(65 + n // 500 % 26)}{n:05d}",
                rng.randint(1, 4),
                term_cells(rng, by_kind["fabric"], 1, 6),
                term_cells(rng, by_kind["process"], 1, 4),
                term_cells(rng, by_kind["fibre"], 1, 3),
                term_cells(rng, by_kind["end_use"], 1, 4),
                term_cells(rng, by_kind["certification"], 0, 3),
                rng.choice([500, 1000, 3000, 5000]),
                rng.randint(50, 2000) * 1000,
                f"{low}.50",
                f"{low + rng.randint(1, 40)}.00",
                rng.randint(7, 60),
                "Woven and knitted fabrics for apparel and home textiles.",
                f"sales{n}@mill.example",
            ]
        )
    return table


def buyer_table(rows: int, seed: int) -> list[list]:
    from expo.models import Term
    from expo.services.imports import BUYER_COLUMNS

    rng = random.Random(seed)
    by_kind: dict[str, list] = {}
    for term in Term.objects.all():
        by_kind.setdefault(term.kind, []).append(term)
    countries = ["DE", "FR", "IT", "US", "GB", "JP", "KR", "VN", "BD", "TR", "中国", "Spain"]
    table: list[list] = [list(BUYER_COLUMNS)]
    for n in range(rows):
        low = rng.randint(4, 30)
        table.append(
            [
                f"B{n:07d}",
                f"buyer{n}@bench-imports.example",
                f"Buyer {n}",
                f"Garment Brand {n % 9000}",
                rng.choice(countries),
                term_cells(rng, by_kind["fabric"], 1, 4),
                term_cells(rng, by_kind["process"], 0, 2),
                term_cells(rng, by_kind["fibre"], 0, 2),
                term_cells(rng, by_kind["end_use"], 1, 2),
                term_cells(rng, by_kind["certification"], 0, 2),
                rng.choice([1000, 3000, 5000, 10000, 50000]),
                f"{low}.00",
                f"{low + rng.randint(1, 30)}.00",
                rng.randint(14, 90),
                rng.choice(["yes", "no"]),
            ]
        )
    return table


def as_csv(table: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8")


def as_xlsx(table: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Exhibitors")
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed_import(kind: str, expo, content: bytes, filename: str) -> dict:
    """The service's own steps, timed one by one: parse (file → cells), check (cells + database
    state → values or errors) and write (bulk writes and commit). Same code the service runs."""
    from django.db import connection, reset_queries, transaction

    from expo.services.imports import buyers, exhibitors, reading

    columns = exhibitors.EXHIBITOR_COLUMNS if kind == "exhibitors" else buyers.BUYER_COLUMNS
    required = exhibitors.EXHIBITOR_REQUIRED if kind == "exhibitors" else buyers.BUYER_REQUIRED
    check = exhibitors.exhibitors_check if kind == "exhibitors" else buyers.buyers_check
    reset_queries()
    start = time.perf_counter()
    data, shape_errors = reading.read_table(io.BytesIO(content), filename, columns, required)
    parsed = time.perf_counter()
    with transaction.atomic():
        result, write = check(expo, data, shape_errors)
        checked = time.perf_counter()
        write()
    written = time.perf_counter()
    return {
        "result": result,
        "parse": parsed - start,
        "check": checked - parsed,
        "write": written - checked,
        "total": written - start,
        "queries": len(connection.queries),
    }


def report(label: str, figures: dict) -> None:
    r = figures["result"]
    print(
        f"{label:<34} rows {r.rows:>6}  created {r.created:>6}  updated {r.updated:>6}  "
        f"parse {figures['parse']:6.2f} s  check {figures['check']:6.2f} s  "
        f"write {figures['write']:6.2f} s  total {figures['total']:6.2f} s  queries {figures['queries']}"
    )


def fresh_expo(slug: str):
    import datetime

    from expo.services.floor import expo_create

    return expo_create(
        slug=slug,
        name="Import benchmark expo",
        start_date=datetime.date(2027, 4, 12),
        days=3,
        opening_time=datetime.time(9),
        closing_time=datetime.time(17),
        slot_minutes=20,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="exhibitor rows")
    parser.add_argument("--buyers", type=int, default=50000, help="buyer rows (0 to skip)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds, each on fresh expos; the best is shown"
    )
    parser.add_argument("--database", default="shuttle_bench_imports", help="scratch database name")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the scratch database first")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = scratch_database(url, args.database, fresh=args.fresh)
    os.environ["DJANGO_DEBUG"] = "1"  # counts queries; no SECRET_KEY needed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from expo.models import Expo
    from expo.signals import profiles_imported

    # Measure the import alone: matching's rescoring after an import has its own benchmark.
    profiles_imported.receivers.clear()
    profiles_imported.sender_receivers_cache.clear()

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    table = exhibitor_table(args.rows, args.seed)
    xlsx, csv_content = as_xlsx(table), as_csv(table)
    changed = as_csv(exhibitor_table(args.rows, args.seed + 1))  # every row's facets and figures differ
    print(f"exhibitors: {args.rows} rows, XLSX {len(xlsx) / 1e6:.2f} MB, CSV {len(csv_content) / 1e6:.2f} MB")
    if args.buyers:
        buyer_rows = buyer_table(args.buyers, args.seed)

    best: dict[str, dict] = {}
    run = f"{int(time.time())}"  # new expos and emails each run, so no clean-up is needed
    for round_ in range(args.repeat):
        print(f"-- round {round_ + 1} (load average {os.getloadavg()[0]:.2f})")
        steps = []
        expo = fresh_expo(f"bench-{run}-{round_}-csv")
        steps.append(("exhibitors CSV, first import", "exhibitors", expo, csv_content, "e.csv"))
        steps.append(("exhibitors CSV, same file again", "exhibitors", expo, csv_content, "e.csv"))
        steps.append(("exhibitors CSV, every row changed", "exhibitors", expo, changed, "e.csv"))
        other = fresh_expo(f"bench-{run}-{round_}-xlsx")
        steps.append(("exhibitors XLSX, first import", "exhibitors", other, xlsx, "e.xlsx"))
        steps.append(("exhibitors XLSX, same file again", "exhibitors", other, xlsx, "e.xlsx"))
        if args.buyers:
            domain = f"r{run}-{round_}.bench.example"
            rows = [
                row if i == 0 else [*row[:1], row[1].replace("bench-imports.example", domain), *row[2:]]
                for i, row in enumerate(buyer_rows)
            ]
            buyers = as_csv(rows)
            steps.append(("buyers CSV, first import", "buyers", expo, buyers, "b.csv"))
            steps.append(("buyers CSV, same file again", "buyers", expo, buyers, "b.csv"))
        for label, kind, target, content, filename in steps:
            figures = timed_import(kind, target, content, filename)
            report(label, figures)
            if label not in best or figures["total"] < best[label]["total"]:
                best[label] = figures
        Expo.objects.filter(pk__in=[expo.pk, other.pk]).update(is_current=False)
    if args.repeat > 1:
        print(f"-- best of {args.repeat}")
        for label, figures in best.items():
            report(label, figures)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
