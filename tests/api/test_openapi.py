"""The OpenAPI document tells the truth (issue 10, part 4): schemathesis, run against a real
server, finds no server error, no reply outside its documented schema or status codes, and no
schema-valid request refused (its "rejected generated data" warnings are failures here).

Fixed seed and bounded examples, so a run is repeatable and takes about a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sensorhub.physio.e4 import e4_texts
from tests._server import LiveServer, start_server
from tests.forceplate._clients import complete_run, samples, ws_esp
from tests.learning._models import register_fixed_model
from tests.learning._participants import PHASES, recording

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261203
MAX_EXAMPLES = 25
# `PATCH /api/tests/1.csv` is a PATCH of the test "1.csv" (the path /api/tests/{test_id}),
# answered with a 422 naming test_id; schemathesis expects 405 because /api/tests/{id}.csv has
# no PATCH. Every other check runs.
EXCLUDED_CHECKS = "unsupported_method"
SEEDED_ATHLETES = 20
# An import's body is a whole recording: a schema cannot say which text is a readable file,
# so generated bodies are refused as they should be; training needs study sessions holding
# windows of both classes from 3 participants, which generated ids never name.
# tests/api/test_history.py, tests/studies/test_e4_import.py and
# tests/learning/test_researchers_loop.py cover them against a real server.
EXCLUDED_PATHS = (
    "/api/athletes/{athlete_id}/imports",
    "/api/wearable/sessions/import-e4",
    "/api/models/train",
)
# An operation that documents a 409 refuses requests that clash with the current state: a
# plate runs one test at a time (after a generated start, the next starts are 409 until a
# stop), a wearable records one study at a time, a running test cannot be deleted. Generated
# sequences hit those clashes often, so its "low valid-input rate" warning is expected; on any
# other operation that warning means the document says less than the code enforces.


def operations_with_conflicts(server: LiveServer) -> set[str]:
    """``"METHOD /path"`` of every operation whose documented responses include 409."""
    paths = httpx.get(f"{server.url}/openapi.json", timeout=10).json()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "409" in operation.get("responses", {})
    }


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a stored test, a streaming plate, a study session and a registered
    window model, so that ids, devices and versions exist."""
    data_dir = tmp_path_factory.mktemp("openapi") / "data"
    register_fixed_model(data_dir)
    server = start_server(data_dir)
    try:
        body = {"participant": "P01", "files": e4_texts(recording(0, phase_s=30.0)),
                "phases": list(PHASES)}  # fmt: skip
        httpx.post(f"{server.url}/api/wearable/sessions/import-e4", json=body).raise_for_status()
        complete_run(server, "plate-1", [samples(0, 200), samples(200, 200)], athlete="A")
        # Athlete ids a generated `athlete_id` likely hits (small ones), so most starts start.
        for number in range(SEEDED_ATHLETES):
            httpx.post(f"{server.url}/api/athletes", json={"name": f"A{number}"}).raise_for_status()
        # A recorded reliability study (id 1), so reading and deleting one can succeed.
        study = {"name": "S", "group": "G", "first_day": "2026-01-05", "last_day": "2026-01-19"}
        httpx.post(f"{server.url}/api/reliability-studies", json=study).raise_for_status()
        with ws_esp(server) as esp:  # the only connected plate: routes without device_id use it
            esp.send({"samples": samples(0, 50)})
            yield server
    finally:
        server.stop()


def run_schemathesis(server: LiveServer, report: Path) -> dict[str, Any]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(CONFIG),
        "run", f"{server.url}/openapi.json",
        "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
        *(arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)),
        "--phases", "examples,coverage,fuzzing,stateful",
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        # One worker: the coverage phase's lambdas trip a CPython 3.11 AST bug in threads.
        "--workers", "1", "--no-color", "--generation-database", "none",
        "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
    # Run in the report's directory: schemathesis keeps a cache in its working directory.
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=report.parent
    )
    assert report.exists(), finished.stdout + finished.stderr
    result: dict[str, Any] = json.loads(report.read_text())
    result["output"] = finished.stdout
    return result


def test_schemathesis_finds_the_openapi_document_true(
    seeded_server: LiveServer, tmp_path: Path
) -> None:
    result = run_schemathesis(seeded_server, tmp_path / "schemathesis.json")
    cases = result["test_cases"]
    print(f"schemathesis: {cases['generated']} cases, {cases['with_failures']} with failures")
    assert result["complete"], result["output"]
    operations = result["operations"]
    excluded = len(EXCLUDED_PATHS)  # one operation each
    assert operations["tested"] == operations["selected"] == operations["total"] - excluded, result[
        "output"
    ]
    assert result["failures"] == [], result["output"]
    assert result["errors"] == [], result["output"]
    conflicting = operations_with_conflicts(seeded_server)
    assert {"POST /api/start_test", "POST /api/wearable/sessions"} <= conflicting
    # Moving events needs a jump test, and the seeded server records an IMTP only: every
    # generated id is a 404 or that test's 409 (tests/api/test_jump_events.py covers the route).
    needs_a_jump_test = ("missing_test_data", "POST /api/tests/{test_id}/events")
    warned = {
        kind: [
            op
            for op in labels
            if not (kind == "low_valid_rate" and op in conflicting)
            and (kind, op) != needs_a_jump_test
        ]
        for kind, labels in result["warnings"].items()
    }
    warned = {kind: labels for kind, labels in warned.items() if labels}
    assert warned == {}, result["output"]
    assert cases["generated"] >= 10 * operations["selected"]
    # Warnings fail the run (the config's fail-on); only the expected ones are left by now.
    assert result["exit_code"] in (0, 1), result["output"]
