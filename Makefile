# The two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install install-test run test lint typecheck pytest clean messages bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
	$(BIN)/tidings migrate --verbosity 0

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/tidings demo
	$(BIN)/tidings run

lint: install-test
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: install-test
	$(BIN)/mypy

# Two test processes (pytest-xdist), one per core: each has its own database, data directory,
# Redis prefix and, for the browser tests, its own server and worker.
TEST_JOBS ?= 2
pytest: install-test
	$(BIN)/pytest -n $(TEST_JOBS) --maxschedchunk 4

test: lint typecheck pytest

# The benchmark at the small size (embedded SQLite, and PostgreSQL with Redis when they answer on
# 127.0.0.1): bench/results/<date>.json and BENCHMARKS.md. Medium and large: see bench/README.md.
bench: install-test
	$(BIN)/python bench/run.py --size small

clean:
	rm -rf $(VENV) data

# Refresh the Chinese catalogues after changing strings (needs GNU gettext), then translate
# the new entries in src/tidings/locale/*/LC_MESSAGES/django.po and run this again.
messages: install
	cd src/tidings && DJANGO_SETTINGS_MODULE=tidings.settings ../../$(BIN)/django-admin makemessages \
		-l zh_Hant -l zh_Hans --ignore=tests --no-obsolete
	cd src/tidings && ../../$(BIN)/django-admin compilemessages
