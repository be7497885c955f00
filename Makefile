# Shuttle: `make run` serves the demo on 127.0.0.1:$(PORT); `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_BUYERS ?= 300
DEMO_EXHIBITORS ?= 100
# The embedded setup (SQLite, eager Celery, console email) needs no services and no secrets.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: install run worker beat test lint fmt messages makemessages clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Compiled catalogues are build products: made from locale/*/LC_MESSAGES/django.po.
messages: install
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0

makemessages: install
	$(RUN_ENV) $(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=staticfiles --ignore=bench -v0

# serve_demo is runserver that prints the demo logins after its own start-up lines, where they are seen.
run: install messages
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py seed_demo --buyers $(DEMO_BUYERS) --exhibitors $(DEMO_EXHIBITORS) --seed 1 --if-empty --no-logins
	$(RUN_ENV) $(PY) manage.py rescore --if-needed --inline --no-progress
	$(RUN_ENV) $(PY) manage.py serve_demo 127.0.0.1:$(PORT)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

# The hooks of .pre-commit-config.yaml (ruff, ruff format, makemigrations --check) on every file.
lint: install
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
