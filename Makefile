PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run setup install test lint format messages fixtures screenshots bench clean

run: setup
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

test: $(VENV)/.installed-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so that
# `make run` works without it.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l vi -l en -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=scripts
	$(PY) manage.py compilemessages --ignore=.venv

# Rebuild fixtures/*.json and fixtures/media from ../shared/data.
fixtures: $(VENV)/.installed-dev
	$(PY) scripts/build_fixtures.py

# Search timings on SQLite and PostgreSQL with a large synthetic catalogue (several
# minutes at 100,000 products). PostgreSQL is skipped when it is not reachable.
BENCH_PRODUCTS ?= 100000
bench: $(VENV)/.installed-dev
	$(PY) scripts/bench_search.py --products $(BENCH_PRODUCTS)

screenshots: setup
	bash scripts/screenshots.sh

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
