"""``sensorhub simulate wearable --signals`` against a real server."""

from __future__ import annotations

import csv
import io
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


def _stored(live_server: LiveServer, device_id: str) -> list[tuple[str, int]]:
    exported = httpx.get(
        live_server.url + "/api/wearable/signals.csv", params={"device_id": device_id}
    )
    rows = csv.DictReader(io.StringIO(exported.text))
    return list(dict.fromkeys((row["boot"], int(row["seq"])) for row in rows))


def test_a_restarted_simulator_is_a_new_boot_stored_in_full(live_server: LiveServer) -> None:
    first = SignalSimulator(live_server.url, "sim-reboot", seed=3)
    first.run(threading.Event(), count=2)
    again = SignalSimulator(live_server.url, "sim-reboot", seed=4)  # power-cycled
    again.run(threading.Event(), count=2)
    assert first.boot != again.boot
    assert (first.failed, again.failed) == (0, 0)
    stored = _stored(live_server, "sim-reboot")
    assert stored == [(first.boot, 1), (first.boot, 2), (again.boot, 1), (again.boot, 2)]


def test_offline_batches_are_back_filled_oldest_first_and_all_stored(
    live_server: LiveServer,
) -> None:
    wearable = SignalSimulator(live_server.url, "sim-offline", seed=5, offline_for_s=2.5)
    wearable.run(threading.Event(), count=4)
    assert (wearable.sent, wearable.failed, wearable.dropped) == (4, 0, 0)
    stored = _stored(live_server, "sim-offline")
    assert stored == [(wearable.boot, seq) for seq in (1, 2, 3, 4)]
