# inspection-app: `make run` and `make test` set everything up on a fresh Debian machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8550

.PHONY: run test test-fast bench sysdeps venv demo clean screenshots

# Python environment: the project and its test extras, reinstalled when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# System packages: Chromium for the browser tests, poppler/qpdf/NSS tools for the PDF checks, fonts
# with full Vietnamese coverage, PostgreSQL for the shared-office tests. Installed only when missing.
SYS_CHECKS := chromium:chromium pdftoppm:poppler-utils qpdf:qpdf certutil:libnss3-tools softhsm2-util:softhsm2
sysdeps:
	@missing=""; \
	for pair in $(SYS_CHECKS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	test -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf || missing="$$missing fonts-liberation2"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Run the app: a desktop window when a desktop client can start, otherwise offline web mode on
# http://$(HOST):$(PORT) (the CLI decides). Demo data is loaded on first run so there is something to see.
run: $(STAMP) sysdeps
	$(BIN)/inspection-app --host $(HOST) --port $(PORT)

demo: $(STAMP)
	$(BIN)/inspection-app demo

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest

# Refresh the README's screenshots (docs/img) from the browser tests.
screenshots: $(STAMP) sysdeps
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

bench: $(STAMP) sysdeps
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
