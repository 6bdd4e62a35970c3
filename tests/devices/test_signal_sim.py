"""``sensorhub simulate wearable --signals`` against a real server."""

from __future__ import annotations

import threading

import httpx

from sensorhub.devices.signal_sim import SignalSimulator
from sensorhub.physio.wearer import CALM, STRESSED, state_at
from tests._server import LiveServer


def test_the_simulator_streams_batches_the_server_stores(live_server: LiveServer) -> None:
    wearable = SignalSimulator(live_server.url, "sim-signals-1", seed=2)
    wearable.run(threading.Event(), count=3)
    assert (wearable.sent, wearable.failed) == (3, 0)
    exported = httpx.get(
        live_server.url + "/api/wearable/signals.csv", params={"device_id": "sim-signals-1"}
    )
    bvp_rows = [line for line in exported.text.splitlines() if ",bvp," in line]
    assert len(bvp_rows) == 3 * 64


def test_the_same_wrist_posts_readings_taken_from_its_signals(live_server: LiveServer) -> None:
    wearable = SignalSimulator(live_server.url, "sim-signals-2", seed=4, readings_hz=2.0)
    wearable.run(threading.Event(), count=2)
    assert (wearable.readings.sent, wearable.readings.failed) == (2, 0)  # one batch of 2 each
    listed = httpx.get(live_server.url + "/api/readings", params={"device_id": "sim-signals-2"})
    readings = listed.json()["data"]
    exported = httpx.get(
        live_server.url + "/api/wearable/signals.csv", params={"device_id": "sim-signals-2"}
    )
    bvp = {float(line.split(",")[-1]) for line in exported.text.splitlines() if ",bvp," in line}
    assert len(readings) == 4 and {r["bvp"] for r in readings} <= bvp


def test_episodes_ramp_from_calm_to_stressed_and_back() -> None:
    assert state_at(0.0, True) == CALM
    assert state_at(150.0, True) == STRESSED
    assert CALM.hr_bpm < state_at(125.0, True).hr_bpm < STRESSED.hr_bpm
    assert state_at(150.0, False) == CALM
