# Points Mall — `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
FLASK := $(BIN)/flask --app wsgi
PG_URL ?= $(TEST_DATABASE_URL)
# pytest-xdist: a worker per core, each taking whole modules (a module's fixtures and its own
# Redis database stay in one process) in the collected order (tests/conftest.py puts the longest
# modules first); on PostgreSQL each worker has a database of its own.
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: install browser run test test-unit test-pg test-e2e lint messages bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Debian's chromium for Playwright (its own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Debian chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@# the scheduler runs beside the web server; Ctrl-C stops both
	$(FLASK) jobs run & jobs=$$!; trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

test: install browser
	env -u TEST_DATABASE_URL $(BIN)/pytest tests -q -p no:cacheprovider $(XDIST)
	@if [ -n "$(PG_URL)" ]; then \
	  echo "== the same suite on PostgreSQL, with the concurrency tests =="; \
	  TEST_DATABASE_URL="$(PG_URL)" $(BIN)/pytest tests -q -p no:cacheprovider $(XDIST); \
	fi
	@if ls e2e/test_*.py >/dev/null 2>&1; then \
	  echo "== end-to-end (Playwright, Pixel 7) =="; \
	  $(BIN)/pytest e2e -q -p no:cacheprovider; \
	fi

lint: install
	$(BIN)/ruff check app tests e2e bench
	$(BIN)/ruff format --check app tests e2e bench

# Extract from the repo root: babel.cfg's patterns (app/**.py, app/templates/**.html) are relative
# to the directory handed to extract, so extracting from `app` would match nothing.
LOCALES := zh_Hans zh_Hant en
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project "Points Mall" --copyright-holder YUNLAN \
	  -o app/translations/messages.pot .
	@for loc in $(LOCALES); do \
	  test -f app/translations/$$loc/LC_MESSAGES/messages.po || \
	    $(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l $$loc; \
	done
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/translations

# bench/pages.py loads pages with wrk (Debian's; installed here when missing).
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian wrk"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/flash.py
	$(BIN)/python bench/pages.py
	bash bench/lighthouse.sh
