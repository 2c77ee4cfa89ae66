# Safeguarding Hub: one command runner, used by people and by CI alike.
#   make run   - install, migrate the embedded SQLite database, load demo data, serve http://127.0.0.1:8000
#   make test  - install, lint, type-check and run the whole suite (browser tests included)
#   make test-dates - the date-sensitive apps' tests again under faketime, on a leap day over a year ahead
#   make restore-drill - back a demo database up, restore it into a fresh one and check every row count and the log chain

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

ifneq (,$(wildcard .env))
include .env
export
endif

# Python caches each module's bytecode as it is first imported (the install skips compiling every file
# of every package: see --no-compile below). A shell that sets PYTHONDONTWRITEBYTECODE (this
# machine's does) would make every process compile every module it imports from source again: about
# 14 s of CPU for each test worker's collection alone, and again in each manage.py the checks run.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test cin-validator test-dates restore-drill install install-dev browser lint typecheck migrations static checks pytest migrate seed worker css bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# --no-compile: bytecode is written as modules are first imported, instead of for every file of every
# package at install time (about half of a fresh install's time, spaCy and its friends being large).
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The Children in Need census validator in a virtual environment of its own: it pins pandas < 2 and breaks
# with numpy 2, and its command line imports pytest (docs/cin-census.md). The app runs it as a subprocess.
CIN_VENV := .venv-cin
$(CIN_VENV)/.installed:
	$(PYTHON) -m venv $(CIN_VENV)
	$(CIN_VENV)/bin/pip install --quiet 'csc-validator-be-cin>=0.1.13,<0.2' 'numpy<2' pytest
	touch $@

cin-validator: $(CIN_VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	$(MANAGE) migrate --no-input

seed: migrate
	$(MANAGE) seed_demo --if-empty

run: seed
	@echo "Serving Safeguarding Hub on http://$(HOST):$(PORT)/ with a task worker beside it (Ctrl+C stops both)."
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

worker: migrate
	$(MANAGE) db_worker

# Browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@bash scripts/ensure-chromium.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/sizes.py

typecheck: install-dev
	$(BIN)/mypy safeguarding bench

# Every migration applied to an empty database on the suite's engine, compared with a database built
# the way the suite builds its own (tables from the models, then the migrations' code): see
# scripts/check_migrations.py and safeguarding/testing/schema.py.
migrations: install-dev
	$(BIN)/python scripts/check_migrations.py

# The static checks with the migrations check running beside them (it takes about as long as lint,
# mypy and the deployment checks together, each of them using one core), and the census validator's
# environment installed meanwhile (the suite needs it next; its install waits mostly on the disk).
static: install-dev
	@mkdir -p var
	@$(BIN)/python scripts/check_migrations.py > var/check-migrations.log 2>&1 & migrations=$$!; \
	  $(MAKE) --no-print-directory cin-validator > var/cin-validator.log 2>&1 & cin=$$!; \
	  $(MAKE) --no-print-directory lint typecheck checks; status=$$?; \
	  wait $$migrations || status=1; cat var/check-migrations.log; \
	  wait $$cin || { cat var/cin-validator.log; status=1; }; exit $$status

checks: install-dev
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=hub.example.org SITE_URL=https://hub.example.org DATABASE_URL=$${DATABASE_URL:-sqlite:///var/check.sqlite3} \
	  $(MANAGE) check --deploy --fail-level WARNING
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

# In parallel (pytest-xdist): one worker per core, each on its own test database; PYTEST_WORKERS=0 runs serially.
# worksteal: a worker that runs out takes half of what the other still has queued. With xdist's default
# (load), the last tests were handed out in halves as they were asked for, and one worker could be given the
# browser journeys at the end: measured on PostgreSQL, one worker finished 95 s before the other.
PYTEST_WORKERS ?= auto
PYTEST_DIST ?= worksteal
pytest: install-dev browser $(CIN_VENV)/.installed
	DJANGO_ALLOW_ASYNC_UNSAFE=true CIN_VALIDATOR_REQUIRED=1 $(BIN)/pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) --durations=25 $(PYTEST_ARGS)

# The static checks run beside the suite instead of before it, at a lower priority (nice): the suite's
# two workers leave a core's worth of CPU idle for part of the run (its last ~100 s on PostgreSQL, a
# third idle while short tests wait on the database), and the checks take that instead of 60-80 s
# of their own before the suite starts. Their output follows the suite's; either failing fails `make test`.
# (`make static` still runs them alone, first the census validator's environment, which the suite needs.)
# The two virtual environments and Chromium are installed side by side (on a fresh clone about 27 s and
# 19 s one after the other, mostly unpacking wheels).
STATIC_NICE ?= 10
test:
	@$(MAKE) --no-print-directory -j3 install-dev browser $(CIN_VENV)/.installed
	@mkdir -p var
	@nice -n $(STATIC_NICE) $(BIN)/python scripts/check_migrations.py > var/check-migrations.log 2>&1 & migrations=$$!; \
	  nice -n $(STATIC_NICE) $(MAKE) --no-print-directory lint typecheck checks > var/static.log 2>&1 & static=$$!; \
	  $(MAKE) --no-print-directory pytest; status=$$?; \
	  echo "--- The static checks, run beside the suite (ruff, sizes, mypy, deployment checks, migrations):"; \
	  wait $$static; checked=$$?; cat var/static.log; \
	  wait $$migrations; migrated=$$?; cat var/check-migrations.log; \
	  [ $$checked -eq 0 ] || { echo "make test: a static check failed (above)" >&2; status=1; }; \
	  [ $$migrated -eq 0 ] || { echo "make test: the migration check failed (above)" >&2; status=1; }; \
	  exit $$status

# The tests of the apps that count days, run again with this process's clock on a leap day more than
# a year ahead (Debian's faketime; the database server keeps real time). The wall clock starts there
# and runs; the monotonic clock stays real, or every timed wait (a thread's join(timeout=…) in the
# row-lock tests) would wait for the years between. A test that depends on the
# date freezes the clock with time-machine, so they pass whatever the date; FAKE_NOW="..." tries another.
DATE_APPS := reviews publishing actionplans plans escalations concerns dashboards learning audits
FAKE_NOW ?= 2028-02-29 10:00:00
test-dates: install-dev browser
	@command -v faketime >/dev/null || { echo "make test-dates needs Debian's faketime: apt-get install faketime" >&2; exit 1; }
	faketime --exclude-monotonic '$(FAKE_NOW)' $(BIN)/pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) -q -p no:randomly $(addprefix safeguarding/,$(DATE_APPS))

# Prove a backup restores (scripts/restore_drill.py): a drill database of its own (migrated, small demo data)
# beside DATABASE_URL's, backed up, restored into a fresh database, and every table's row count and the
# activity log's chain checked there; scratch databases are dropped. DRILL_ARGS=--from-current backs up
# DATABASE_URL's own database instead.
restore-drill: install
	$(BIN)/python scripts/restore_drill.py $(DRILL_ARGS)

# Rebuild the committed GOV.UK Frontend CSS/JS (needs Node; running the app does not).
css:
	npm ci && npm run build

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(CIN_VENV) var node_modules
