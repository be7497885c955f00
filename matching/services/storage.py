"""Writing match rows: COPY BINARY into a run's own partition on PostgreSQL, bulk_create elsewhere.

PostgreSQL (the production path):
- a run gets a fresh, unindexed table `matching_match_r<run id>` with `CHECK (run_id = <id>)`;
- each chunk task COPYs its rows in, in one transaction with its bookkeeping, after deleting any
  rows of its own buyer range, so a retried chunk replaces its own rows;
- publishing adds the unique (run, buyer, rank) constraint, then ATTACHes the table as the run's
  partition and marks the run completed in one transaction (the CHECK spares a validation scan):
  readers see the old run or the new one, never a mix. Older runs' partitions are dropped whole;
- after the commit the partition gets its exhibitor index and statistics (`run_storage_finish`).
  A run done in one process (`manage.py rescore`) builds both indexes side by side on two
  connections and gathers the statistics before publishing (`run_storage_index`): publishing
  then turns the unique index into the constraint, and the finishing step finds nothing to do.
Other databases (SQLite for the embedded setup) insert into the one table with bulk_create; the
run's status flip is the atomic step there too.
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection

from matching import scoring
from matching.models import Match, MatchRun

COPY_COLUMNS = ("rank", "score", "reason_codes", "reason_terms", "buyer_id", "exhibitor_id", "run_id")
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)


@dataclass(frozen=True)
class MatchRows:
    """Result rows of a block, as parallel arrays (one entry per match)."""

    buyer_id: np.ndarray  # int64
    exhibitor_id: np.ndarray  # int64
    rank: np.ndarray  # int64, from 1
    score: np.ndarray  # float64
    reason_codes: np.ndarray  # int32
    reason_terms: np.ndarray  # uint64 (n, n_words)
    # Explicit ids (full runs: `run_row_ids`); None lets the database's sequence number the rows.
    id: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.buyer_id)


def uses_partitions() -> bool:
    return connection.vendor == "postgresql"


def stage_table(run_id: int) -> str:
    return f"matching_match_r{int(run_id)}"


OFFSET_BITS = 25  # buyer id offsets in a run below 2**25: ids stay below 2**53 for 2 million runs


def run_row_ids(*, run_id: int, buyer_offset: np.ndarray, rank: np.ndarray) -> np.ndarray | None:
    """Ids of a full run's rows: run id in the high 32 bits, then the buyer's id offset from the run's
    first buyer (25 bits) and the rank (7 bits, ranks ≤ 100). Unique across runs, the same for a
    retried chunk, and far above the sequence that numbers rows written one by one (incremental
    updates), so the bulk write needs no sequence call per row. Below 2**53 for the first 2 million
    runs (safe in JSON).

    Numbering by id rather than by position in the run's snapshot keeps the ids unique when a
    buyer whose registration was still in flight while the run was prepared commits with an id
    inside a chunk's range: that chunk then holds one buyer more than it counted. None (the
    database numbers the rows) if an expo's buyer ids ever spread wider than 25 bits.
    """
    if len(buyer_offset) and (int(buyer_offset.min()) < 0 or int(buyer_offset.max()) >= 1 << OFFSET_BITS):
        return None
    return (
        (np.int64(run_id) << np.int64(32))
        | (buyer_offset.astype(np.int64) << np.int64(7))
        | rank.astype(np.int64)
    )


def _copy_dtype(n_bytes: int, with_id: bool) -> np.dtype:
    """One row of the COPY BINARY stream: field count, then (length, value) per column."""
    return np.dtype(
        [
            ("fields", ">i2"),
            *([("l_id", ">i4"), ("id", ">i8")] if with_id else []),
            ("l_rank", ">i4"),
            ("rank", ">i2"),
            ("l_score", ">i4"),
            ("score", ">f8"),
            ("l_codes", ">i4"),
            ("codes", ">i4"),
            ("l_terms", ">i4"),
            ("terms", f"V{n_bytes}"),
            ("l_buyer", ">i4"),
            ("buyer", ">i8"),
            ("l_exhibitor", ">i4"),
            ("exhibitor", ">i8"),
            ("l_run", ">i4"),
            ("run", ">i8"),
        ]
    )


def _copy_constants(out: np.ndarray, n_bytes: int, with_id: bool, run_id: int) -> None:
    out["fields"] = len(COPY_COLUMNS) + with_id
    if with_id:
        out["l_id"] = 8
    for name, size in (("l_rank", 2), ("l_score", 8), ("l_codes", 4), ("l_terms", n_bytes)):
        out[name] = size
    for name in ("l_buyer", "l_exhibitor", "l_run"):
        out[name] = 8
    out["run"] = run_id


def _copy_binary(rows: MatchRows, run_id: int) -> bytes | memoryview:
    """The COPY BINARY stream of `rows`, built without a Python loop over rows: by the compiled
    kernel in one pass on every core when it is loaded (a full run), else with numpy, field by
    field (a pass over the whole stream per column: 1-2 s per million rows on two busy cores)."""
    n_bytes = rows.reason_terms.shape[1] * 8
    with_id = rows.id is not None
    dtype = _copy_dtype(n_bytes, with_id)
    terms = np.ascontiguousarray(rows.reason_terms.astype("<u8")).view(np.uint8).reshape(len(rows), n_bytes)
    if scoring.kernel_loaded() and len(rows):
        from matching.scoring import kernel

        template = np.zeros(1, dtype=dtype)
        _copy_constants(template, n_bytes, with_id, run_id)
        offsets = np.array(
            [dtype.fields["id"][1] if with_id else -1]
            + [dtype.fields[name][1] for name in ("rank", "score", "codes", "terms", "buyer", "exhibitor")],
            dtype=np.int64,
        )
        out = np.empty(len(COPY_HEADER) + len(rows) * dtype.itemsize + len(COPY_TRAILER), dtype=np.uint8)
        out[: len(COPY_HEADER)] = np.frombuffer(COPY_HEADER, dtype=np.uint8)
        out[len(out) - len(COPY_TRAILER) :] = np.frombuffer(COPY_TRAILER, dtype=np.uint8)
        kernel.copy_rows(
            out,
            len(COPY_HEADER),
            template.view(np.uint8),
            offsets,
            rows.id.astype(np.int64) if with_id else np.zeros(0, dtype=np.int64),
            rows.rank.astype(np.int64),
            np.ascontiguousarray(rows.score, dtype=np.float64).view(np.int64),
            rows.reason_codes.astype(np.int64),
            terms,
            rows.buyer_id.astype(np.int64),
            rows.exhibitor_id.astype(np.int64),
        )
        return memoryview(out)
    out = np.empty(len(rows), dtype=dtype)
    _copy_constants(out, n_bytes, with_id, run_id)
    if with_id:
        out["id"] = rows.id
    out["rank"] = rows.rank
    out["score"] = rows.score
    out["codes"] = rows.reason_codes
    out["terms"] = terms.view(f"V{n_bytes}").ravel()
    out["buyer"] = rows.buyer_id
    out["exhibitor"] = rows.exhibitor_id
    return COPY_HEADER + out.tobytes() + COPY_TRAILER


def _copy_into(table: str, rows: MatchRows, run_id: int) -> None:
    data = _copy_binary(rows, run_id)
    step = 8 << 20
    columns = ("id", *COPY_COLUMNS) if rows.id is not None else COPY_COLUMNS
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for start in range(0, len(data), step):
            copy.write(data[start : start + step])


def _bulk_create(rows: MatchRows, run_id: int) -> None:
    terms = np.ascontiguousarray(rows.reason_terms.astype("<u8"))
    Match.objects.bulk_create(
        [
            Match(
                id=None if rows.id is None else int(rows.id[i]),
                run_id=run_id,
                buyer_id=int(rows.buyer_id[i]),
                exhibitor_id=int(rows.exhibitor_id[i]),
                rank=int(rows.rank[i]),
                score=float(rows.score[i]),
                reason_codes=int(rows.reason_codes[i]),
                reason_terms=terms[i].tobytes(),
            )
            for i in range(len(rows))
        ],
        batch_size=1000,
    )


# --- full runs --------------------------------------------------------------------------------


def run_storage_prepare(*, run: MatchRun) -> None:
    """Create the run's own empty table (PostgreSQL); nothing to do elsewhere."""
    if not uses_partitions():
        return
    table = stage_table(run.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} (LIKE matching_match INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            f"CONSTRAINT {table}_run CHECK (run_id = {int(run.pk)}))"
        )


def run_rows_write(*, run: MatchRun, buyer_id_from: int, buyer_id_to: int, rows: MatchRows) -> None:
    """Replace the rows of one chunk (buyers in [from, to]) of an unpublished run; call in a transaction."""
    if uses_partitions():
        table = stage_table(run.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE buyer_id BETWEEN %s AND %s", [buyer_id_from, buyer_id_to]
            )
        if len(rows):
            _copy_into(table, rows, run.pk)
        return
    Match.objects.filter(run=run, buyer_id__gte=buyer_id_from, buyer_id__lte=buyer_id_to).delete()
    _bulk_create(rows, run.pk)


def _analyze(table: str) -> str:
    """Statistics of the columns queries filter on: the scores and reasons are only read back, and
    sampling them too made ANALYZE half as long again."""
    return f"ANALYZE {table} (run_id, buyer_id, exhibitor_id, rank)"


def _index_statements(table: str) -> list[list[str]]:
    """The run table's indexes and statistics, as two lists of statements that may run side by side
    (two CREATE INDEX share their lock; ANALYZE waits for the other build, so it comes after its own)."""
    return [
        [f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_key ON {table} (run_id, buyer_id, rank)"],
        [f"CREATE INDEX IF NOT EXISTS {table}_exhibitor ON {table} (exhibitor_id)", _analyze(table)],
    ]


def _run_statements(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '128MB'")
        for sql in statements:
            cursor.execute(sql)


def _run_statements_in_thread(statements: list[str], errors: list) -> None:
    try:
        _run_statements(statements)
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


def run_storage_index(*, run_id: int, connections: int = 2) -> None:
    """Before publishing: build the run table's unique and exhibitor indexes and its statistics, on
    `connections` connections at once (PostgreSQL, outside a transaction: the table is the run's
    own and nobody reads it yet). Publishing then only turns the index into the constraint and
    attaches the table, and the finishing step has nothing left to do.
    """
    if not uses_partitions():
        return
    groups = _index_statements(stage_table(run_id))
    if connections < 2:
        _run_statements([sql for group in groups for sql in group])
        return
    errors: list = []
    threads = [threading.Thread(target=_run_statements_in_thread, args=(group, errors)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def run_storage_publish(*, run: MatchRun) -> None:
    """Index the run's table (unless `run_storage_index` did) and attach it as its partition; call
    inside the publishing transaction."""
    if not uses_partitions():
        return
    table = stage_table(run.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{table}_key"])
        if cursor.fetchone()[0]:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_key UNIQUE USING INDEX {table}_key")
        else:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_key UNIQUE (run_id, buyer_id, rank)")
        cursor.execute(f"ALTER TABLE matching_match ATTACH PARTITION {table} FOR VALUES IN ({int(run.pk)})")


def run_storage_finish(*, run_id: int) -> None:
    """Index a freshly published run's rows by exhibitor and give the planner their statistics
    (PostgreSQL; after the publishing commit, off the critical path).

    The exhibitor index serves the buyers holding an exhibitor (its deletion's cascade, the
    catch-up); built here rather than in the publishing transaction (see migration 0002). Without
    statistics PostgreSQL guesses a few thousand rows for the run and picks slow plans for the
    incremental updates' deletes.
    """
    if uses_partitions():
        table = stage_table(run_id)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_exhibitor ON {table} (exhibitor_id)")
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_statistic WHERE starelid = to_regclass(%s))", [table]
            )
            if not cursor.fetchone()[0]:  # not yet analysed by `run_storage_index`
                cursor.execute(_analyze(table))


def run_storage_drop(*, run_id: int) -> None:
    """Remove every row of a run: its partition (attached or not) on PostgreSQL, its rows elsewhere."""
    if not uses_partitions():
        Match.objects.filter(run_id=run_id).delete()
        return
    table = stage_table(run_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = %s", [table]
        )
        if cursor.fetchone():
            cursor.execute(f"ALTER TABLE matching_match DETACH PARTITION {table}")
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        # Rows written through the ORM for this run (default partition) go too.
        cursor.execute("DELETE FROM matching_match_default WHERE run_id = %s", [run_id])


# --- incremental updates of a served run ----------------------------------------------------------


def _take(rows: MatchRows, index: np.ndarray) -> MatchRows:
    return MatchRows(
        buyer_id=rows.buyer_id[index],
        exhibitor_id=rows.exhibitor_id[index],
        rank=rows.rank[index],
        score=rows.score[index],
        reason_codes=rows.reason_codes[index],
        reason_terms=rows.reason_terms[index],
    )


def _served_rows_sync(*, run: MatchRun, buyer_ids: list[int], rows: MatchRows) -> None:
    """PostgreSQL: bring some buyers' rows of a published run to `rows`, touching only what changed.

    A (buyer, rank) that keeps its exhibitor is updated in place (score, reasons); one whose
    exhibitor changes is deleted and inserted anew, so a row id never points at another exhibitor
    than the one a buyer was shown (feedback by id stays safe); gone ranks are deleted.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT buyer_id, rank, exhibitor_id, score, reason_codes, reason_terms FROM matching_match "
            "WHERE run_id = %s AND buyer_id = ANY(%s)",
            [run.pk, list(buyer_ids)],
        )
        old = cursor.fetchall()
    n_words = rows.reason_terms.shape[1]
    new_terms = [
        bytes(t)
        for t in np.ascontiguousarray(rows.reason_terms.astype("<u8")).view(f"V{n_words * 8}").ravel()
    ]
    new = {
        (int(b), int(r)): (int(e), float(s), int(c), t, i)
        for i, (b, r, e, s, c, t) in enumerate(
            zip(
                rows.buyer_id,
                rows.rank,
                rows.exhibitor_id,
                rows.score,
                rows.reason_codes,
                new_terms,
                strict=True,
            )
        )
    }  # one entry per row of the changed lists (at most k per buyer), not per pair
    deletes, updates, inserts = [], [], []
    for buyer, rank, exhibitor, score, codes, terms in old:
        fresh = new.pop((buyer, rank), None)
        if fresh is None:
            deletes.append((buyer, rank))
        elif fresh[0] != exhibitor:
            deletes.append((buyer, rank))
            inserts.append(fresh[4])
        elif (fresh[1], fresh[2], fresh[3]) != (score, codes, bytes(terms)):
            updates.append((buyer, rank, fresh[1], fresh[2], fresh[3]))
    inserts.extend(fresh[4] for fresh in new.values())
    with connection.cursor() as cursor:
        if deletes:
            cursor.execute(
                "DELETE FROM matching_match m USING unnest(%s::bigint[], %s::smallint[]) AS d(buyer_id, rank) "
                "WHERE m.run_id = %s AND m.buyer_id = d.buyer_id AND m.rank = d.rank",
                [[d[0] for d in deletes], [d[1] for d in deletes], run.pk],
            )
        if updates:
            cursor.execute(
                "UPDATE matching_match m SET score = v.score, reason_codes = v.codes, reason_terms = v.terms "
                "FROM unnest(%s::bigint[], %s::smallint[], %s::float8[], %s::integer[], %s::bytea[]) "
                "AS v(buyer_id, rank, score, codes, terms) "
                "WHERE m.run_id = %s AND m.buyer_id = v.buyer_id AND m.rank = v.rank",
                [[u[i] for u in updates] for i in range(5)] + [run.pk],
            )
    if inserts:
        chosen = _take(rows, np.array(sorted(inserts), dtype=np.int64))
        if len(chosen) > 2000:
            _copy_into("matching_match", chosen, run.pk)
        else:
            _bulk_create(chosen, run.pk)


def served_rows_replace(*, run: MatchRun, buyer_ids: list[int], rows: MatchRows) -> None:
    """Bring some buyers' rows in a published run to `rows`; call inside a transaction."""
    if uses_partitions():
        _served_rows_sync(run=run, buyer_ids=buyer_ids, rows=rows)
        return
    for start in range(0, len(buyer_ids), 500):
        Match.objects.filter(run=run, buyer_id__in=buyer_ids[start : start + 500]).delete()
    if len(rows):
        _bulk_create(rows, run.pk)
