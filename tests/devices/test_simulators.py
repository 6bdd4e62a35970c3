"""The simulator and demo commands, as a user runs them, against a real server."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sensorhub.devices.imtp_curve import GRAVITY, PULL_S
from sensorhub.devices.jump_curve import flight_velocity, jump_set
from tests._server import LiveServer, free_port, start_server, wait_for


def sensorhub(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sensorhub", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs
    )


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; each is interrupted (Ctrl-C) and reaped afterwards."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def status(server: LiveServer, device_id: str) -> dict[str, Any]:
    response = httpx.get(server.url + "/api/status", params={"device_id": device_id})
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize("transport", ["socketio", "ws"])
def test_simulated_plate_records_a_plausible_pull(
    live_server: LiveServer, running: list[subprocess.Popen[str]], transport: str
) -> None:
    device = f"sim-{transport}"
    running.append(
        sensorhub(
            "simulate",
            "forceplate",
            "--url",
            live_server.url,
            "--device-id",
            device,
            "--mass",
            "70",
            "--asymmetry",
            "6",
            "--transport",
            transport,
        )  # fmt: skip
    )
    wait_for(lambda: status(live_server, device)["esp_connected"], timeout=20)

    with httpx.Client(base_url=live_server.url) as http:
        test_id = http.post("/api/start_test", json={"device_id": device}).json()["session_id"]
        enough = int(PULL_S * 1000) + 300  # the whole pull at 1 kHz, and a little after
        wait_for(lambda: status(live_server, device)["sample_count"] >= enough, timeout=30)
        http.post("/api/stop_test", json={"device_id": device})
        wait_for(lambda: http.get(f"/api/tests/{test_id}").json()["data"]["state"] == "complete")
        summary = http.get(f"/api/tests/{test_id}").json()["data"]["summary"]

    weight = 70 * GRAVITY
    assert summary["body_weight_n"] == pytest.approx(weight, rel=0.01)
    assert summary["peak_net_force_n"] == pytest.approx(2 * weight, rel=0.03)
    assert summary["asymmetry_pct"] == pytest.approx(6.0, abs=1.0)
    assert summary["flags"] == []


def test_simulated_wearable_posts_the_readings_asked_for(
    live_server: LiveServer, running: list[subprocess.Popen[str]]
) -> None:
    process = sensorhub(
        "simulate", "wearable", "--url", live_server.url, "--device-id", "sim-wrist",
        "--rate", "50", "--count", "12",
    )  # fmt: skip
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 0, output
    assert "12 readings accepted, 0 failed" in output
    listed = httpx.get(live_server.url + "/api/readings", params={"device_id": "sim-wrist"})
    readings = listed.json()["data"]
    assert len(readings) == 12
    assert all(r["prediction"] in ("Calm", "Stressed") for r in readings)


def test_simulator_without_a_server_says_so_in_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    process = sensorhub("simulate", "forceplate", "--url", url)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Error: cannot reach the server" in output
    assert "Traceback" not in output


def test_ctrl_c_stops_a_socketio_simulator_that_is_reconnecting(tmp_path: Path) -> None:
    """Its server gone, the python-socketio client keeps reconnecting in a thread of its own;
    Ctrl-C must end that too, not leave the process running."""
    server = start_server(tmp_path / "data")
    process = sensorhub(
        "simulate", "forceplate", "--url", server.url, "--device-id", "sim-gone",
        "--transport", "socketio",
    )  # fmt: skip
    try:
        wait_for(lambda: status(server, "sim-gone")["esp_connected"], timeout=20)
        server.stop()
        # The port now answers nothing but a TCP accept: the first reconnection attempt arriving
        # there shows the client is reconnecting when Ctrl-C comes.
        with socket.create_server(("127.0.0.1", server.port)) as listener:
            listener.settimeout(30)
            attempt, _ = listener.accept()
            attempt.close()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        server.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_demo_serves_live_data_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []

    def plate_streams() -> bool:
        latest = httpx.get(url + "/api/latest_reading", params={"device_id": "plate-1"})
        return latest.status_code == 200

    def wearable_posts() -> bool:
        readings = httpx.get(url + "/api/readings", params={"device_id": "wearable-1"})
        return bool(readings.json()["data"])

    args = ("demo", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(tmp_path))
    with sensorhub(*args) as demo:
        reader = threading.Thread(target=lambda: lines.extend(demo.stdout or []), daemon=True)
        reader.start()
        try:
            wait_for(lambda: any("dashboard at" in line for line in lines), timeout=60)
            wait_for(plate_streams, timeout=20)
            wait_for(wearable_posts, timeout=20)
            plate = httpx.get(url + "/api/status", params={"device_id": "plate-1"}).json()
            assert plate["esp_connected"]
        finally:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=30)
            reader.join(timeout=10)
    assert demo.returncode == 0, "".join(lines)
    assert "Traceback" not in "".join(lines)


def test_a_cmj_test_of_the_simulated_plate_stores_the_prescribed_height(
    live_server: LiveServer, running: list[subprocess.Popen[str]]
) -> None:
    device = "sim-cmj"
    running.append(
        sensorhub(
            "simulate",
            "forceplate",
            "--url",
            live_server.url,
            "--device-id",
            device,
            "--test",
            "cmj",
            "--reps",
            "2",
        )  # fmt: skip
    )
    wait_for(lambda: status(live_server, device)["esp_connected"], timeout=20)
    assert_one_prescribed_cmj(cmj_summary(live_server.url, device))


def test_the_demo_with_test_cmj_jumps_on_start(
    tmp_path: Path, running: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ("demo", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(tmp_path))
    running.append(sensorhub(*args, "--test", "cmj"))

    def plate_connected() -> bool:
        try:
            found = httpx.get(url + "/api/status", params={"device_id": "plate-1"}).json()
        except httpx.TransportError:
            return False
        return bool(found["esp_connected"])

    wait_for(plate_connected, timeout=60)
    assert_one_prescribed_cmj(cmj_summary(url, "plate-1"))


def cmj_summary(url: str, device: str) -> dict[str, Any]:
    """Start a CMJ test on ``device``, stop it once the simulator's set has streamed, and
    return the stored summary."""
    motion = jump_set("cmj")

    def sample_count() -> int:
        found = httpx.get(url + "/api/status", params={"device_id": device}).json()
        return int(found["sample_count"])

    with httpx.Client(base_url=url) as http:
        started = http.post("/api/start_test", json={"device_id": device, "test_type": "cmj"})
        assert started.json()["test_type"] == "cmj"
        test_id = started.json()["session_id"]
        enough = int(motion.duration_s * 1000) + 100
        wait_for(lambda: sample_count() >= enough, timeout=40)
        http.post("/api/stop_test", json={"device_id": device})
        wait_for(lambda: http.get(f"/api/tests/{test_id}").json()["data"]["state"] == "complete")
        summary: dict[str, Any] = http.get(f"/api/tests/{test_id}").json()["data"]["summary"]
        return summary


def assert_one_prescribed_cmj(summary: dict[str, Any]) -> None:
    """One CMJ of the simulator's 500 ms flight, its height within the noise's bound."""
    assert summary["test_type"] == "cmj"
    assert summary["reps"] == 1  # several reps: tests/web/test_jump_pages.py
    v_to = flight_velocity(500)
    # the simulator's 2 N noise: the bound of tests/loadcell/test_jumps.py (4 SD of the
    # integrated noise, 1.7e-3 m/s, plus a take-off one sample early, g·1 ms)
    dv = 4 * 1.7e-3 + GRAVITY * 0.001
    bound = (v_to * dv + dv * dv / 2) / GRAVITY
    assert summary["jump_height_impulse_m"] == pytest.approx(v_to**2 / 2 / GRAVITY, abs=bound)
    assert summary["flags"] == []
