PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run setup install test lint format messages fixtures screenshots clean

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
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv

# Rebuild fixtures/*.json and fixtures/media from ../shared/data.
fixtures: $(VENV)/.installed-dev
	$(PY) scripts/build_fixtures.py

screenshots: setup
	bash scripts/screenshots.sh

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
