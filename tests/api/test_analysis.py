"""IMTP analysis wired into tests: on completion, stored, served, and re-run with parameters."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import socketio

from tests._rounding import U64
from tests._server import LiveServer
from tests.loadcell._agreement import IMTP_FIXTURES, force_tolerance, golden_trial, max_abs_force

IMTP = IMTP_FIXTURES
GOLDEN = golden_trial("hawkin")
# Samples cross JSON (repr round-trips float64) and the database (REAL) exactly: only the two
# tools' rounding separates the results.
FORCE_TOLERANCE = force_tolerance(max_abs_force(IMTP / "hawkin.csv"))


def hawkin_samples() -> list[dict[str, float]]:
    """The fixture's left/right curve as an esp would send it: t in ms of its own clock."""
    with (IMTP / "hawkin.csv").open() as file:
        rows = list(csv.reader(file))[1:]
    return [
        {"t": round(float(t) * 1000), "l": float(left), "r": float(right)}
        for t, left, right, _ in rows
    ]


def next_event(client: socketio.SimpleClient, name: str) -> Any:
    while True:
        event, *args = client.receive(timeout=15)
        if event == name:
            return args[0]


@pytest.fixture(scope="module")
def recorded_test(live_server: LiveServer) -> Iterator[tuple[int, dict[str, Any]]]:
    """One hawkin pull streamed by an esp, stopped and flushed; yields (id, data_complete)."""
    with socketio.SimpleClient() as esp, httpx.Client(base_url=live_server.url) as http:
        esp.connect(live_server.url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": "analysis-plate"})
        started = http.post("/api/start_test", json={"device_id": "analysis-plate"}).json()
        samples = hawkin_samples()
        for start in range(0, len(samples), 100):
            esp.emit("samples", {"samples": samples[start : start + 100]})
        http.post("/api/stop_test", json={"device_id": "analysis-plate"})
        esp.emit("done", {"done": True})
        complete = next_event(esp, "data_complete")
        assert complete["session_id"] == started["session_id"]
        yield started["session_id"], complete


def test_data_complete_carries_the_headline_results(
    recorded_test: tuple[int, dict[str, Any]],
) -> None:
    _, complete = recorded_test
    summary = complete["analysis"]
    assert complete["samples"] == 7800
    peak_total = GOLDEN["pipeline"]["weight"] + GOLDEN["pipeline"]["peak_force"]
    # The peak's total force is a sample; theirs is weight + net, each within half the tolerance.
    assert summary["peak_force_n"] == pytest.approx(
        peak_total, abs=FORCE_TOLERANCE + U64 * peak_total
    )
    assert summary["asymmetry_pct"] == pytest.approx(0.0)
    assert summary["rfd_0_200_n_per_s"] is not None
    assert "countermovement" in summary["flags"]


def test_stored_analysis_equals_the_command_line_analysis(
    recorded_test: tuple[int, dict[str, Any]], client: httpx.Client
) -> None:
    test_id, _ = recorded_test
    stored = client.get(f"/api/tests/{test_id}/analysis").json()["data"]
    listed = client.get(f"/api/tests/{test_id}").json()["data"]
    assert stored["summary"] == listed["summary"]
    assert stored["result"]["peak"]["index"] == 5423
    assert stored["result"]["sample_count"] == 7800


def test_reanalysis_with_the_other_tools_parameters_matches_its_results(
    recorded_test: tuple[int, dict[str, Any]], client: httpx.Client
) -> None:
    test_id, _ = recorded_test
    params = {
        "weigh_start_s": GOLDEN["params"]["weigh_start"],
        "onset_method": "manual",
        "onset_time_s": GOLDEN["params"]["onset_time"],
    }
    response = client.post(f"/api/tests/{test_id}/analysis", json=params)

    assert response.status_code == 200, response.text
    result = response.json()["data"]["result"]
    golden = GOLDEN["pipeline"]
    assert result["weighing"]["body_weight_n"] == pytest.approx(
        golden["weight"], abs=FORCE_TOLERANCE
    )
    assert result["peak"]["net_force_n"] == pytest.approx(golden["peak_force"], abs=FORCE_TOLERANCE)
    for window in result["windows"]:
        expected = golden[f"f{window['window_ms']}"]
        assert window["net_force_n"] == pytest.approx(expected, abs=FORCE_TOLERANCE)
    # …and it is now the test's current analysis.
    current = client.get(f"/api/tests/{test_id}/analysis").json()["data"]
    assert current["params"]["onset_method"] == "manual"


def test_reanalysis_by_percent_of_body_weight_records_method_and_parameter(
    recorded_test: tuple[int, dict[str, Any]], client: httpx.Client
) -> None:
    test_id, _ = recorded_test
    body = {"onset_method": "bw_pct", "body_weight_pct": 2.5}

    analysis = client.post(f"/api/tests/{test_id}/analysis", json=body).json()["data"]

    result = analysis["result"]
    assert (analysis["params"]["onset_method"], analysis["params"]["body_weight_pct"]) == (
        "bw_pct",
        2.5,
    )
    # The onset sample is the first after weighing more than 2.5 % of body weight above it.
    assert result["onset"]["force_n"] > 1.025 * result["weighing"]["body_weight_n"]
    summary = analysis["summary"]
    assert summary["peak_rfd_n_per_s"] == result["peak_rfd"]["rfd_n_per_s"] > 0
    assert summary["best_1s_force_n"] == result["best_1s"]["force_n"]
    assert summary["best_1s_force_n"] <= summary["peak_force_n"]


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"onset_method": "manual"}, "onset_time"),
        ({"onset_method": "guess"}, "onset_method"),
        ({"sd_multiplier": -1}, "sd_multiplier"),
        ({"onset_method": "bw_pct", "body_weight_pct": 0}, "body_weight_pct"),
        ({"weigh_start_s": "soon"}, "weigh_start_s"),
        ({"threshold": 50}, "threshold"),
    ],
)
def test_bad_analysis_parameters_are_a_named_422(
    recorded_test: tuple[int, dict[str, Any]],
    client: httpx.Client,
    body: dict[str, Any],
    mentions: str,
) -> None:
    test_id, _ = recorded_test
    response = client.post(f"/api/tests/{test_id}/analysis", json=body)
    assert response.status_code == 422
    assert mentions in response.json()["message"]


def test_analysis_of_an_unknown_test_is_404(client: httpx.Client) -> None:
    assert client.get("/api/tests/999999/analysis").status_code == 404
    assert client.post("/api/tests/999999/analysis", json={}).status_code == 404
