"""gunicorn's settings, read from the working directory (the repository root) by default.

Command-line options (`--workers`, `--bind`…, as in the Dockerfile and docker-compose.yml) still
win; this file adds what only a hook can do: each worker, once it has loaded the application,
loads what its first request would otherwise pay for (matching/warmup.py).
"""


def post_worker_init(worker):
    from matching.warmup import process_warm

    took = process_warm()
    worker.log.info("worker %s warmed in %.3f s", worker.pid, sum(took.values()))
