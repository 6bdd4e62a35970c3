"""``POST /api/wearable/signals``, its windows and exports, against a real server."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from tests._server import wait_for
from tests.signals._batches import IBI_MS, batch, new_device

URL = "/api/wearable/signals"


def _signal_rows(http: httpx.Client, device_id: str) -> list[dict[str, str]]:
    response = http.get("/api/wearable/signals.csv", params={"device_id": device_id})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


def test_a_batch_is_acknowledged_and_a_replay_is_not_stored_twice(http: httpx.Client) -> None:
    device = new_device("replay")
    body = batch(device, 7, 0.0, 2.0)
    first = http.post(URL, json=body)
    replay = http.post(URL, json=body)
    assert first.status_code == replay.status_code == 200
    assert first.json()["data"] == {"device_id": device, "boot": None, "seq": 7,
                                     "duplicate": False, "samples": 128 + 8 + 3 * 64}  # fmt: skip
    assert replay.json()["data"]["duplicate"] is True
    assert len(_signal_rows(http, device)) == 128 + 8 + 3 * 64


def test_a_rebooted_device_is_a_new_stream_stored_in_full(http: httpx.Client) -> None:
    """The wearable reboots: a new boot id, seq from 1 again, its clock from 0 again."""
    device = new_device("reboot")
    before = [{**batch(device, seq, seq - 1.0, 1.0), "boot": "b007a"} for seq in (1, 2, 3)]
    after = [{**batch(device, seq, seq - 1.0, 1.0), "boot": "b007b"} for seq in (1, 2)]
    after[0]["bvp"]["values"][0] += 1.0  # new samples, not the first boot's again
    acks = [http.post(URL, json=body).json()["data"] for body in before + after]
    assert [(a["boot"], a["seq"], a["duplicate"]) for a in acks] == [
        ("b007a", 1, False), ("b007a", 2, False), ("b007a", 3, False),
        ("b007b", 1, False), ("b007b", 2, False),
    ]  # fmt: skip
    rows = _signal_rows(http, device)
    stored = sorted({(r["boot"], int(r["seq"])) for r in rows})
    assert stored == [("b007a", 1), ("b007a", 2), ("b007a", 3), ("b007b", 1), ("b007b", 2)]
    assert len(rows) == 5 * (64 + 4 + 3 * 32)


def test_a_reused_seq_with_other_samples_is_refused_not_called_a_duplicate(
    http: httpx.Client,
) -> None:
    """Firmware without a boot id that restarts reuses seq: the server cannot store it under
    the same name, and says so instead of dropping it as a replay."""
    device = new_device("reused")
    first = batch(device, 1, 0.0, 1.0)
    assert http.post(URL, json=first).status_code == 200
    changed = batch(device, 1, 0.0, 1.0)
    changed["temperature"]["values"][0] += 0.5
    refused = http.post(URL, json=changed)
    assert refused.status_code == 409
    assert refused.json()["code"] == "batch_reused"
    assert "new boot id" in refused.json()["message"]
    replay = http.post(URL, json=first)
    assert (replay.status_code, replay.json()["data"]["duplicate"]) == (200, True)
    temperatures = [float(r["value"]) for r in _signal_rows(http, device)
                    if r["channel"] == "temperature"]  # fmt: skip
    assert temperatures == first["temperature"]["values"]


def test_windows_restart_with_the_new_boot(http: httpx.Client) -> None:
    """After a reboot the device clock starts from 0 again: the new boot's first full
    minute is a window, not stalled behind the old boot's clock."""
    device = new_device("reboot-windows")
    old = {**batch(device, 1, 1000.0, 60.0), "boot": "old"}  # up to 1060 s of device time
    new = {**batch(device, 1, 0.0, 60.0), "boot": "new"}
    assert http.post(URL, json=old).status_code == 200
    assert http.post(URL, json=new).status_code == 200

    def ends() -> list[float]:
        response = http.get("/api/wearable/windows", params={"device_id": device})
        return sorted(w["end_ms"] for w in response.json()["data"])

    wait_for(lambda: len(ends()) == 2, timeout=30)
    assert ends() == [60_000.0, 1_060_000.0]


def test_the_export_gives_back_exactly_the_numbers_sent(http: httpx.Client) -> None:
    device = new_device("exact")
    body = batch(device, 1, 10.0, 1.0)
    body["bvp"]["values"][0] = 0.1 + 0.2  # 0.30000000000000004: needs all 17 digits
    assert http.post(URL, json=body).status_code == 200
    rows = _signal_rows(http, device)
    by_channel: dict[str, list[float]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], []).append(float(row["value"]))
    assert by_channel["bvp"] == body["bvp"]["values"]
    assert by_channel["temperature"] == body["temperature"]["values"]
    assert [by_channel[f"acc_{a}"] for a in "xyz"] == [body["acc"][a] for a in "xyz"]
    bvp_times = [float(r["t_ms"]) for r in rows if r["channel"] == "bvp"]
    assert bvp_times[:3] == [10_000.0, 10_000.0 + 1000 / 64, 10_000.0 + 2000 / 64]


def _bad(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(body))
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


_DELETE = object()
BAD: dict[str, tuple[list[Any], Any, str]] = {
    "a string sample": (["bvp", "values", 3], "1.0", "bvp.values[3]"),
    "a boolean seq": (["seq"], True, "seq"),
    "a negative seq": (["seq"], -1, "seq"),
    "bvp too slow for the pulse band": (["bvp", "hz"], 8, "bvp.hz"),
    "temperature too fast": (["temperature", "hz"], 500, "temperature.hz"),
    "an acc axis short": (["acc", "y"], [0.0], "acc"),
    "no t0": (["t0"], _DELETE, "t0"),
    "a device id with a space": (["device_id"], "a b", "device_id"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_batches_get_a_422_naming_the_field(http: httpx.Client, case: str) -> None:
    path, value, field = BAD[case]
    response = http.post(URL, json=_bad(batch("bad", 1, 0.0, 1.0), path, value))
    assert response.status_code == 422
    assert response.json()["message"].startswith(field)


def test_nan_and_more_than_60_seconds_are_refused(http: httpx.Client) -> None:
    nan = json.dumps(batch("bad", 1, 0.0, 1.0)).replace("[", "[NaN, ", 1)
    response = http.post(URL, content=nan, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["message"].startswith("bvp.values[0]: must be a finite number")
    long = batch("bad", 2, 0.0, 1.0)
    long["bvp"]["values"] = [0.0] * (64 * 60 + 1)
    response = http.post(URL, json=long)
    assert response.status_code == 422 and response.json()["message"].startswith("bvp")
    assert "60" in response.json()["message"]
    response = http.post(URL, json={"device_id": "bad", "seq": 3, "t0": 0})
    assert response.status_code == 422 and "at least one" in response.json()["message"]


def test_windows_are_computed_listed_and_exported(http: httpx.Client) -> None:
    device = new_device("windows")
    assert http.post(URL, json=batch(device, 1, 0.0, 60.0)).status_code == 200
    assert http.post(URL, json=batch(device, 2, 60.0, 5.0)).status_code == 200

    def windows() -> list[dict[str, Any]]:
        response = http.get("/api/wearable/windows", params={"device_id": device})
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    wait_for(lambda: len(windows()) == 2, timeout=30)
    newest, oldest = windows()
    assert (oldest["start_ms"], oldest["end_ms"]) == (0.0, 60_000.0)
    assert (newest["start_ms"], newest["end_ms"]) == (5_000.0, 65_000.0)
    for window in (newest, oldest):
        assert window["quality"] == "good" and window["reason"] is None
        # tests/physio bounds the beat error; 1 bpm is far outside it at 75 bpm
        assert abs(window["hr_bpm"] - 60_000 / IBI_MS) < 1.0
        assert abs(window["temp_mean"] - 33.0) < 0.01
        # The bundled demo window model rates every good window.
        assert window["model"] == "stress_window_model_demo.h5"
        assert (window["prediction"] == "Stressed") == (window["stress_probability"] > 0.5)
    exported = http.get("/api/wearable/windows.csv", params={"device_id": device})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [float(r["end_ms"]) for r in rows] == [60_000.0, 65_000.0]
    assert float(rows[0]["hr_bpm"]) == oldest["hr_bpm"]


def test_windows_list_refuses_a_bad_limit(http: httpx.Client) -> None:
    response = http.get("/api/wearable/windows", params={"limit": 0})
    assert response.status_code == 422 and "limit" in response.json()["message"]


def test_health_names_both_models(http: httpx.Client) -> None:
    health = http.get("/api/health").json()
    assert health["model"]["name"] == "stress_model_demo.h5"
    assert health["window_model"] == {
        "name": "stress_window_model_demo.h5", "source": "bundled", "backend": "numpy",
        "demo": True,
    }  # fmt: skip
