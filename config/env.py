"""The one place settings read the environment (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is convenient in development; real deployments pass variables directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
