"""A missing Chromium, PostgreSQL or Redis fails a CI run; elsewhere it is a skip with why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._services import require_service

REPOSITORY = Path(__file__).resolve().parents[1]
# One test that needs each service, and how to make that service missing.
NEEDS = {
    "Chromium": (
        "tests/web/test_wearable_page.py::"
        "test_the_wearable_page_shows_posted_readings_live_and_exports_them",
        {"CHROMIUM_PATH": "/nonexistent/chromium"},
    ),
    "PostgreSQL": (
        "tests/storage/test_storage.py::test_added_readings_get_increasing_ids_in_order[postgresql]",
        # Port 1 on loopback: nothing listens there, and nothing leaves the machine.
        {"SENSORHUB_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:1/postgres"},
    ),
    "Redis": (
        "tests/cluster/test_fanout.py::"
        "test_reading_posted_to_one_process_reaches_dashboards_on_the_other",
        {"SENSORHUB_TEST_REDIS_URL": "redis://127.0.0.1:1/0"},
    ),
}


def test_require_service_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Redis is not available: not running"):
        require_service("Redis", "not running")


@pytest.mark.parametrize("ci", ["", "false"])
def test_require_service_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="Mosquitto is not available: not running"):
        require_service("Mosquitto", "not running")


def run_tests(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One pytest run of the test of each service in NEEDS, every service missing at once."""
    command = [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider"]
    missing = {name: value for _, variables in NEEDS.values() for name, value in variables.items()}
    return subprocess.run(
        [*command, *(selection for selection, _ in NEEDS.values())],
        cwd=REPOSITORY,
        env={**os.environ, **missing, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_service_fails_a_ci_run() -> None:
    result = run_tests({"CI": "true"})
    assert result.returncode == 1, result.stdout
    for service in NEEDS:
        assert f"{service} is not available" in result.stdout, service
    assert f"{len(NEEDS)} error" in result.stdout or f"{len(NEEDS)} failed" in result.stdout, (
        result.stdout
    )


def test_a_missing_service_is_a_skip_with_its_reason_elsewhere() -> None:
    result = run_tests({"CI": ""})
    assert result.returncode == 0, result.stdout
    assert f"{len(NEEDS)} skipped" in result.stdout, result.stdout
    for service in NEEDS:
        assert f"{service} is not available" in result.stdout, service
