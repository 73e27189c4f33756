# Backlot: `make run` sets everything up and serves the site; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install lock run test coverage lint format check migrate demo serve backup restore

# Exactly the versions requirements-dev.lock pins (the site's and the tools'), every file checked
# against its hash; requirements.lock pins the site's alone, for production.
$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed

# The lock files anew from pyproject.toml's dependencies, keeping the versions they pin where
# pyproject.toml allows them; LOCK_ARGS=--upgrade (or "--upgrade-package django") moves them on.
LOCK_ARGS ?=
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock: install
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev --constraint requirements.lock -o requirements-dev.lock

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The development server and, beside it, the task worker (emails, image copies: README,
# "Background tasks"); Ctrl-C stops both, and the worker stops whenever the server does. Both
# get SITE_URL, the address served here: the worker writes the links in emails with no request
# to read the port from.
run: demo
	@echo "Serving Backlot on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "The task worker runs beside it; Ctrl-C stops both."
	@export SITE_URL=http://127.0.0.1:$(PORT); \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite in TEST_WORKERS processes (pytest-xdist; 0: in this one), the browser journeys all in
# one of them. BACKLOT_DEVTOOLS=1: the load tooling (tests/loadtools) is tested too.
TEST_WORKERS ?= 2
PYTEST = BACKLOT_DEVTOOLS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup
test: install
	$(PYTEST)

# The same, measuring which lines of trivia/ and accounts/ ran: a table, and build/coverage/.
coverage: install
	$(PYTEST) --cov --cov-report=term --cov-report=html:build/coverage

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# What CI checks before the suites: lint, formatting, and no model change without its migration.
# All three run; any failure fails it.
check: install
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/python manage.py makemigrations --check --dry-run || status=1; \
	exit $$status

# Production mode: gunicorn, DJANGO_DEBUG=0, static files collected and served by WhiteNoise.
# DJANGO_SECRET_KEY must be set; see README "Production" for the other variables.
WORKERS ?= 3
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: set DJANGO_SECRET_KEY (and DJANGO_ALLOWED_HOSTS); see README, Production."; exit 2; }
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "gunicorn ($(WORKERS) workers) on 127.0.0.1:$(PORT) and one task worker; Ctrl-C stops both."
	@DJANGO_DEBUG=0 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=0 $(BIN)/gunicorn trivia.wsgi --config gunicorn.conf.py --workers $(WORKERS) \
		--bind 127.0.0.1:$(PORT) --no-control-socket \
		--access-logfile - --error-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# Backups: the database (SQLite online backup or pg_dump) and uploaded files in one archive.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "make restore FILE=backups/backlot-….tar.gz"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" --no-input

# Benchmark (README, "Benchmark"): a synthetic dataset in a database of its own, served as
# `make serve` serves it (gunicorn, DJANGO_DEBUG=0, a secret key made for the run) on a free
# port, loaded from loopback with wrk: each reader page on its own against the static floor
# (read-only), then many pages while stories are approved at 0, 0.2, 1 and 5 a second
# (read-under-write); the tables are printed and appended to docs/benchmarks.md.
# SQLite: $(BENCH_SQLITE). PostgreSQL: DATABASE_URL as given, and it gets filled. Without
# REDIS_URL the page cache is on disk, in a folder made for the run (it starts empty).
# SEED_ARGS and BENCH_ARGS pass options on, e.g. SEED_ARGS=--reset
# BENCH_ARGS="--scenario read-under-write --stage-duration 10".
# seed_bench and bench come from tests/loadtools (BACKLOT_DEVTOOLS=1); the server runs without.
BENCH_SQLITE ?= bench.sqlite3
BENCH_WORKERS ?= 3
SEED_ARGS ?=
BENCH_ARGS ?=
.PHONY: bench
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk (Debian: apt-get install wrk)."; exit 2; }
	@set -eu; \
	if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "make bench: DATABASE_URL is set: that database gets the bench dataset."; \
	else \
		export SQLITE_PATH="$(abspath $(BENCH_SQLITE))"; \
		echo "make bench: SQLite database $$SQLITE_PATH"; \
	fi; \
	cache_dir=$$(mktemp -d "$${TMPDIR:-/tmp}/backlot-bench-cache.XXXXXX"); \
	trap 'rm -rf "$$cache_dir"' EXIT INT TERM; \
	export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_LOG_LEVEL=WARNING CACHE_KEY_PREFIX=backlot-bench \
		CACHE_DIR="$$cache_dir" BACKLOT_DEVTOOLS=1 \
		DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
		DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	$(BIN)/python manage.py migrate --noinput --verbosity 0; \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
	$(BIN)/python manage.py seed_bench $(SEED_ARGS); \
	BACKLOT_DEVTOOLS=0 $(BIN)/gunicorn trivia.wsgi --workers $(BENCH_WORKERS) --bind 127.0.0.1:$$port --no-control-socket \
		--error-logfile - --log-level warning & \
	server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null || true; rm -rf "$$cache_dir"' EXIT INT TERM; \
	$(BIN)/python manage.py bench --base-url http://127.0.0.1:$$port --server-pid $$server \
		--label "gunicorn, $(BENCH_WORKERS) workers" $(BENCH_ARGS)

# Soak (README, "Soak"): readers, contributors and four racing moderators over HTTP against
# gunicorn (DJANGO_DEBUG=0, SOAK_WORKERS workers) on PostgreSQL + a Redis of the soak's own for
# SOAK_DURATION seconds, with one worker killed a third in, PostgreSQL restarted half way and
# that Redis stopped for 8 s two thirds in; then the database is checked against every
# acknowledged decision and submission. Loopback only; it prints its figures in one block and
# fails when a target is missed. Needs PostgreSQL, redis-server (started on a spare port; the
# shared Redis is never touched) and root for `pg_ctlcluster` (or SOAK_ARGS=--no-pg-restart,
# or --pg-restart-command "…").
# SOAK_DATABASE_URL is dropped and created anew: its name must contain "soak".
# SOAK_ARGS passes options on, e.g. SOAK_ARGS="--readers 6 --no-kill".
# soak comes from tests/loadtools (BACKLOT_DEVTOOLS=1); the gunicorn it starts runs without.
SOAK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/backlot_soak
SOAK_DURATION ?= 60
SOAK_WORKERS ?= 3
SOAK_ARGS ?=
.PHONY: soak
soak: install
	DATABASE_URL="$(SOAK_DATABASE_URL)" \
		BACKLOT_DEVTOOLS=1 DJANGO_LOG_LEVEL=WARNING $(BIN)/python manage.py soak --duration $(SOAK_DURATION) \
		--workers $(SOAK_WORKERS) $(SOAK_ARGS)

# The read API checked from outside (docs/api.md): schemathesis against the OpenAPI description
# of a running server, `make run`'s by default, every operation with API_CHECK_EXAMPLES
# examples, every check (no 5xx, statuses, content types and bodies as described).
# API_URL=http://host:port points it at another server. Run in build/api-check, where
# schemathesis keeps the failures it found, to replay them first next time.
API_URL ?= http://127.0.0.1:$(PORT)
API_CHECK_EXAMPLES ?= 50
.PHONY: api-check
api-check: install
	mkdir -p build/api-check
	cd build/api-check && $(abspath $(BIN))/schemathesis run "$(API_URL)/api/v1/openapi.json" \
		--checks all --max-examples $(API_CHECK_EXAMPLES) --generation-database none \
		--wait-for-schema 30
