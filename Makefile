# `make tour` runs the main job, `make test` the whole suite, `make docs` the site (into site/); all set up .venv.
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

$(BIN)/.docs-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

.PHONY: setup tour test bench docs
setup: $(BIN)/.installed

tour: $(BIN)/.installed
	$(BIN)/gradkit tour

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

# The tutorials carry their executed outputs (docs/execute_notebooks.py refreshes them); the build first
# re-executes every tutorial whose data is here and fails if a stored output is not what the code gives now.
docs: $(BIN)/.docs-installed
	$(BIN)/python docs/execute_notebooks.py --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site
	$(BIN)/python docs/check_site.py site
