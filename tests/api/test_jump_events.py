"""Jump tests over the API: stored reps, moving events, and refusals that name the field."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
import socketio

from sensorhub.api.tests import EventEditIn
from sensorhub.devices.jump_curve import (
    GRAVITY,
    JumpMotion,
    countermovement_jump,
    drop_jump,
    rebound_hops,
    sample_motion,
)
from sensorhub.loadcell.jumps import EDITABLE_EVENTS
from sensorhub.loadcell.recorded import JUMP_HEADLINES
from tests._errors import json_error
from tests._recordings import chronojump_csv, hawkin_csv
from tests._server import LiveServer
from tests.api.test_analysis import next_event
from tests.api.test_history import pdf_text_and_png


def record(
    live_server: LiveServer,
    device: str,
    test_type: str,
    motion: JumpMotion | None = None,
    **fields: Any,
) -> tuple[int, dict[str, Any]]:
    """A noise-free jump (default: a CMJ) streamed by an esp as a ``test_type`` test, started
    with ``fields``; its id and data_complete."""
    t, left, right = sample_motion(motion or countermovement_jump())
    samples = [{"t": a, "l": b, "r": c} for a, b, c in zip(t, left, right, strict=True)]
    with socketio.SimpleClient() as esp, httpx.Client(base_url=live_server.url) as http:
        esp.connect(live_server.url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": device})
        body = {"device_id": device, "test_type": test_type, **fields}
        started = http.post("/api/start_test", json=body).json()
        for start in range(0, len(samples), 500):
            esp.emit("samples", {"samples": samples[start : start + 500]})
        http.post("/api/stop_test", json={"device_id": device})
        esp.emit("done", {"done": True})
        complete = next_event(esp, "data_complete")
        assert complete["session_id"] == started["session_id"]
        return started["session_id"], complete


@pytest.fixture(scope="module")
def cmj_test(live_server: LiveServer) -> Iterator[tuple[int, dict[str, Any]]]:
    yield record(live_server, "jump-plate", "cmj")


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=10.0) as client:
        yield client


def test_a_cmj_test_is_saved_with_its_rep_and_summary(cmj_test: tuple[int, dict[str, Any]]) -> None:
    _, complete = cmj_test
    summary = complete["analysis"]
    assert (summary["test_type"], summary["reps"], summary["best_rep"]) == ("cmj", 1, 0)
    assert summary["jump_height_impulse_m"] == pytest.approx(0.3066, abs=0.001)
    assert summary["flags"] == []


def test_moving_the_landing_is_kept_with_the_analysis(
    cmj_test: tuple[int, dict[str, Any]], http: httpx.Client
) -> None:
    test_id, _ = cmj_test
    edits = [{"rep": 0, "event": "landing", "time_s": 3.2}]
    moved = http.post(f"/api/tests/{test_id}/events", json={"edits": edits})
    assert moved.status_code == 200, moved.text
    stored = http.get(f"/api/tests/{test_id}/analysis").json()["data"]
    assert stored["params"]["edits"] == edits
    assert stored["result"]["reps"][0]["metrics"]["flight_time_s"] == pytest.approx(0.55)


def test_a_jump_tests_reps_are_its_trials_and_follow_its_events(
    cmj_test: tuple[int, dict[str, Any]], http: httpx.Client
) -> None:
    test_id, _ = cmj_test
    stored = http.get(f"/api/tests/{test_id}/analysis").json()["data"]
    [rep] = http.get(f"/api/tests/{test_id}").json()["data"]["reps"]
    [analysed] = stored["result"]["reps"]
    assert (rep["rep"], rep["best"]) == (0, True)
    assert rep["flags"] == [check["code"] for check in analysed["checks"]]
    assert rep["metrics"] == analysed["metrics"]
    take_off = stored["result"]["reps"][0]["events"]["take_off"]
    edits = [{"rep": 0, "event": "take_off", "time_s": take_off + K * DT}]
    assert http.post(f"/api/tests/{test_id}/events", json={"edits": edits}).status_code == 200
    [moved] = http.get(f"/api/tests/{test_id}").json()["data"]["reps"]
    assert moved["metrics"]["time_to_take_off_s"] == pytest.approx(
        rep["metrics"]["time_to_take_off_s"] + K * DT, abs=EPS
    )


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"rep": 0, "event": "apex", "time_s": 1.0}, "event"),
        ({"rep": 0, "event": "contact", "time_s": 1.0}, "edits"),  # a drop jump's, not a CMJ's
        ({"rep": 0, "event": "onset", "time_s": 1.0, "hop": 1}, "edits"),  # a rebound's only
        ({"rep": 0, "event": "onset", "time_s": 1.0, "hop": -1}, "hop"),
        ({"rep": 0, "event": "onset", "time_s": -1.0}, "time_s"),
        ({"rep": 0, "event": "landing", "time_s": 1.0}, "edits"),
    ],
)
def test_a_bad_event_edit_is_a_422_naming_the_field(
    cmj_test: tuple[int, dict[str, Any]], http: httpx.Client, edit: dict[str, Any], field: str
) -> None:
    test_id, _ = cmj_test
    before = http.get(f"/api/tests/{test_id}/analysis").json()["data"]
    response = http.post(f"/api/tests/{test_id}/events", json={"edits": [edit]})
    json_error(response, 422, "validation_error", field)
    assert http.get(f"/api/tests/{test_id}/analysis").json()["data"] == before  # kept


def test_imtp_and_jump_routes_refuse_the_other_kind_of_test(
    live_server: LiveServer, cmj_test: tuple[int, dict[str, Any]], http: httpx.Client
) -> None:
    test_id, _ = cmj_test
    imtp_params = http.post(f"/api/tests/{test_id}/analysis", json={"onset_method": "sd"})
    json_error(imtp_params, 409, "conflict", f"/api/tests/{test_id}/events")
    imtp_id, _ = record(live_server, "imtp-plate", "imtp")
    edits = {"edits": [{"rep": 0, "event": "onset", "time_s": 1.0}]}
    moved = http.post(f"/api/tests/{imtp_id}/events", json=edits)
    json_error(moved, 409, "conflict", f"/api/tests/{imtp_id}/analysis")
    json_error(http.post("/api/tests/999999/events", json=edits), 404, "test_not_found", "999999")


def test_the_api_offers_exactly_the_events_the_analysis_can_move() -> None:
    assert get_args(EventEditIn.model_fields["event"].annotation) == EDITABLE_EVENTS


# Moving an event by K samples changes times by exactly K·DT (events sit on samples).
K = 7
DT = 0.001
EPS = 1e-9


def test_a_drop_jumps_take_off_moves_and_its_rep_row_follows(
    live_server: LiveServer, http: httpx.Client
) -> None:
    test_id, _ = record(live_server, "drop-plate", "drop_jump", drop_jump(), drop_height_m=0.3)
    [rep] = http.get(f"/api/tests/{test_id}/analysis").json()["data"]["result"]["reps"]
    edits = [{"rep": 0, "event": "take_off", "time_s": rep["events"]["take_off"] + K * DT}]
    moved = http.post(f"/api/tests/{test_id}/events", json={"edits": edits})
    assert moved.status_code == 200, moved.text
    [row] = http.get(f"/api/tests/{test_id}").json()["data"]["reps"]
    before = rep["metrics"]
    assert row["metrics"]["contact_time_s"] == pytest.approx(
        before["contact_time_s"] + K * DT, abs=EPS
    )
    assert row["metrics"]["flight_time_s"] == pytest.approx(
        before["flight_time_s"] - K * DT, abs=EPS
    )


def test_a_rebound_hops_contact_moves_by_hop(live_server: LiveServer, http: httpx.Client) -> None:
    test_id, _ = record(live_server, "rebound-plate", "rebound", rebound_hops())
    [rep] = http.get(f"/api/tests/{test_id}/analysis").json()["data"]["result"]["reps"]
    hop = rep["hops"][2]
    edits = [{"rep": 0, "event": "contact", "hop": 2, "time_s": hop["contact_s"] + K * DT}]
    moved = http.post(f"/api/tests/{test_id}/events", json={"edits": edits})
    assert moved.status_code == 200, moved.text
    [after] = moved.json()["data"]["result"]["reps"]
    assert after["hops"][2]["contact_time_s"] == pytest.approx(
        hop["contact_time_s"] - K * DT, abs=EPS
    )
    assert after["hops"][2]["asymmetry"]["contact_peak_force_n"]["percent"] == pytest.approx(0)
    assert moved.json()["data"]["params"]["edits"] == edits


@pytest.fixture(scope="module")
def lander(live_server: LiveServer) -> dict[str, Any]:
    """An athlete with one drop-landing test of two reps: a hard landing (absorbed in 200 ms),
    then a soft one (300 ms), so the second has the lower peak landing force."""
    with httpx.Client(base_url=live_server.url) as http:
        body = {"name": f"Lander {uuid.uuid4().hex[:8]}"}
        athlete = http.post("/api/athletes", json=body).json()["data"]
    hard, soft = drop_jump(rebound=False, landing_ms=200), drop_jump(rebound=False, landing_ms=300)
    motion = JumpMotion(hard.segments + soft.segments, hard.mass_kg, 0.5, hard.initial_velocity)
    test_id, _ = record(
        live_server, "landing-plate", "drop_landing", motion, drop_height_m=0.3,
        athlete_id=athlete["id"],
    )  # fmt: skip
    return {"id": athlete["id"], "test": test_id}


def test_a_drop_landings_best_rep_and_trend_take_the_lowest_peak_landing_force(
    lander: dict[str, Any], http: httpx.Client
) -> None:
    reps = http.get(f"/api/tests/{lander['test']}").json()["data"]["reps"]
    forces = [rep["metrics"]["peak_landing_force_n"] for rep in reps]
    assert forces[1] < forces[0]
    assert [rep["best"] for rep in reps] == [False, True]
    params = {"metric": "peak_landing_force_n", "method": "drop_landing"}
    trend = http.get(f"/api/athletes/{lander['id']}/trend", params=params).json()["data"]
    (session,) = trend["sessions"]
    assert session["values"] == forces  # each rep is a trial
    assert session["best"] == forces[1]
    both = {**params, "rule": "mean_best_two"}
    trend = http.get(f"/api/athletes/{lander['id']}/trend", params=both).json()["data"]
    assert trend["sessions"][0]["best"] == pytest.approx(sum(forces) / 2)


@pytest.fixture(scope="module")
def jumper(live_server: LiveServer) -> dict[str, Any]:
    """An athlete (alone in a group) with two CMJ tests today: flights of 400 and 500 ms, so
    jump heights g·t²/8 of 0.1961 and 0.3066 m."""
    group = f"jumpers-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=live_server.url) as http:
        body = {"name": f"Jumper {group}", "groups": [group]}
        athlete = http.post("/api/athletes", json=body).json()["data"]
    tests = [
        record(
            live_server,
            f"jumper-plate-{flight_ms}",
            "cmj",
            countermovement_jump(flight_ms=flight_ms),
            athlete_id=athlete["id"],
        )[0]
        for flight_ms in (400, 500)
    ]
    return {"id": athlete["id"], "group": group, "tests": tests}


def height(flight_ms: int) -> float:
    return GRAVITY * (flight_ms / 1000) ** 2 / 8


def test_a_jump_trend_takes_the_best_test_of_the_day_as_the_session_value(
    jumper: dict[str, Any], http: httpx.Client
) -> None:
    params = {"metric": "jump_height_impulse_m", "method": "cmj"}
    response = http.get(f"/api/athletes/{jumper['id']}/trend", params=params)
    assert response.status_code == 200, response.text
    trend = response.json()["data"]
    (session,) = trend["sessions"]
    assert session["values"] == pytest.approx([height(400), height(500)], abs=0.001)
    assert session["best"] == pytest.approx(height(500), abs=0.001)
    assert session["best_test_id"] == jumper["tests"][1]
    assert (trend["unit"], trend["better"], trend["method"]["key"]) == ("m", "higher", "cmj")
    assert trend["typical_error"]["source"] == "unknown"  # no default CV for jumps
    assert trend["left_out"] == []


def test_an_imtp_trend_leaves_the_jump_tests_out(
    jumper: dict[str, Any], http: httpx.Client
) -> None:
    params = {"metric": "peak_force_n", "method": "sd:5"}
    trend = http.get(f"/api/athletes/{jumper['id']}/trend", params=params).json()["data"]
    assert trend["sessions"] == []
    assert [left["test_id"] for left in trend["left_out"]] == jumper["tests"]
    assert all("analysed with cmj" in left["reason"] for left in trend["left_out"])


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"metric": "peak_force_n", "method": "cmj"}, "cmj tests have no peak_force_n"),
        ({"metric": "rsi_m_s", "method": "cmj"}, "cmj tests have no rsi_m_s"),  # a drop jump's
    ],
)
def test_a_metric_the_methods_tests_lack_leaves_every_test_out_saying_so(
    jumper: dict[str, Any], http: httpx.Client, params: dict[str, str], reason: str
) -> None:
    response = http.get(f"/api/athletes/{jumper['id']}/trend", params=params)
    assert response.status_code == 200, response.text
    trend = response.json()["data"]
    assert trend["sessions"] == []
    assert trend["left_out"] == [{"test_id": i, "reason": reason} for i in jumper["tests"]]


def test_the_squad_view_of_a_jump_type_shows_its_headline_numbers(
    jumper: dict[str, Any], http: httpx.Client
) -> None:
    params = {"method": "cmj"}
    response = http.get(f"/api/groups/{jumper['group']}/squad", params=params)
    assert response.status_code == 200, response.text
    squad = response.json()["data"]
    assert list(squad["units"])[:2] == ["jump_height_impulse_m", "jump_height_flight_m"]
    (row,) = squad["athletes"]
    assert row["values"]["jump_height_impulse_m"] == pytest.approx(height(500), abs=0.001)
    assert row["asymmetry_side"] is None
    csv = http.get(f"/api/groups/{jumper['group']}/squad.csv", params=params).text
    assert csv.splitlines()[0].startswith("athlete_id,name,date,jump_height_impulse_m,")


def test_sensorhub_import_with_test_cmj_stores_it_analysed_as_a_cmj(
    live_server: LiveServer, http: httpx.Client, tmp_path: Path
) -> None:
    body = {"name": f"Importer {uuid.uuid4().hex[:8]}"}
    athlete_id = http.post("/api/athletes", json=body).json()["data"]["id"]
    file = tmp_path / "hawkin_cmj.csv"
    file.write_text(hawkin_csv(countermovement_jump(flight_ms=450)))
    command = [sys.executable, "-m", "sensorhub", "import", str(file), "--test", "cmj"]
    command += ["--athlete-id", str(athlete_id), "--url", live_server.url]

    done = subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    test_id = int(done.stdout.split()[1])
    stored = http.get(f"/api/tests/{test_id}/analysis").json()["data"]
    assert stored["params"]["test_type"] == "cmj"
    assert stored["summary"]["jump_height_impulse_m"] == pytest.approx(height(450), abs=0.001)
    assert stored["summary"]["flags"] == []


@pytest.mark.parametrize(
    ("text", "params", "field"),
    [
        (chronojump_csv(), {"test_type": "cmj"}, "test_type"),  # a pull, not a plate
        (hawkin_csv(countermovement_jump()), {"test_type": "hop"}, "test_type"),
        (
            hawkin_csv(countermovement_jump()),
            {"test_type": "drop_jump", "drop_height_m": 3},
            "drop_height_m",
        ),
    ],
)
def test_a_jump_import_that_cannot_be_a_jump_is_a_422_naming_the_field(
    jumper: dict[str, Any], http: httpx.Client, text: str, params: dict[str, Any], field: str
) -> None:
    before = http.get("/api/tests", params={"athlete_id": jumper["id"]}).json()["data"]
    response = http.post(
        f"/api/athletes/{jumper['id']}/imports",
        params=params,
        content=text,
        headers={"Content-Type": "text/csv"},
    )
    json_error(response, 422, "validation_error", field)
    assert http.get("/api/tests", params={"athlete_id": jumper["id"]}).json()["data"] == before


def test_a_reliability_study_takes_a_jump_metrics_swc_and_gives_jump_tes(
    jumper: dict[str, Any], http: httpx.Client
) -> None:
    body = {
        "name": "CMJ pre-season",
        "athlete_id": jumper["id"],
        "first_day": "2020-01-01",
        "last_day": "2020-01-31",
        "swc": {"jump_height_impulse_m": 0.02},
    }
    created = http.post("/api/reliability-studies", json=body, params={"method": "cmj"})
    assert created.status_code == 201, created.text
    listed = http.get(
        "/api/reliability-studies", params={"athlete_id": jumper["id"], "method": "cmj"}
    ).json()["data"]
    [study] = [s for s in listed if s["id"] == created.json()["data"]["id"]]
    assert study["swc"] == {"jump_height_impulse_m": 0.02}
    assert set(study["typical_errors"]) == {"body_weight_n", *JUMP_HEADLINES["cmj"]}
    http.delete(f"/api/reliability-studies/{study['id']}")
    bad = {**body, "swc": {"jump_height": 0.02}}
    json_error(http.post("/api/reliability-studies", json=bad), 422, "validation_error", "swc")


def test_the_athlete_report_of_a_jump_type_charts_its_headline_numbers(
    jumper: dict[str, Any], http: httpx.Client, tmp_path: Path
) -> None:
    response = http.get(f"/api/athletes/{jumper['id']}/report.pdf", params={"method": "cmj"})
    assert response.status_code == 200, response.text
    text, pages = pdf_text_and_png(response.content, tmp_path)
    assert len(pages) == 1
    assert "cmj history: Jumper" in text
    for metric in JUMP_HEADLINES["cmj"][:4]:
        assert metric.replace("_", " ") in text, metric
    assert f"{height(500):.3f} m" in text  # the session's best rep, to the millimetre
