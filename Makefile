# formwerk: every set-up step lives here, so a fresh clone and CI run the same commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
KERN_DIST := node_modules/@kern-ux/native/dist
VENDOR := renderer/static/vendor

.PHONY: help install assets chromium wrk run test test-fast bench lint fmt clean

help:
	@echo "make run    - install everything and serve the demo portal on http://127.0.0.1:8000"
	@echo "make test   - install test tools (and Chromium), run ruff and the whole test suite"
	@echo "make bench  - run the benchmarks"
	@echo "make lint / make fmt / make clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamp is rebuilt whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# KERN UX is served by the app itself (no CDN): copy the pinned package's dist.
$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR)/kern
	mkdir -p $(VENDOR)/kern
	cp -r $(KERN_DIST)/kern.min.css $(KERN_DIST)/fonts $(VENDOR)/kern/
	cp node_modules/@kern-ux/native/LICENSE.md $(VENDOR)/kern/
	touch $@

install: $(VENV)/.installed assets

assets: $(VENDOR)/.installed

# Debian's Chromium for the browser tests; Playwright cannot download its own here.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium (browser tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# Debian's wrk: the HTTP load generator of bench/bench_renderer.py.
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "Installing Debian's wrk (HTTP benchmark)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	fi

run: install
	$(BIN)/formwerk serve --host 127.0.0.1 --port 8000 --data-dir ./var

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# Without the browser tests: seconds, for the edit-test loop.
test-fast: install
	$(BIN)/python -m pytest -q -m "not browser"

bench: install wrk
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache *.egg-info
