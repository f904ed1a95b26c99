# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
PYTEST_ARGS ?= -n 2
# Imports must be able to write bytecode, or the platform starts several times slower.
unexport PYTHONDONTWRITEBYTECODE

RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei
TEST_DEBS := chromium poppler-utils zbar-tools

.PHONY: run test install install-dev system-packages test-system-packages lint bench clean

run: install
	@$(VENV)/bin/talent init-db
	@$(VENV)/bin/talent seed-demo
	@PORT=$(PORT) $(VENV)/bin/talent serve --port $(PORT)

test: install-dev test-system-packages tests/browser/axe/node_modules/axe-core/axe.min.js
	$(PY) -m pytest $(PYTEST_ARGS)

install: system-packages $(VENV)/.installed-run
	@$(PY) -m talent.i18n

install-dev: system-packages $(VENV)/.installed-dev
	@$(PY) -m talent.i18n

system-packages:
	@scripts/system-packages.sh $(RUN_DEBS)

test-system-packages:
	@scripts/system-packages.sh $(TEST_DEBS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --compile -e '.[postgres]'
	$(PY) -m compileall -q talent
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	$(PY) -m pip install --quiet --compile -e '.[dev]'
	@touch $@

lint: install-dev
	$(VENV)/bin/ruff check talent tests bench

# Benchmarks are long and noisy; they are run by hand and recorded in docs/benchmarks.md.
bench: install-dev
	$(PY) bench/rules.py
	$(PY) bench/match_quality.py
	$(PY) bench/match_speed.py
	$(PY) bench/match_speed.py --data varied

clean:
	rm -rf $(VENV) instance .pytest_cache talent.egg-info

# axe-core (accessibility checks in the browser tests), pinned by tests/browser/axe/package-lock.json.
tests/browser/axe/node_modules/axe-core/axe.min.js: tests/browser/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || scripts/system-packages.sh npm
	cd tests/browser/axe && npm ci --no-audit --no-fund && touch node_modules/axe-core/axe.min.js
