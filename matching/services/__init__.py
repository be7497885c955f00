"""Writes and business rules of the matching app, one module per area (STYLE.md, section 2).

- `loading`: database → scoring arrays (profiles, layout, weights, per-pair rules);
- `blocks`: scoring a block of buyers into match rows (shared by full runs and incremental updates);
- `storage`: writing match rows (COPY into a run's partition on PostgreSQL, bulk_create elsewhere);
- `runs`: full runs (start, prepare, chunks, publish, fail, in-process execution);
- `incremental`: a saved buyer or exhibitor, an import, and the catch-up after a run is
  published (drop the replaced runs, rescore what changed while it computed);
- `feedback`: buyer feedback, existing customers and their policy, weights.
"""
