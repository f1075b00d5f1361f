PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run setup install test lint format messages fixtures vendor screenshots bench bench-search serve worker backup restore clean

# The background worker runs beside the development server (spreadsheet imports queue for it)
# and stops with it.
run: setup
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Migrate, load the real communes, categories and demo products into an empty
# database (staff edits survive the next run) and create the demo staff account.
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_staff

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# The browser tests (tests/browser/) need /usr/bin/chromium and, for the axe-core checks,
# node_modules/ (npm ci): without them they are skipped, unless BROWSER_TESTS_REQUIRED=1.
test: $(VENV)/.installed-dev
	@if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; fi
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# ruff, and the app layers of docs/architecture.md (import-linter, contracts in pyproject.toml).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so that
# `make run` works without it.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l vi -l en -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=scripts --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

# Refresh static/vendor/ from npm (package.json pins the versions); the copies are committed,
# so `make run` needs no npm. tests/test_vendor.py checks they match node_modules/.
vendor:
	npm ci --silent --no-audit --no-fund
	rm -rf static/vendor/leaflet && mkdir -p static/vendor/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
		node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images node_modules/leaflet/LICENSE static/vendor/leaflet/

# Rebuild fixtures/*.json and fixtures/media from ../shared/data.
fixtures: $(VENV)/.installed-dev
	$(PY) manage.py build_fixtures

# The pages under load: gunicorn (production settings) driven by wrk, at 1,000 and
# 100,000 synthetic products on SQLite and PostgreSQL (15-30 minutes); the results go
# to the top of bench/results.md. Options: make bench BENCH_ARGS="--sizes 1000 --runs 1".
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev
	$(PY) -m bench.pages $(BENCH_ARGS)

# Search timings alone, through the test client (several minutes at 100,000 products).
BENCH_PRODUCTS ?= 100000
bench-search: $(VENV)/.installed-dev
	$(PY) -m bench.search --products $(BENCH_PRODUCTS)

# Production: migrate, collect static files, then gunicorn (gunicorn.conf.py). Needs
# SECRET_KEY and ALLOWED_HOSTS (README, "Running in production"); WEB_CONCURRENCY and BIND
# set the workers (2 x cores + 1) and the address (127.0.0.1:8000). Spreadsheet imports run
# in the background worker: run `make worker` beside it, with the same environment.
serve: install
	DJANGO_ENV=production $(PY) manage.py migrate --noinput
	DJANGO_ENV=production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_ENV=production $(BIN)/gunicorn ocop_site.wsgi

# The background worker (django-tasks-db): runs the imports queued from the admin, from the
# database's queue. Beside `make serve` (or runserver), in its own terminal or service; several
# may run, on any server that reaches the database and the imports storage.
worker: install
	$(PY) manage.py db_worker

# The whole site (database rows and media files) to backups/ocop-<date>-<time>.tar.gz, and
# back into an empty, migrated database: make restore FILE=backups/ocop-....tar.gz
backup: install
	$(PY) manage.py backup_site

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/ocop-....tar.gz"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py restore_site "$(FILE)"

# Full-page shots of the main pages at 375 and 1280 px into docs/screenshots/ (Chromium).
screenshots: setup $(VENV)/.installed-dev
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
