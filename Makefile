# `make demo` and `make test` set up everything they need on first use:
# the virtual environment (.venv), the real Tryton ERP build (.cache/tryton) and, for the
# tests, the system tools they call (systemd-analyze).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TRYTON_BUILD := .cache/tryton
LOCK := requirements/dev.txt
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo test tryton venv lock system-tools bench lint clean

# The environment is exactly the lock: rebuilt from scratch whenever pyproject.toml or the
# lock changes (a package dropped from the lock must not linger), every file checked
# against its hash, Causeway itself built with the locked setuptools (no unhashed
# download), then the sandboxes (sandbox/: the vendor sandboxes, the local Tryton and the
# demo, a distribution apart from the product's). `pip check` catches a lock older than
# pyproject.toml: run `make lock`.
# Tools run as `$(BIN)/python -m ...`, not through their scripts: the interpreter is
# certain, a script's shebang is not. The last step checks causeway imports from here.
venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml sandbox/pyproject.toml $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . -e sandbox
	$(BIN)/python -m pip check || { echo "$(LOCK) does not satisfy pyproject.toml: run make lock" >&2; exit 1; }
	$(BIN)/python -c "import causeway, pathlib, sys; here = pathlib.Path('src').resolve(); \
	  sys.exit(0 if pathlib.Path(causeway.__file__).resolve().is_relative_to(here) else \
	  f'causeway imports from {causeway.__file__}, not {here}: remove $(VENV) and retry')"
	touch $@

# After changing a dependency in pyproject.toml (docs/deployment.md, "Dependencies").
# `scripts/lock.sh --upgrade` takes the newest release of everything.
lock:
	bash scripts/lock.sh

tryton: $(TRYTON_BUILD)/.built
$(TRYTON_BUILD)/.built: scripts/tryton/build.sh scripts/tryton/setup_business.py
	rm -rf $(TRYTON_BUILD)
	bash scripts/tryton/build.sh $(TRYTON_BUILD)

# Debian's packages, installed only when missing (tests/deploy checks the systemd units
# with systemd-analyze; the console's and the portal's browser tests drive
# /usr/bin/chromium with Playwright; Tryton renders its invoice report as PDF with
# LibreOffice's soffice). Without them those tests skip, and fail under CI=true.
system-tools:
	@command -v systemd-analyze >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd; \
	} || echo "make: could not install systemd-analyze (Debian package systemd); the unit-file tests will skip" >&2
	@test -x /usr/bin/chromium || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	} || echo "make: could not install /usr/bin/chromium (Debian package chromium); the console's browser tests will skip" >&2
	@command -v soffice >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; \
	} || echo "make: could not install soffice (Debian package libreoffice-writer-nogui); Tryton cannot render invoices as PDF and the portal's invoice tests will skip" >&2

demo: venv tryton
	$(BIN)/python -m causeway.cli demo

test: venv tryton system-tools
	$(BIN)/python -m pytest

bench: venv tryton
	$(BIN)/python -m bench.orders_into_erp
	$(BIN)/python -m bench.flash_sale
	$(BIN)/python -m bench.webhook_ingress
	$(BIN)/python -m bench.customer_matching --count 100000
	$(BIN)/python -m bench.engine_throughput --orders 20000
	$(BIN)/python -m bench.parallel_orders --orders 2000
	$(BIN)/python -m bench.links_memory
	$(BIN)/python -m bench.drop_folder_memory
	$(BIN)/python -m bench.console --orders 1000000
	$(BIN)/python -m bench.portal --products 10000
	$(BIN)/python -m bench.warehouse --lines 1000000
	$(BIN)/python -m bench.soak --orders 2000 --rate 2.5

lint: venv
	$(BIN)/python -m ruff check src sandbox tests bench

clean:
	rm -rf $(VENV) .cache
