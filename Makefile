# Open Pro — the two commands of the README: `make run` and `make test`.
# Both set up everything they need on a fresh machine (virtualenv, dependencies, system packages).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages migrate demo worker sysdeps clean-db bench help

help:
	@echo "make run   — set up, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test  — set up and run the whole test suite (unit, integration, browser)"
	@echo "make lint  — ruff and the import-linter layers"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# System packages: Chromium for the browser tests, Pango for WeasyPrint, poppler for PDF checks.
sysdeps:
	@bash scripts/sysdeps.sh

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	$(PY) manage.py demo

# Background work (mails, iCal imports, the dispatchers…) runs in one Celery worker with an embedded
# beat. With REDIS_URL it uses Redis; without, kombu's filesystem transport under var/celery (no
# Redis needed), the folders the web process enqueues to (openpro/settings.py).
CELERY_DIR := var/celery
CELERY_WORKER = $(VENV)/bin/celery -A openpro worker \
	--beat --schedule=$(CELERY_DIR)/beat-schedule --pool=threads --concurrency=4 --loglevel=WARNING

run: $(STAMP) sysdeps messages migrate
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py demo --base-url http://$(HOST):$(PORT)
	@mkdir -p $(CELERY_DIR)
	@echo "Serving on http://$(HOST):$(PORT)/ with a background Celery worker and beat (Ctrl+C stops both)"
	@$(CELERY_WORKER) & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The worker and beat alone (e.g. next to another web server).
worker: $(STAMP) migrate
	@mkdir -p $(CELERY_DIR)
	$(CELERY_WORKER)

# The suite runs in TEST_WORKERS parallel processes (pytest-xdist; auto is one per core, which
# measured faster than 3 or 4 on 2 cores). Each has its own test database, cache and Redis key prefix.
# TEST_WORKERS=0 runs it in this one process; PYTEST_ARGS adds options or picks tests, e.g.
# `make test TEST_WORKERS=0 PYTEST_ARGS="tests/e2e -x"`.
TEST_WORKERS ?= auto
TEST_DIST ?= worksteal
PYTEST_ARGS ?=

# The layers (import-linter, pyproject.toml) are checked first: a back-edge fails the suite.
test: $(STAMP) sysdeps messages
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n $(TEST_WORKERS) --dist $(TEST_DIST) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

makemessages: $(STAMP)
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete

BENCHMARKS := tarifs_generate planning dossiers_export contract_pdf ical_export ical_sync office_scale

bench: $(STAMP)
	@for name in $(BENCHMARKS); do echo "== benchmarks/$$name.py"; $(PY) benchmarks/$$name.py || exit 1; done