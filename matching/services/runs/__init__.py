"""Full match runs (STYLE.md, section 1: a package past ~400 lines): the steps a run goes through on
Celery workers (`steps`: start, prepare, score chunks, publish, fail) and the same steps run in
this process (`inline`: the `rescore` command without workers, the benchmarks)."""

from matching.services.runs.inline import match_run_execute
from matching.services.runs.steps import (
    CATCH_UP_MARGIN,
    PREPARED_PROGRESS,
    PROGRESS_FIELDS,
    STALE_AFTER,
    match_chunk_attempt_failed,
    match_chunk_score,
    match_run_fail,
    match_run_prepare,
    match_run_publish,
    match_run_start,
    match_runs_fail_stale,
)

__all__ = [
    "CATCH_UP_MARGIN",
    "PREPARED_PROGRESS",
    "PROGRESS_FIELDS",
    "STALE_AFTER",
    "match_chunk_attempt_failed",
    "match_chunk_score",
    "match_run_execute",
    "match_run_fail",
    "match_run_prepare",
    "match_run_publish",
    "match_run_start",
    "match_runs_fail_stale",
]
