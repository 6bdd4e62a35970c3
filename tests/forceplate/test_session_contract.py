"""Force-plate sessions over Socket.IO, exactly as the seed README and DESIGN §4.1 describe.

Real server, real python-socketio clients. One server per module (distinct device ids keep
the tests apart); tests that depend on global state start their own server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._errors import json_error
from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    SioClient,
    assert_csv_holds,
    complete_run,
    csv_path,
    for_device,
    is_cmd,
    new_device,
    record_of,
    running_server,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
    tlr,
)

STATUS_FIELDS = {"running", "state", "session_id", "device_id", "sample_count"}
COMPLETE_FIELDS = {"session_id", "file", "samples", "device_id"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("fp-session") / "data") as live:
        yield live


@pytest.fixture
def device() -> str:
    return new_device()


def start_from(client: SioClient, device: str, **fields: Any) -> None:
    client.send({"cmd": "start", "device_id": device, **fields})


def started(esp: SioClient) -> Any:
    """The session id of the start command the esp receives as ``message``."""
    command = esp.expect("message", is_cmd("start"))
    assert command["cmd"] == "start"
    session_id: Any = command["session_id"]
    assert session_id is not None
    return session_id


def send_batch(esp: SioClient, viewer: SioClient, device: str, batch: list[Any]) -> None:
    """Send one batch and wait until a viewer got it back as ``sensor_data`` (accepted)."""
    esp.send({"samples": batch})
    viewer.expect("sensor_data", lambda d: for_device(device)(d) and tlr(d["samples"]) == batch)


# -- registration and ping -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "as_text"),
    [("message", False), ("message", True), ("register", False)],
    ids=["message-dict", "message-json-string", "register-event"],
)
def test_esp_registration_shows_in_status(
    server: LiveServer, device: str, event: str, as_text: bool
) -> None:
    assert status(server, device)["esp_connected"] is False
    client = SioClient(server.url)
    try:
        body = {"type": "esp", "device_id": device}
        client.send(json.dumps(body) if as_text else body, event=event)
        wait_for(lambda: status(server, device)["esp_connected"] is True)
    finally:
        client.close()
    wait_for(lambda: status(server, device)["esp_connected"] is False)


def test_client_counts_follow_registrations(tmp_path: Path) -> None:
    # Assumption: "other" counts connected Socket.IO clients that have not registered a role.
    with running_server(tmp_path / "data") as live:
        zero = {"esp": 0, "browser": 0, "flutter": 0, "other": 0}
        assert status(live)["clients"] == zero
        with (
            sio_client(live) as anonymous,
            sio_client(live, "browser"),
            sio_client(live, "flutter", event="register") as flutter,
            sio_client(live, "esp"),
        ):
            anonymous.ping()
            flutter.ping()
            expected = {"esp": 1, "browser": 1, "flutter": 1, "other": 1}
            wait_for(lambda: status(live)["clients"] == expected)
        wait_for(lambda: status(live)["clients"] == zero)


def test_flutter_registration_as_json_string(server: LiveServer, device: str) -> None:
    with sio_client(server) as flutter, sio_client(server, "esp", device) as esp:
        flutter.send_text(json.dumps({"type": "flutter", "device_id": device}))
        flutter.ping()
        start_from(flutter, device)
        session_id = started(esp)
        stop = stop_test_rest(server, device)
        assert stop.status_code == 200
        assert stop.json()["session_id"] == session_id


def test_ping_is_answered_with_pong(server: LiveServer) -> None:
    with sio_client(server, "browser") as browser:
        browser.send(None, event="ping")
        browser.expect("pong")


# -- live view -----------------------------------------------------------------------------
@pytest.mark.parametrize("style", ["message-dict", "message-json-string", "samples-event"])
def test_every_idle_batch_reaches_viewers_as_sensor_data(
    server: LiveServer, device: str, style: str
) -> None:
    batches = [samples(0, 5), samples(5, 3), samples(8, 1)]
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "flutter") as flutter,
        sio_client(server, "esp", device) as esp,
    ):
        for batch in batches:
            body = {"samples": batch}
            if style == "message-dict":
                esp.send(body)
            elif style == "message-json-string":
                esp.send_text(json.dumps(body))
            else:
                esp.send(body, event="samples")
        for viewer in (browser, flutter):
            got = [viewer.expect("sensor_data", for_device(device)) for _ in batches]
            assert [tlr(event["samples"]) for event in got] == batches
            assert all(event["session_id"] is None for event in got)


def test_sensor_data_is_not_sent_to_esp_clients(server: LiveServer, device: str) -> None:
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "esp", device) as sender,
        sio_client(server, "esp", device) as other_esp,
        sio_client(server, "esp", new_device()) as foreign_esp,
    ):
        sender.send({"samples": samples(0, 4)})
        browser.expect("sensor_data", for_device(device))
        for esp in (sender, other_esp, foreign_esp):
            esp.ping()  # everything broadcast together with the browser's copy is in by now
            assert esp.received("sensor_data") == []


# -- start ---------------------------------------------------------------------------------
def test_browser_start_commands_the_esp_and_reports_status(server: LiveServer, device: str) -> None:
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "flutter") as flutter,
        sio_client(server, "esp", device) as esp,
        sio_client(server, "esp", new_device()) as foreign_esp,
    ):
        start_from(browser, device, athlete="Ann Lee", notes="pre-season")
        session_id = started(esp)
        for client in (browser, flutter, esp):
            event = client.expect("test_status", for_device(device, state="running"))
            assert set(event) >= STATUS_FIELDS
            assert event["running"] is True
            assert event["session_id"] == session_id
            assert event["sample_count"] == 0
        foreign_esp.ping()
        assert foreign_esp.received("message", is_cmd("start")) == []
        assert status(server, device)["session_id"] == session_id
        record = record_of(server, session_id)
        assert record["athlete"] == "Ann Lee"
        assert record["notes"] == "pre-season"
        assert stop_test_rest(server, device).status_code == 200


def test_flutter_start_as_named_cmd_event(server: LiveServer, device: str) -> None:
    with sio_client(server, "flutter") as flutter, sio_client(server, "esp", device) as esp:
        flutter.send({"cmd": "start", "device_id": device}, event="cmd")
        session_id = started(esp)
        flutter.expect("test_status", for_device(device, state="running", session_id=session_id))
        flutter.send({"cmd": "stop", "device_id": device}, event="cmd")
        stop = esp.expect("message", is_cmd("stop"))
        assert stop["session_id"] == session_id


def test_rest_start_commands_the_esp(server: LiveServer, device: str) -> None:
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        response, session_id = start_test_rest(server, device, athlete="Bo", notes="rest")
        assert response.status_code == 200
        assert response.json()["status"] == "started"
        assert started(esp) == session_id
        event = browser.expect("test_status", for_device(device, state="running"))
        assert event["session_id"] == session_id
        assert event["running"] is True
        assert record_of(server, str(session_id))["athlete"] == "Bo"
        assert stop_test_rest(server, device).status_code == 200


def test_start_while_running_is_409_over_rest(server: LiveServer, device: str) -> None:
    first, session_id = start_test_rest(server, device)
    assert first.status_code == 200
    again, _ = start_test_rest(server, device)
    json_error(again, 409, "session_running", device)
    assert status(server, device)["session_id"] == session_id
    assert stop_test_rest(server, device).status_code == 200


def test_start_while_running_is_an_error_event_to_the_sender(
    server: LiveServer, device: str
) -> None:
    with (
        sio_client(server, "browser") as first,
        sio_client(server, "browser") as second,
        sio_client(server, "esp", device) as esp,
    ):
        start_from(first, device)
        session_id = started(esp)
        start_from(second, device)
        error = second.expect("error")
        assert isinstance(error["message"], str) and error["message"]
        assert "code" in error  # the value of code is not specified by the documents
        first.ping()
        assert first.received("error") == []
        esp.ping()
        starts = esp.received("message", is_cmd("start"))
        assert [command["session_id"] for command in starts] == [session_id]
        assert status(server, device)["session_id"] == session_id
        assert stop_test_rest(server, device).status_code == 200


def test_stop_from_rest_commands_the_esp_and_flushes(server: LiveServer, device: str) -> None:
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        _, session_id = start_test_rest(server, device)
        assert started(esp) == session_id
        response = stop_test_rest(server, device)
        assert response.status_code == 200
        assert response.json()["status"] == "stopping"
        assert response.json()["session_id"] == session_id
        stop = esp.expect("message", is_cmd("stop"))
        assert stop["session_id"] == session_id
        browser.expect("test_status", for_device(device, state="flushing", session_id=session_id))
        esp.send({"done": True})
        browser.expect("data_complete", for_device(device, session_id=session_id))
        idle = browser.expect("test_status", for_device(device, state="idle"))
        assert idle["running"] is False


def test_stop_while_idle_is_an_error_event_to_the_sender(server: LiveServer, device: str) -> None:
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        browser.send({"cmd": "stop", "device_id": device})
        error = browser.expect("error")
        assert isinstance(error["message"], str) and error["message"]
        assert "code" in error
        esp.ping()
        assert esp.received("message", is_cmd("stop")) == []


def test_stop_while_idle_is_409(server: LiveServer, device: str) -> None:
    json_error(stop_test_rest(server, device), 409, "no_session_running", device)


# -- complete runs -------------------------------------------------------------------------
def test_two_batches_stop_flush_done_saves_exactly_those_samples(
    server: LiveServer, device: str
) -> None:
    first, second, flush = samples(0, 10), samples(10, 10), samples(20, 7)
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "flutter") as flutter,
        sio_client(server, "esp", device) as esp,
    ):
        start_from(browser, device)
        session_id = started(esp)
        for batch in (first, second):
            esp.send({"samples": batch})
            event = browser.expect("sensor_data", for_device(device))
            assert event["session_id"] == session_id
            assert tlr(event["samples"]) == batch
        browser.send({"cmd": "stop", "device_id": device})
        stop = esp.expect("message", is_cmd("stop"))
        assert stop == {**stop, "cmd": "stop", "session_id": session_id}
        flushing = browser.expect("test_status", for_device(device, state="flushing"))
        assert flushing["session_id"] == session_id
        assert flushing["sample_count"] == len(first + second)
        esp.send({"samples": flush})
        late = browser.expect("sensor_data", for_device(device))
        assert late["session_id"] == session_id  # still this test's samples
        assert tlr(late["samples"]) == flush
        esp.send({"done": True})

        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
        assert flutter.expect("data_complete", for_device(device, session_id=session_id))
        idle = browser.expect("test_status", for_device(device, state="idle"))
        assert idle["running"] is False

    assert set(complete) >= COMPLETE_FIELDS
    assert complete["samples"] == len(first + second + flush)
    assert_csv_holds(csv_path(server, complete["file"]), first + second + flush)
    assert record_of(server, session_id)["state"] == "complete"


def test_many_quick_batches_are_saved_whole_and_in_arrival_order(
    server: LiveServer, device: str
) -> None:
    # No waiting between batches: the server must keep the order of one connection's events.
    batches = [samples(i * 50, 50, l0=float(i)) for i in range(40)]
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        start_from(browser, device)
        session_id = started(esp)
        for batch in batches:
            esp.send({"samples": batch}, event="samples")
        browser.send({"cmd": "stop", "device_id": device})
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True})
        complete = browser.expect(
            "data_complete", for_device(device, session_id=session_id), timeout=30
        )
    every = [sample for batch in batches for sample in batch]
    assert complete["samples"] == len(every)
    assert_csv_holds(csv_path(server, complete["file"]), every)


def test_polling_transport_client_gets_the_same_events(server: LiveServer, device: str) -> None:
    browser = SioClient(server.url, transports=["polling"])
    try:
        browser.register("browser")
        with sio_client(server, "esp", device) as esp:
            start_from(browser, device)
            session_id = started(esp)
            esp.send({"samples": samples(0, 4)})
            event = browser.expect("sensor_data", for_device(device, session_id=session_id))
            assert tlr(event["samples"]) == samples(0, 4)
            browser.send({"cmd": "stop", "device_id": device})
            esp.expect("message", is_cmd("stop"))
            esp.send({"done": True})
            complete = browser.expect("data_complete", for_device(device, session_id=session_id))
            assert complete["samples"] == 4
    finally:
        browser.close()


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
value = st.one_of(st.integers(min_value=-(2**23), max_value=2**23), finite)
stamp = st.one_of(st.integers(min_value=0, max_value=2**32 - 1), st.floats(0, 4e9))
sample_lists = st.lists(st.fixed_dictionaries({"t": stamp, "l": value, "r": value}), max_size=20)


@settings(max_examples=20, deadline=None)
@given(batches=st.lists(sample_lists, min_size=1, max_size=3))
def test_values_are_stored_exactly_as_received(
    server: LiveServer, batches: list[list[dict[str, float]]]
) -> None:
    """Any finite numbers, any precision: the CSV and the samples route hold them unchanged."""
    batches = [batch for batch in batches if batch] or [[{"t": 0, "l": 0.1, "r": 0.2}]]
    session_id, complete = complete_run(server, new_device("values"), batches)
    every = [sample for batch in batches for sample in batch]
    assert complete["samples"] == len(every)
    assert_csv_holds(csv_path(server, complete["file"]), every)
    assert samples_of(server, session_id) == every


def test_extreme_finite_values_are_kept_as_received(server: LiveServer, device: str) -> None:
    """DESIGN §4.1 / README: a sample needs numeric, finite t, l, r; these are all finite."""
    extreme = [
        {"t": 2**53, "l": 1e300, "r": -1e300},
        {"t": 1e16, "l": 2.5e-308, "r": 1.7976931348623157e308},
    ]
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        esp.send({"samples": extreme})
        esp.ping()
        assert esp.received("error") == []
        event = browser.expect("sensor_data", for_device(device))
        assert tlr(event["samples"]) == extreme


def test_done_as_named_event_completes(server: LiveServer, device: str) -> None:
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        start_from(browser, device)
        session_id = started(esp)
        send_batch(esp, browser, device, samples(0, 3))
        browser.send({"cmd": "stop", "device_id": device})
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True}, event="done")
        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
        assert complete["samples"] == 3


def test_flush_by_silence_keeps_late_samples(server: LiveServer, device: str) -> None:
    # The module server runs with SENSORHUB_FLUSH_GRACE_S=0.5 instead of the default 2 s.
    before, late = samples(0, 5), samples(5, 4)
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        start_from(browser, device)
        session_id = started(esp)
        send_batch(esp, browser, device, before)
        browser.send({"cmd": "stop", "device_id": device})
        esp.expect("message", is_cmd("stop"))
        esp.send({"samples": late})  # then silence: no "done"
        complete = browser.expect("data_complete", for_device(device, session_id=session_id))
        assert complete["samples"] == len(before + late)
        assert_csv_holds(csv_path(server, complete["file"]), before + late)
        # the esp stayed connected all along: the flush ended by silence, not by a disconnect
        assert status(server, device)["esp_connected"] is True


def test_stop_with_no_esp_connected_completes_at_once(tmp_path: Path) -> None:
    # A grace far longer than the wait below: only "at once" can pass.
    with (
        running_server(tmp_path / "data", env={"SENSORHUB_FLUSH_GRACE_S": "60"}) as live,
        sio_client(live, "browser") as browser,
    ):
        device = new_device()
        start_from(browser, device)
        event = browser.expect("test_status", for_device(device, state="running"))
        browser.send({"cmd": "stop", "device_id": device})
        complete = browser.expect(
            "data_complete", for_device(device, session_id=event["session_id"]), timeout=10
        )
        assert complete["samples"] == 0
        assert csv_path(live, complete["file"]).read_text().splitlines() == ["t,l,r"]


def test_two_devices_run_at_once_without_mixing(server: LiveServer) -> None:
    a, b = new_device("plate-a"), new_device("plate-b")
    sent: dict[str, list[Any]] = {a: [], b: []}
    with (
        sio_client(server, "browser") as browser,
        sio_client(server, "esp", a) as esp_a,
        sio_client(server, "esp", b) as esp_b,
    ):
        start_from(browser, a)
        session_a = started(esp_a)
        start_from(browser, b)
        session_b = started(esp_b)
        assert session_a != session_b
        for step in range(3):
            for esp, dev, base in ((esp_a, a, 1000.0), (esp_b, b, 5000.0)):
                batch = samples(step * 10, 10, l0=base, r0=base * 2)
                esp.send({"samples": batch})
                sent[dev] += batch
        for dev in (a, b):
            browser.send({"cmd": "stop", "device_id": dev})
        for esp, session_id in ((esp_a, session_a), (esp_b, session_b)):
            assert esp.expect("message", is_cmd("stop"))["session_id"] == session_id
            esp.ping()
            starts = esp.received("message", is_cmd("start"))
            assert [c["session_id"] for c in starts] == [session_id]
            esp.send({"done": True})
        completes = {
            dev: browser.expect("data_complete", for_device(dev, session_id=sid))
            for dev, sid in ((a, session_a), (b, session_b))
        }
    assert completes[a]["file"] != completes[b]["file"]
    for dev in (a, b):
        assert completes[dev]["samples"] == 30
        assert_csv_holds(csv_path(server, completes[dev]["file"]), sent[dev])


def test_without_device_id_everything_is_device_default(server: LiveServer) -> None:
    # Only this test of the module uses the device "default".
    with sio_client(server, "browser") as browser, sio_client(server, "esp") as esp:
        browser.send({"cmd": "start"})
        session_id = started(esp)
        assert status(server)["session_id"] == session_id
        assert status(server)["device_id"] == "default"
        esp.send({"samples": samples(0, 2)})
        event = browser.expect("sensor_data", for_device("default", session_id=session_id))
        assert tlr(event["samples"]) == samples(0, 2)
        browser.send({"cmd": "stop"})
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True})
        complete = browser.expect("data_complete", for_device("default", session_id=session_id))
        assert complete["samples"] == 2
    assert httpx.get(server.url + "/api/status", timeout=10).json()["state"] == "idle"
