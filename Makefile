# Every target sets itself up: a fresh machine needs only Python 3.11 and the package registries.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test ingest evals bench browser postgres clean

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

ingest: $(STAMP)
	$(PY) -m ingest

evals: $(STAMP)
	$(PY) -m evals

bench: $(STAMP)
	$(PY) -m evals.bench

# Headless Chromium for the browser tests, from Debian's packages (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# A PostgreSQL server for the database tests, from Debian's packages; the tests start their own in a temporary
# folder (Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# The whole suite, then the eval gate: quality below evals/quality/thresholds.toml fails like a test.
test: $(STAMP) browser postgres
	$(PY) -m pytest
	$(PY) -m evals --check --quiet --out evals/out

clean:
	rm -rf .data evals/out test-artifacts bench-out
