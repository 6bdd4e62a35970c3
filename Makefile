# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# What make installs is locked (exact versions and hashes, requirements/*.txt, written by
# `make lock` from the ranges in pyproject.toml): a fresh clone installs what the tests saw.
# The package itself goes in without its dependencies and without build isolation, so nothing
# unpinned enters, not even the build backend (setuptools is in the lock).
LOCKED_INSTALL := $(BIN)/pip install --quiet --require-hashes --no-deps -r
SELF_INSTALL   := $(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

.PHONY: run demo test lint bench soak chaos clean lock upgrade-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when the lock or pyproject.toml changes.
$(VENV)/.installed: requirements/run.txt pyproject.toml | $(BIN)/python
	$(LOCKED_INSTALL) requirements/run.txt
	$(SELF_INSTALL)
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(LOCKED_INSTALL) requirements/dev.txt
	$(SELF_INSTALL)
	touch $@ $(VENV)/.installed

# Rewrite the locks from pyproject.toml, keeping every pin that still fits its range;
# `make lock UPGRADE=1` moves every package to its newest allowed version (docs/dependencies.md).
LOCK_EXTRAS := --extra dev --extra postgres --extra mqtt --extra redis --extra research --extra train
UV_COMPILE  := $(BIN)/uv pip compile pyproject.toml requirements/build.in --universal \
	--python-version 3.11 --generate-hashes --quiet $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.installed-dev
	$(UV_COMPILE) -o requirements/run.txt
	$(UV_COMPILE) $(LOCK_EXTRAS) -o requirements/dev.txt

# The scheduled check: the newest versions pyproject.toml allows, in a scratch venv, through
# lint and the whole suite, so a breaking upstream release is found here first.
UPGRADE_VENV := .venv-upgrade
upgrade-check: $(VENV)/.installed-dev
	rm -rf $(UPGRADE_VENV)
	$(PYTHON) -m venv $(UPGRADE_VENV)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in $(LOCK_EXTRAS) --upgrade \
		--generate-hashes --quiet -o $(UPGRADE_VENV)/newest.txt
	$(UPGRADE_VENV)/bin/pip install --quiet --require-hashes --no-deps -r $(UPGRADE_VENV)/newest.txt
	$(UPGRADE_VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(UPGRADE_VENV)/.installed $(UPGRADE_VENV)/.installed-dev
	@$(BIN)/python -m scripts.lock_diff requirements/dev.txt $(UPGRADE_VENV)/newest.txt
	$(MAKE) VENV=$(UPGRADE_VENV) test

run: $(VENV)/.installed
	$(BIN)/sensorhub serve --host 0.0.0.0 --port 5000

# The server on embedded defaults with a simulated force plate and wearable.
demo: $(VENV)/.installed
	$(BIN)/sensorhub demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The contract suite again, every server storing in its own throwaway PostgreSQL database
# (tests/_postgres.py): the tests whose servers store and read back what a client sent. Tests of
# transports alone (tests/realtime, auth headers, proxies, origins) and of clients (simulators)
# do the same whatever the database, and run once; tests/storage covers both in the first run.
PG_SUITE := tests/api tests/forceplate tests/test_durability.py tests/test_storage_faults.py \
	tests/test_server_database.py $(addprefix --ignore=tests/api/test_,cross_origin.py \
	forwarded_for.py lean_route.py metrics.py)

# Three workers, a test file each at a time (module-scoped servers stay shared): most tests wait
# on servers: on this 2-core machine the first run took 9 min 15 s instead of 14 min 8 s serially.
# Each pass ends with its ten slowest tests: the suite's budget is 10 minutes for both passes.
PYTEST := $(BIN)/pytest -n 3 --dist loadfile --durations=10

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

# Three processes on a PostgreSQL and a Redis of the run's own, killed and restarted in turn,
# rebooting plates and wearables, for CHAOS_MINUTES: acknowledged must equal stored.
CHAOS_MINUTES ?= 15
chaos: $(VENV)/.installed-dev
	$(BIN)/python -m bench.chaos --minutes $(CHAOS_MINUTES)

clean:
	rm -rf $(VENV) $(UPGRADE_VENV) .mypy_cache .pytest_cache .ruff_cache
