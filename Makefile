# exolab - the README's two commands are `make lab` and `make test`; each one
# sets everything up on a fresh machine by itself and reuses the set-up after.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp is newer than the pins once they are installed: a second `make`
# skips the install entirely (seconds, not minutes).
STAMP  := $(VENV)/.exolab-installed
CHROMIUM ?= /usr/bin/chromium
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help lab test test-run browser notebooks nbval figures bench lock setup chromium clean

help:
	@echo "make lab      set up (first time) and open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test     set up (first time) and run unit, notebook (nbval) and browser tests"
	@echo "make notebooks store fresh outputs in every lesson, then check them (nbval)"
	@echo "make nbval    check the lessons' stored outputs only (strict nbval, no browser)"
	@echo "make figures  regenerate every figure in figures/"
	@echo "make bench    run the benchmarks, write benchmarks/results.json"
	@echo "make lock     re-pin requirements.txt and environment.yml from pyproject.toml"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "exolab needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
	         "Run: make PYTHON=python3.11 ..." >&2; exit 1; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Browser tests need a Chromium. Debian's package is used where it exists;
# as root on Debian/Ubuntu we install it, otherwise we say what to do.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi; \
	[ -x "$(CHROMIUM)" ] || { echo "The browser tests need Chromium at $(CHROMIUM)." \
	  "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2; exit 1; }

# The repository is the server root (data/ and figures/ stay browsable); the
# start lesson opens through default_url.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# One pytest run: unit tests, strict nbval over every lesson (with outbound
# network blocked inside the kernel), then the browser tests. Jupyter, IPython,
# matplotlib and quiz-progress state live in a temporary folder, never in ~.
TEST_PATHS ?= tests notebooks
test: $(STAMP) chromium
	@$(MAKE) --no-print-directory test-run

test-run: $(STAMP)
	@export TEST_STATE=$$(mktemp -d); trap 'rm -rf "$$TEST_STATE"' EXIT; \
	export JUPYTER_CONFIG_DIR=$$TEST_STATE/jupyter-config JUPYTER_DATA_DIR=$$TEST_STATE/jupyter-data \
	       JUPYTER_RUNTIME_DIR=$$TEST_STATE/jupyter-runtime IPYTHONDIR=$$TEST_STATE/ipython \
	       MPLCONFIGDIR=$$TEST_STATE/mpl EXOLAB_PROGRESS=$$TEST_STATE/progress.json \
	       EXOLAB_CHROMIUM=$(CHROMIUM) PYTHONHASHSEED=0; \
	mkdir -p $$IPYTHONDIR/profile_default/startup; \
	cp tests/support/no_network.py $$IPYTHONDIR/profile_default/startup/00-no-network.py; \
	cp tests/support/semicolon.py $$IPYTHONDIR/profile_default/startup/01-semicolon.py; \
	$(BIN)/python -m pytest $(TEST_PATHS) --nbval --nbval-sanitize-with notebooks/sanitize.cfg \
	  --nbval-current-env -p no:cacheprovider $(PYTEST_ARGS)

# A subset of `make test`: only the browser tests (handy while editing a lesson).
browser: $(STAMP) chromium
	@$(MAKE) --no-print-directory test PYTEST_ARGS="-m browser tests/browser"

# Store fresh outputs in every lesson (and the README course map), then check them with
# strict nbval alone: run this after changing anything a lesson displays (exolab.query,
# the widgets, data/), or `make test` fails on the stale stored outputs.
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py
	$(BIN)/python tools/course_map.py
	@$(MAKE) --no-print-directory nbval

# A subset of `make test`: strict nbval over the stored lesson outputs only (no browser).
nbval: $(STAMP)
	@$(MAKE) --no-print-directory test-run TEST_PATHS=notebooks

figures: $(STAMP)
	MPLCONFIGDIR=$${MPLCONFIGDIR:-$$(mktemp -d)} $(BIN)/python -m exolab.figures

bench: $(STAMP)
	MPLCONFIGDIR=$${MPLCONFIGDIR:-$$(mktemp -d)} $(BIN)/python benchmarks/run.py

lock: $(STAMP)
	$(BIN)/python tools/lock.py

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
