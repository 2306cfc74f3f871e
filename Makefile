# HESCB Desktop: developer commands. `make help` lists them.
#
# Everything runs from the project's own virtualenv (.venv), which `make setup` creates with the
# first Python 3.11+ on PATH (override with PYTHON=/path/to/python3.11). As root, setup also
# installs the Debian packages Qt needs; otherwise it prints the apt-get line to run.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.hescb-installed
OFFSCREEN := QT_QPA_PLATFORM=offscreen
DEMO_DIR := demo-data
DIST_BIN := dist/hescb-desktop/hescb-desktop

# Qt's xcb platform plugin, for a real window: `make run` needs them, and `make build` (so `make
# test` too) has PyInstaller bundle them with the plugin. Offscreen tests run without them.
XCB_PACKAGES := libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
SYSTEM_EXTRA :=

.PHONY: help setup system-deps venv run test lint pytest build selftest-binary bench \
	screenshots role-screenshots clean distclean

help:
	@echo "make run          start the app on a demo board (demo-data/, created on first run)"
	@echo "make test         ruff, mypy, lint-imports, pytest (offscreen), build + binary selftest"
	@echo "make build        PyInstaller one-folder app in dist/hescb-desktop/"
	@echo "make bench        every benchmark (start-up, sync, action log, calendar, board, pack,"
	@echo "                 GUI stalls):"
	@echo "                 medians beside a baseline measured in the same run"
	@echo "make screenshots  regenerate docs/screenshots/"
	@echo "make role-screenshots  every page of the demo as each role, in build/role-screenshots/"
	@echo "make setup        system packages, .venv and 'pip install -e .[dev]' (idempotent)"
	@echo "make clean        remove build output and caches (distclean: also .venv and data)"

# ------------------------------------------------------------------ setup
setup: $(STAMP)

system-deps:
	@scripts/setup.sh system $(SYSTEM_EXTRA)

venv: system-deps
	@scripts/setup.sh venv $(VENV)

# Reinstall only when pyproject.toml changed (or the venv is new).
$(STAMP): pyproject.toml | venv
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -q -e '.[dev]'
	@touch $@

run build test: SYSTEM_EXTRA = $(XCB_PACKAGES)

# ------------------------------------------------------------------ run
run: setup
	@if [[ $$(uname) == Linux && -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}$${QT_QPA_PLATFORM:-}" ]]; then \
		echo "make run: no display (DISPLAY is not set). Run it from a desktop session," >&2; \
		echo "or on a virtual screen: apt-get install xvfb xauth, then: xvfb-run -a make run" >&2; \
		exit 1; \
	fi
	@if [[ ! -f $(DEMO_DIR)/hescb.sqlite ]]; then \
		echo "Creating the demo board in $(DEMO_DIR)/ ..."; \
		$(BIN)/hescb-desktop --data-dir $(DEMO_DIR) init --demo; \
	fi
	$(BIN)/hescb-desktop --data-dir $(DEMO_DIR)

# ------------------------------------------------------------------ checks
test: lint pytest selftest-binary
	@echo "make test: all checks passed"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

HANG_DIR := $(shell mktemp -u /tmp/hescb-test-hangs.XXXXXX)

# A test that hangs is stopped by pytest-timeout; its stacks (tests/conftest.py) are printed here.
pytest: setup
	@status=0; $(OFFSCREEN) HESCB_HANG_DIR=$(HANG_DIR) $(BIN)/pytest -n auto --maxprocesses 4 \
		|| status=$$?; \
	if [[ $$status != 0 ]] && compgen -G "$(HANG_DIR)/*.txt" >/dev/null; then \
		echo "=== tests that did not end, with every thread's stack ==="; cat $(HANG_DIR)/*.txt; \
	fi; rm -rf $(HANG_DIR); exit $$status

# The frozen app on its own (no venv): the self-test with Qt on an empty data dir, then a real
# database file created through the shipped migrations and checked again.
selftest-binary: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export HESCB_DATA_DIR="$$tmp" $(OFFSCREEN); set -x; \
	$(DIST_BIN) --version; \
	$(DIST_BIN) selftest --qt; \
	$(DIST_BIN) init; \
	$(DIST_BIN) selftest

# ------------------------------------------------------------------ build and tools
build: setup
	$(BIN)/pyinstaller --noconfirm --log-level WARN build.spec
	@du -sh dist/hescb-desktop

# Every benchmark always runs; the target fails if any missed a target.
bench: setup
	@status=0; \
	$(PY) benchmarks/bench_startup.py || status=1; \
	$(PY) benchmarks/bench_sync.py || status=1; \
	$(PY) benchmarks/bench_trust.py || status=1; \
	$(PY) benchmarks/bench_restricted.py || status=1; \
	$(OFFSCREEN) $(PY) benchmarks/bench_action_log.py || status=1; \
	$(PY) benchmarks/bench_calendar.py || status=1; \
	$(PY) benchmarks/bench_board.py || status=1; \
	$(PY) benchmarks/bench_pack.py || status=1; \
	$(PY) benchmarks/bench_audit.py || status=1; \
	$(OFFSCREEN) $(PY) benchmarks/bench_gui_stall.py || status=1; \
	exit $$status

screenshots: setup
	$(OFFSCREEN) $(PY) scripts/take_screenshots.py

role-screenshots: setup
	$(OFFSCREEN) $(PY) scripts/role_screenshots.py

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis
	find hescb_desktop tests benchmarks scripts -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(DEMO_DIR) .bench-data hescb_desktop.egg-info
