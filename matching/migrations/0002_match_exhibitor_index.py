"""Match rows by exhibitor: the buyers holding an exhibitor are found through an index.

Deleting an exhibitor deletes its matches (Django's cascade: `DELETE FROM matching_match WHERE
exhibitor_id IN (…)`, no run filter), and the catch-up after a run looks up the buyers whose new
list holds an exhibitor deleted meanwhile (`run_id = … AND exhibitor_id IN (…)`). Both scanned
every row. Measured on PostgreSQL 15 with one published run of 50,000 buyers × 20 (1,000,000
rows, 5,000 exhibitors, the median exhibitor in 142 lists):

    before: SELECT buyer_id FROM matching_match WHERE run_id = 7 AND exhibitor_id = 1505
      Gather → Parallel Seq Scan on matching_match_r7 (Rows Removed by Filter: 333285 × 3)
      Execution Time: 145 ms
    before: DELETE FROM matching_match WHERE exhibitor_id IN (1505)
      Seq Scan on matching_match_r7 (Rows Removed by Filter: 999856)     Execution Time: 260 ms
    after:  Bitmap Index Scan on matching_match_r7_exhibitor (rows=144)  Execution Time: 0.9 ms
    after:  Bitmap Index Scan on matching_match_r7_exhibitor (rows=144)  Execution Time: 0.4 ms

On PostgreSQL the match table is partitioned by run (0001), so the index is made per partition,
not on the parent: a parent index would be built inside the publishing transaction by ATTACH
PARTITION (1.0–1.4 s for those million rows, half as long again as the unique index it
already builds there).
Each run's partition gets its index right after the publishing commit instead
(`storage.run_storage_finish`, with ANALYZE); this migration indexes the default partition and the
runs already published. The exhibitor side of incremental rescoring also reads each buyer's K-th
row (`rank = K`), which no index serves, so that query still scans its run's rows. Other
databases keep one plain table with a plain index.
"""

from django.db import migrations

INDEX_SUFFIX = "_exhibitor"


def _partitions(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'matching_match' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS match_exhibitor ON matching_match (exhibitor_id)")
        return
    for table in _partitions(schema_editor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}{INDEX_SUFFIX} ON {table} (exhibitor_id)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS match_exhibitor")
        return
    for table in _partitions(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}{INDEX_SUFFIX}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
