# `make tour` runs the main job, `make test` the whole suite; both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The local dataset mirror, when it sits beside the checkout (as on CI).
GRADKIT_DATA ?= $(abspath $(wildcard ../shared/datasets))
export GRADKIT_DATA

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $@

.PHONY: setup tour test bench
setup: $(BIN)/.installed

tour: $(BIN)/.installed
	$(BIN)/gradkit tour

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks
