"""``sensorhub simulate wearable --signals`` against a real server."""

from __future__ import annotations

import threading

import httpx

from sensorhub.devices.signal_sim import SignalSimulator, state_at
from sensorhub.physio.wearer import CALM, STRESSED
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


def test_episodes_ramp_from_calm_to_stressed_and_back() -> None:
    assert state_at(0.0, True) == CALM
    assert state_at(150.0, True) == STRESSED
    assert CALM.hr_bpm < state_at(125.0, True).hr_bpm < STRESSED.hr_bpm
    assert state_at(150.0, False) == CALM
