# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run demo test lint bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/sensorhub serve --host 0.0.0.0 --port 5000

# The server on embedded defaults with a simulated force plate and wearable.
demo: $(VENV)/.installed
	$(BIN)/sensorhub demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The contract suite (tests that start real servers) again, every server storing in its own
# throwaway PostgreSQL database (tests/_postgres.py); tests/storage covers both in the first run.
PG_SUITE := tests/api tests/forceplate tests/realtime tests/devices/test_simulators.py \
	tests/test_durability.py tests/test_storage_faults.py tests/test_server_database.py

# Three workers, a test file each at a time (module-scoped servers stay shared): most tests wait
# on servers: on this 2-core machine the first run took 9 min 15 s instead of 14 min 8 s serially.
PYTEST := $(BIN)/pytest -n 3 --dist loadfile

test: lint
	$(PYTEST)
	$(PYTEST) --database postgresql $(PG_SUITE)

# wrk (Debian's package) is the HTTP load generator; installed here when missing (needs root
# or passwordless sudo).
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
		$$SUDO apt-get install -y wrk || { $$SUDO apt-get update && $$SUDO apt-get install -y wrk; }; }
	$(BIN)/python -m bench $(SUITES)

# 10 plates at 1 kHz, 50 wearables, 5 dashboards against one server for SOAK_MINUTES.
SOAK_MINUTES ?= 10
soak: $(VENV)/.installed-dev
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
