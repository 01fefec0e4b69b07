# `make demo` and `make test` set up everything they need on first use:
# the virtual environment (.venv) and the real Tryton ERP build (.cache/tryton).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TRYTON_BUILD := .cache/tryton

.PHONY: demo test tryton venv bench lint clean

# Tools run as `$(BIN)/python -m ...`, not through their scripts: the interpreter is
# certain, a script's shebang is not. The last step checks causeway imports from here.
venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -c "import causeway, pathlib, sys; here = pathlib.Path('src').resolve(); \
	  sys.exit(0 if pathlib.Path(causeway.__file__).resolve().is_relative_to(here) else \
	  f'causeway imports from {causeway.__file__}, not {here}: remove $(VENV) and retry')"
	touch $@

tryton: $(TRYTON_BUILD)/.built
$(TRYTON_BUILD)/.built: scripts/tryton/build.sh scripts/tryton/setup_business.py
	rm -rf $(TRYTON_BUILD)
	bash scripts/tryton/build.sh $(TRYTON_BUILD)

demo: venv tryton
	$(BIN)/python -m causeway.cli demo

test: venv tryton
	$(BIN)/python -m pytest

bench: venv tryton
	$(BIN)/python -m bench.orders_into_erp
	$(BIN)/python -m bench.webhook_ingress
	$(BIN)/python -m bench.customer_matching --count 100000
	$(BIN)/python -m bench.engine_throughput --orders 20000
	$(BIN)/python -m bench.links_memory
	$(BIN)/python -m bench.drop_folder_memory
	$(BIN)/python -m bench.soak --orders 2000 --rate 2.5

lint: venv
	$(BIN)/python -m ruff check src tests bench

clean:
	rm -rf $(VENV) .cache
