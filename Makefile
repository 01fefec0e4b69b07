# `make demo` and `make test` set up everything they need on first use:
# the virtual environment (.venv) and the real Tryton ERP build (.cache/tryton).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TRYTON_BUILD := .cache/tryton

.PHONY: demo test tryton venv bench lint clean

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

tryton: $(TRYTON_BUILD)/.built
$(TRYTON_BUILD)/.built: scripts/tryton/build.sh scripts/tryton/setup_business.py
	rm -rf $(TRYTON_BUILD)
	bash scripts/tryton/build.sh $(TRYTON_BUILD)

demo: venv tryton
	$(BIN)/causeway demo

test: venv tryton
	$(BIN)/pytest

bench: venv tryton
	$(BIN)/python bench/orders_into_erp.py
	$(BIN)/python bench/webhook_ingress.py

lint: venv
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .cache
