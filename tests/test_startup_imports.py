"""What ``sensorhub serve`` imports: the heavy libraries a request may need are loaded by its
first use, and the ones a server never uses are not loaded at all (docs/operations.md,
bench/README.md for the start-up time and memory they cost)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest

from sensorhub.collector import YOUNG_THRESHOLD
from tests._server import REPO, free_port
from tests._startup_probe import LAZY, UNUSED, UNUSED_MODULES


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The probe's two reports: once the server answers, and after the first uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENSORHUB_")}
    env.update(SENSORHUB_LOG_LEVEL="warning", PYTHONPATH=str(REPO))
    data_dir = tmp_path_factory.mktemp("data")
    result = subprocess.run(
        [sys.executable, "-m", "tests._startup_probe", str(free_port()), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=env,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and len(lines) == 2, result.stdout + result.stderr
    at_start, after_use = (json.loads(line) for line in lines)
    return at_start, after_use


def test_the_libraries_loaded_on_first_use_are_not_loaded_by_starting(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    at_start, _ = probe
    assert {name: at_start["ran"][name] for name in LAZY} == dict.fromkeys(LAZY, False)


def test_starting_does_not_build_the_openapi_document(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    # Most of a start-up's work when it did (bench/README.md); /openapi.json builds it.
    at_start, _ = probe
    assert at_start["openapi_built"] is False


def test_what_loading_the_server_made_is_frozen_out_of_garbage_collection(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    # Modules, models and routes live as long as the process: no full collection walks them.
    at_start, _ = probe
    assert at_start["gc_frozen"] > 100_000
    assert at_start["gc_frozen"] > 5 * at_start["gc_tracked"]


def test_the_collector_runs_again_once_serving_with_the_servers_young_threshold(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    at_start, _ = probe
    assert at_start["gc_enabled"] is True
    young, *_older = at_start["gc_thresholds"]
    assert young == YOUNG_THRESHOLD > 700  # Python's default: 700


def test_the_clients_python_socketio_would_bring_are_never_loaded(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    at_start, after_use = probe
    for report in (at_start, after_use):
        assert {name: report["ran"][name] for name in UNUSED} == dict.fromkeys(UNUSED, False)


def test_the_serial_forwarders_websocket_client_is_never_loaded(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    at_start, after_use = probe
    for report in (at_start, after_use):
        assert {name: report["ran"][name] for name in UNUSED_MODULES} == dict.fromkeys(
            UNUSED_MODULES, False
        )


def test_a_typical_error_loads_scipy_stats_and_gets_its_chi2_interval(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, after_use = probe
    assert after_use["ran"]["scipy.stats"]
    # With 2 degrees of freedom χ² has a closed form: its p-quantile is -2 ln(1 - p).
    assert after_use["te_df"] == 2
    # SciPy's quantiles are good to ~1e-14 (Cephes); the rest is float64 round-off.
    low, high = math.sqrt(2 / (-2 * math.log(0.05))), math.sqrt(2 / (-2 * math.log(0.95)))
    assert after_use["te_low_ratio"] == pytest.approx(low, rel=1e-12)
    assert after_use["te_high_ratio"] == pytest.approx(high, rel=1e-12)


def test_a_users_h5_model_loads_h5py_and_predicts(
    probe: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, after_use = probe
    assert after_use["ran"]["h5py"]
    [probability] = after_use["probabilities"]
    assert 0.0 <= probability <= 1.0
