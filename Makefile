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
	@echo "make lint  — ruff"

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

run: $(STAMP) sysdeps messages migrate
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) sysdeps messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

makemessages: $(STAMP)
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete

bench: $(STAMP) migrate
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
