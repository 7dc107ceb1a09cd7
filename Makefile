# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1

.PHONY: run test install install-dev browser lint messages bench bench-tools clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

## Serve the portal with its Celery worker and beat on embedded defaults (SQLite, filesystem broker).
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo --if-empty
	exec env $(DEV_ENV) bash scripts/run-dev.sh

## Install what the tests need (Chromium from Debian for the browser tests), check the import
## contracts (pyproject.toml) and run the whole suite.
test: install-dev browser
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest

## Chromium from Debian for the browser tests, with a CJK font so their screenshots are legible.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	elif command -v fc-list >/dev/null 2>&1 && [ -z "$$(fc-list :lang=zh family)" ]; then \
	  echo "Note: no Chinese font installed; browser screenshots will show boxes (apt-get install fonts-wqy-zenhei)"; \
	fi

## Load benchmark on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench).
bench: install-dev bench-tools
	$(PY) bench/run.py

bench-tools:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

## Regenerate the message catalogues after changing user-facing strings.
messages: install-dev
	$(DEV_ENV) $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=bench --ignore=tests
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles var db.sqlite3
