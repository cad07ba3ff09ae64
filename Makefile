# inspection-app: `make run` and `make test` set everything up on a fresh Debian machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8550

.PHONY: run lint test test-fast test-packaging bench sysdeps venv demo dist clean screenshots

# Python environment: the project with the office, HEIC and test extras (a tablet build takes the
# base only, see docs/platforms.md), reinstalled when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,office,heic]'
	@touch $(STAMP)

venv: $(STAMP)

# System packages: Chromium for the browser tests, poppler/qpdf/NSS tools for the PDF checks, fonts
# with full Vietnamese coverage, PostgreSQL for the shared-office tests, SoftHSM2 for the PKCS#11
# signing tests. Installed only when missing.
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
# http://$(HOST):$(PORT) (the CLI decides). A new data directory starts empty; the first screen
# offers "Dùng thử với dữ liệu mẫu", which opens the demo in its own data directory.
run: $(STAMP) sysdeps
	$(BIN)/inspection-app --host $(HOST) --port $(PORT)

# Load the demo department into the data directory itself (for screenshots and manual tests).
demo: $(STAMP)
	$(BIN)/inspection-app demo

# The wheel and the sdist in dist/ (package data included); `flet build` commands: docs/platforms.md.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	@ls -l dist

# ruff (configured in pyproject.toml) and mypy: strict for domain/, store/, services/, plain for the rest.
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/mypy

test: $(STAMP) sysdeps lint
	$(BIN)/python -m pytest

# Text: compile the gettext catalogs (a translator edits inspection_app/locale/<lang>/LC_MESSAGES/messages.po,
# then `make catalogs`; `make run` and `make test` compile them first). The wheel compiles them too (setup.py).
.PHONY: catalogs extract-messages
LOCALE := inspection_app/locale
catalogs: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D messages -d $(LOCALE) --statistics
run test test-fast test-packaging: catalogs

# New messages in the code → the .pot template and both .po files (then fill in the English msgstr).
extract-messages: $(STAMP)
	$(BIN)/python -m inspection_app.locale.marks $(LOCALE)/messages.pot
	$(BIN)/pybabel update -D messages -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching

# Refresh the README's screenshots (docs/img) from the browser tests.
screenshots: $(STAMP) sysdeps
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e and not packaging"

# The wheel installed into a fresh virtual environment outside the checkout, run from there.
test-packaging: $(STAMP) sysdeps
	$(BIN)/python -m pytest -m packaging

bench: $(STAMP) sysdeps
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info $(LOCALE)/*/LC_MESSAGES/*.mo
