"""``sensorhub serve`` and ``python app.py``: start-up errors are one clear line, exit 1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sensorhub.devices.jump_curve import GRAVITY, flight_velocity, jump_set, sample_motion
from tests._recordings import chronojump_csv
from tests._server import free_port, start_server
from tests.conftest import FIXTURES, REPO
from tests.loadcell._agreement import IMTP_FIXTURES, force_tolerance, golden_trial, max_abs_force

FIXTURE_MODEL = FIXTURES / "models" / "stress_model_keras2.h5"


def serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sensorhub", "serve", "--host", "127.0.0.1", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # one line, no traceback
    return lines[0]


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve(tmp_path, "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert f"port {port} on 127.0.0.1 is already in use" in error_line(result)


def test_unreadable_model_is_one_line_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"not an hdf5 file")
    args = ("--port", str(free_port()), "--data-dir", str(tmp_path / "d"), "--model", str(broken))
    assert "broken.h5" in error_line(serve(tmp_path, *args))


def test_missing_model_is_one_line_naming_it(tmp_path: Path) -> None:
    args = ("--port", str(free_port()), "--model", str(tmp_path / "nowhere.h5"))
    assert "nowhere.h5" in error_line(serve(tmp_path, *args))


def test_data_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "occupied").write_text("")
    args = ("--port", str(free_port()), "--data-dir", str(tmp_path / "occupied"))
    assert "not writable" in error_line(serve(tmp_path, *args))


def test_bad_environment_setting_is_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sensorhub", "serve"]
    env = {"PATH": "/usr/bin:/bin", "SENSORHUB_PORT": "not-a-port"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "'port'" in error_line(result)


def test_model_in_working_directory_is_picked_up(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_MODEL, tmp_path / "stress_model.h5")
    server = start_server(tmp_path / "data", cwd=tmp_path)
    try:
        model = httpx.get(server.url + "/api/health").json()["model"]
        assert (model["name"], model["source"], model["demo"]) == ("stress_model.h5", "cwd", False)
    finally:
        server.stop()


def test_model_flag_wins_over_working_directory(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_MODEL, tmp_path / "stress_model.h5")
    other = FIXTURES / "models" / "stress_model_keras3.h5"
    server = start_server(tmp_path / "data", cwd=tmp_path, args=("--model", str(other)))
    try:
        model = httpx.get(server.url + "/api/health").json()["model"]
        assert (model["name"], model["source"]) == ("stress_model_keras3.h5", "cli")
    finally:
        server.stop()


def test_ctrl_c_stops_the_server_with_exit_code_0(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    assert server.stop() == 0


def test_seed_style_app_py_serves(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, str(REPO / "app.py"), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "data")]
    with subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stderr is not None
            for line in process.stderr:  # wait for the start-up line instead of sleeping
                if "Uvicorn running on" in line:
                    break
            response = httpx.get(f"http://127.0.0.1:{port}/api/health")
            assert response.json()["status"] == "healthy"
        finally:
            process.terminate()
            process.wait(timeout=30)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sensorhub", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["generic.csv", "hawkin.csv", "pasco_left_right.csv"])
def test_analyze_prints_the_metrics_for_each_fixture_format(name: str) -> None:
    result = run_cli("analyze", str(IMTP_FIXTURES / name))
    assert result.returncode == 0, result.stderr
    for label in ("body weight", "peak net force", "N/kg", "RFD", "N·s"):
        assert label in result.stdout


def test_analyze_json_with_given_weighing_and_onset_matches_golden_result() -> None:
    golden = golden_trial("generic")
    params = golden["params"]
    result = run_cli(
        "analyze",
        str(IMTP_FIXTURES / "generic.csv"),
        "--weigh-start",
        str(params["weigh_start"]),
        "--onset-time",
        str(params["onset_time"]),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    tolerance = force_tolerance(max_abs_force(IMTP_FIXTURES / "generic.csv"))
    weight = golden["pipeline"]["weight"]
    assert analysis["weighing"]["body_weight_n"] == pytest.approx(weight, abs=tolerance)
    peak_net = golden["pipeline"]["peak_force"]
    assert analysis["peak"]["net_force_n"] == pytest.approx(peak_net, abs=tolerance)
    assert analysis["onset"]["method"] == "manual"


@pytest.mark.parametrize(
    ("flags", "method", "parameter"),
    [
        (["--onset", "bw_pct", "--bw-pct", "2.5"], "bw_pct", ("body_weight_pct", 2.5)),
        (["--onset", "fixed", "--threshold", "20"], "fixed", ("threshold_n", 20.0)),
        (["--sd-multiplier", "3"], "sd", ("sd_multiplier", 3.0)),
    ],
)
def test_analyze_applies_each_onset_method_and_says_which(
    flags: list[str], method: str, parameter: tuple[str, float]
) -> None:
    result = run_cli("analyze", str(IMTP_FIXTURES / "generic.csv"), *flags, "--json")
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    assert analysis["onset"]["method"] == method
    assert analysis["params"][parameter[0]] == parameter[1]
    assert analysis["peak_rfd"]["window_ms"] == 20.0
    assert analysis["best_1s"]["window_ms"] == 1000.0


def test_analyze_our_test_csv_reports_left_and_right(tmp_path: Path) -> None:
    hawkin = (IMTP_FIXTURES / "hawkin.csv").read_text().splitlines()[1:]
    rows = [line.split(",") for line in hawkin]
    ours = tmp_path / "imtp_test_20260101_120000.csv"
    # Our own layout: device clock in ms, left and right; 40 %/60 % split for a known asymmetry.
    lines = [f"{float(t) * 1000:.0f},{float(c) * 0.4},{float(c) * 0.6}" for t, _, _, c in rows]
    ours.write_text("t,l,r\n" + "\n".join(lines) + "\n")

    result = run_cli("analyze", str(ours), "--json")

    assert result.returncode == 0, result.stderr
    peak = json.loads(result.stdout)["peak"]
    assert peak["asymmetry_pct"] == pytest.approx(100.0 / 3.0)  # |0.4 − 0.6| / 0.6
    assert peak["stronger_side"] == "right"
    assert peak["left_at_peak_n"] < peak["right_at_peak_n"]


@pytest.mark.parametrize("content", [None, "", "a,b\n1,2\n", "t,l,r\n1,2\n", "t,l,r\nx,1,2\n"])
def test_analyze_unreadable_input_exits_non_zero_with_a_message(
    tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    result = run_cli("analyze", str(path))
    assert result.returncode == 1
    assert error_line(result).startswith("Error: ")
    assert "Traceback" not in result.stderr


def test_analyze_test_cmj_reports_every_rep_of_a_simulated_set(tmp_path: Path) -> None:
    t, left, right = sample_motion(jump_set("cmj", reps=2), noise_n=2.0, seed=1)
    path = tmp_path / "cmj.csv"
    rows = (f"{a:g},{b:.3f},{c:.3f}" for a, b, c in zip(t, left, right, strict=True))
    path.write_text("t,l,r\n" + "\n".join(rows) + "\n")

    text = run_cli("analyze", "--test", "cmj", str(path))
    result = run_cli("analyze", "--test", "cmj", str(path), "--json")

    assert text.returncode == 0, text.stderr
    assert "rep 2" in text.stdout and "jump_height_impulse_m" in text.stdout
    reps = json.loads(result.stdout)["reps"]
    v_to = flight_velocity(500)
    # As in tests/loadcell/test_jumps.py: 4 SD of the integrated 2 N noise (1.7e-3 m/s) plus a
    # take-off one sample early (g·1 ms), carried into h = v²/2g.
    dv = 4 * 1.7e-3 + GRAVITY * 0.001
    bound = (v_to * dv + dv * dv / 2) / GRAVITY
    heights = [rep["metrics"]["jump_height_impulse_m"] for rep in reps]
    assert heights == [pytest.approx(v_to**2 / 2 / GRAVITY, abs=bound)] * 2


def test_analyze_refuses_imtp_options_for_a_jump_test(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("t,l,r\n0,1,1\n")
    result = run_cli("analyze", "--test", "cmj", "--onset-time", "1", str(path))
    assert result.returncode == 2
    assert "--onset-time applies to --test imtp only" in result.stderr


def test_analyze_an_inverted_chronojump_file_flips_it_and_says_so(tmp_path: Path) -> None:
    # The fixture's pull, signs flipped: the 1200.5 N peak, not a 2 N "peak" of noise.
    rows = chronojump_csv().splitlines()
    inverted = [rows[0]] + [f"{t};-{force}" for t, force in (row.split(";") for row in rows[1:])]
    path = tmp_path / "inverted.csv"
    path.write_text("\n".join(inverted) + "\n")
    result = run_cli("analyze", str(path), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert "inverted" in [flag["code"] for flag in found["flags"]]
    assert found["peak"]["force_n"] == pytest.approx(1200.5)


def test_analyze_a_recording_with_no_pull_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "still.csv"
    path.write_text("Time (s),Force (N)\n" + "".join(f"{i / 1000},800\n" for i in range(3000)))
    result = run_cli("analyze", str(path))
    assert result.returncode == 1
    assert "no analysis possible" in result.stderr and "no pull found" in result.stderr
