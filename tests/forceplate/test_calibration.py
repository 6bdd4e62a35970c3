"""Per-device calibration (issue 3, item 6): tare, known-mass calibration, GET/PUT, and the
calibration a test was recorded with. The CSV stays as received.

Assumptions where the documents are silent:
- calibration is ``{"l": {"offset", "scale"}, "r": {...}}``, under ``"calibration"`` in the
  device object (or the object itself); PUT takes the same shape GET returns;
- force = (raw − offset) × scale, so the tare offset is the mean raw value at zero load and a
  device nobody calibrated has offset 0 and scale 1;
- calibrate averages the recent live samples of the channel like tare; g ≈ 9.81 (DESIGN §6),
  compared with a tolerance that also admits 9.80665.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._server import LiveServer
from tests.forceplate._clients import (
    TIMEOUT_S,
    assert_csv_holds,
    complete_run,
    csv_path,
    for_device,
    new_device,
    record_of,
    running_server,
    sio_client,
    tlr,
    unwrap,
)

IDENTITY = {"l": {"offset": 0.0, "scale": 1.0}, "r": {"offset": 0.0, "scale": 1.0}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("fp-cal") / "data") as live:
        yield live


def device_url(server: LiveServer, device: str) -> str:
    return f"{server.url}/api/devices/{device}"


def get_device(server: LiveServer, device: str) -> dict[str, Any]:
    response = httpx.get(device_url(server, device), timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = unwrap(response.json(), "data", "device")
    return body


def calibration_of(body: dict[str, Any]) -> dict[str, Any]:
    calibration: dict[str, Any] = body.get("calibration", body)
    return {
        channel: {key: calibration[channel][key] for key in ("offset", "scale")}
        for channel in ("l", "r")
    }


def put_calibration(server: LiveServer, device: str, calibration: dict[str, Any]) -> None:
    body = (
        {"calibration": calibration} if "calibration" in get_device(server, device) else calibration
    )
    response = httpx.put(device_url(server, device), json=body, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text


def constant(count: int, l_value: float, r_value: float, t0: int = 0) -> list[dict[str, float]]:
    return [{"t": t0 + 10 * i, "l": l_value, "r": r_value} for i in range(count)]


def stream(server: LiveServer, device: str, batches: list[list[dict[str, float]]]) -> None:
    """Send live samples (no test running) and wait until a viewer saw each batch."""
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        for batch in batches:
            esp.send({"samples": batch})
            event = browser.expect("sensor_data", for_device(device))
            assert tlr(event["samples"]) == batch


def approx(calibration: dict[str, Any], rel: float = 1e-6) -> Any:
    return {
        channel: {key: pytest.approx(value, rel=rel, abs=1e-9) for key, value in values.items()}
        for channel, values in calibration.items()
    }


def test_uncalibrated_device_has_identity_calibration(server: LiveServer) -> None:
    device = new_device("cal-new")
    stream(server, device, [constant(5, 1.0, 2.0)])
    assert calibration_of(get_device(server, device)) == approx(IDENTITY)


def test_put_replaces_the_calibration(server: LiveServer) -> None:
    device = new_device("cal-put")
    stream(server, device, [constant(5, 1.0, 2.0)])
    wanted = {"l": {"offset": 12.5, "scale": 0.25}, "r": {"offset": -3.0, "scale": 9.81}}
    put_calibration(server, device, wanted)
    assert calibration_of(get_device(server, device)) == approx(wanted)


def test_tare_zeroes_each_channel_from_recent_live_samples(server: LiveServer) -> None:
    device = new_device("cal-tare")
    stream(server, device, [constant(50, 1000.0, 2000.0), constant(50, 1000.0, 2000.0, t0=500)])
    # Never tared, the plate's raw counts read as a load: the first tare is confirmed.
    response = httpx.post(device_url(server, device) + "/tare?confirm=true", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    calibration = calibration_of(get_device(server, device))
    assert calibration == approx(
        {"l": {"offset": 1000.0, "scale": 1.0}, "r": {"offset": 2000.0, "scale": 1.0}}
    )


def test_tare_without_live_samples_is_a_4xx(server: LiveServer) -> None:
    response = httpx.post(device_url(server, new_device("cal-silent")) + "/tare", timeout=10)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("channel", ["l", "r"])
def test_calibrate_with_known_mass_sets_that_channel_scale(
    server: LiveServer, channel: str
) -> None:
    device = new_device("cal-mass")
    zero = {"l": {"offset": 1000.0, "scale": 1.0}, "r": {"offset": 2000.0, "scale": 1.0}}
    put_calibration(server, device, zero)
    # 20 kg ≈ 196.2 N shows as 392.4 raw units above the offset: scale ≈ 0.5 N per unit
    loaded = {"l": 1000.0, "r": 2000.0}
    loaded[channel] += 392.4
    stream(server, device, [constant(100, loaded["l"], loaded["r"])])

    response = httpx.post(
        device_url(server, device) + "/calibrate",
        json={"channel": channel, "mass_kg": 20},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 200, response.text
    calibration = calibration_of(get_device(server, device))
    other = "r" if channel == "l" else "l"
    assert calibration[channel]["scale"] == pytest.approx(0.5, rel=1e-3)
    assert calibration[channel]["offset"] == pytest.approx(zero[channel]["offset"])
    assert calibration[other] == {key: pytest.approx(value) for key, value in zero[other].items()}


@pytest.mark.parametrize(
    "body",
    [{"channel": "x", "mass_kg": 20}, {"channel": "l"}, {"channel": "l", "mass_kg": "heavy"}],
    ids=["unknown-channel", "no-mass", "mass-not-a-number"],
)
def test_calibrate_with_a_bad_body_is_a_4xx(server: LiveServer, body: dict[str, Any]) -> None:
    device = new_device("cal-bad")
    stream(server, device, [constant(20, 1400.0, 2400.0)])
    response = httpx.post(device_url(server, device) + "/calibrate", json=body, timeout=10)
    assert 400 <= response.status_code < 500
    assert calibration_of(get_device(server, device)) == approx(IDENTITY)


def test_a_test_keeps_the_calibration_it_was_recorded_with(server: LiveServer) -> None:
    device = new_device("cal-test")
    stream(server, device, [constant(2, 1.0, 1.0)])
    recorded_with = {"l": {"offset": 100.0, "scale": 0.5}, "r": {"offset": 200.0, "scale": 2.0}}
    put_calibration(server, device, recorded_with)
    raw = constant(30, 1234.5, 2345.25)
    session_id, complete = complete_run(server, device, [raw[:15], raw[15:]])

    put_calibration(server, device, IDENTITY)  # a later change does not rewrite history

    assert calibration_of(record_of(server, session_id)) == approx(recorded_with)
    assert_csv_holds(csv_path(server, complete["file"]), raw)  # as received, not calibrated
