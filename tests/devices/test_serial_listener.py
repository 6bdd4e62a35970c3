"""The USB serial listener against a real server, through a real pseudo-terminal pair.

Waits poll with deadlines (``until``); nothing sleeps for a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sensorhub.devices import (
    Backoff,
    FakeSerialPorts,
    HttpSink,
    MemorySink,
    SerialListener,
    Sink,
)
from sensorhub.errors import ForwardError
from sensorhub.types import JSONDict
from tests._server import LiveServer, start_server
from tests.devices._listening import TIMEOUT_S, quick_backoff, running, until
from tests.devices._pty import Pty


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reading(device_id: str, index: int) -> JSONDict:
    return {
        "bvp": 0.5 + index / 100,
        "temperature": 36.5,
        "acceleration": {"x": 0.01, "y": -0.02, "z": 0.98},
        "device_id": device_id,
        "timestamp": 1000 + index,
    }


@pytest.fixture
def make_pty(tmp_path: Path) -> Iterator[Callable[[], Pty]]:
    """Make pty pairs behind one symlink (``pty.link``); a new one re-points the link."""
    link = tmp_path / "ttyESP"
    made: list[Pty] = []

    def make() -> Pty:
        made.append(Pty(link))
        return made[-1]

    yield make
    for pty in made:
        pty.unplug()


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=TIMEOUT_S) as client:
        yield client


async def stored_readings(http: httpx.AsyncClient, device_id: str) -> list[JSONDict]:
    response = await http.get("/api/readings", params={"device_id": device_id})
    assert response.status_code == 200, response.text
    rows: list[JSONDict] = response.json()["data"]
    return sorted(rows, key=lambda row: row["id"])


def has_readings(
    http: httpx.AsyncClient, device_id: str, count: int
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(await stored_readings(http, device_id)) >= count

    return check


# --- against a real server, through a real pty --------------------------------------------


async def test_readings_on_the_serial_line_arrive_in_the_server(
    make_pty: Callable[[], Pty], live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    device = unique("wrist")
    pty = make_pty()
    listener = SerialListener(str(pty.link), 115200, HttpSink(live_server.url))
    async with running(listener):
        await pty.write_json(reading(device, 0))
        await pty.write_json(reading(device, 1), end=b"\r\n")  # Arduino's Serial.println
        line = json.dumps(reading(device, 2)).encode() + b"\n"
        await until(lambda: listener.stats.lines_ok == 2, what="two lines read")
        before = listener.stats.bytes_read
        await pty.write(line[:25])
        # The first part has been read on its own before the rest is written.
        await until(lambda: listener.stats.bytes_read >= before + 25, what="half line read")
        await pty.write(line[25:])
        await until(has_readings(http, device, 3), what="3 readings stored")

    rows = await stored_readings(http, device)
    assert [row["bvp"] for row in rows] == [0.5, 0.51, 0.52]
    assert [row["device_timestamp"] for row in rows] == ["1000", "1001", "1002"]
    assert rows[0]["acceleration_magnitude"] == 0.9803  # √(0.01² + 0.02² + 0.98²)
    stats = listener.stats
    assert (stats.lines_ok, stats.forwarded, stats.bad_lines, stats.failed) == (3, 3, 0, 0)


async def test_bad_lines_are_counted_and_the_listener_keeps_going(
    make_pty: Callable[[], Pty], live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    device = unique("wrist")
    pty = make_pty()
    listener = SerialListener(str(pty.link), 115200, HttpSink(live_server.url))
    garbage = [
        b"ets Jun  8 2016 00:22:57 rst:0x1 (POWERON_RESET),boot:0x13\n",  # ESP32 boot ROM
        b"[1, 2, 3]\n",  # JSON, not an object
        b'{"hello": "world"}\n',  # an object of no known shape
        b"\xff\xfe\xfa\x80\n",  # wrong baud rate
        b'{"bvp": NaN, "temperature": 36.5, "acceleration": {"x": 0, "y": 0, "z": 1}}\n',
        b"\n",  # blank: ignored, not bad
    ]
    async with running(listener):
        for line in garbage:
            await pty.write(line)
        await pty.write(b'{"bvp": "' + b"x" * 70_000)  # over the 64 KiB cap, in pieces
        await pty.write(b"y" * 10_000 + b'"}\n')
        refused = {**reading(device, 0), "bvp": "high"}
        await pty.write_json(refused)  # well-formed, but the server refuses it (422)
        await pty.write_json(reading(device, 1))
        await until(has_readings(http, device, 1), what="the good reading stored")

    [row] = await stored_readings(http, device)
    assert row["bvp"] == 0.51
    stats = listener.stats
    assert stats.bad_lines == 6  # five garbage lines and the over-long one
    assert (stats.lines_ok, stats.rejected, stats.forwarded, stats.failed) == (2, 1, 1, 0)
    assert stats.reconnects == 0


async def test_force_plate_over_serial_streams_live_and_takes_commands(
    make_pty: Callable[[], Pty], live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    plate = unique("plate")
    pty = make_pty()
    listener = SerialListener(str(pty.link), 115200, HttpSink(live_server.url))

    async def latest() -> JSONDict | None:
        response = await http.get("/api/latest_reading", params={"device_id": plate})
        return response.json() if response.status_code == 200 else None

    async with running(listener):
        await pty.write_json({"type": "esp", "device_id": plate})
        idle = [{"t": i, "l": 100.0 + i, "r": 200.0 + i} for i in range(50)]
        await pty.write_json({"samples": idle})
        sample = await until(latest, what="live sample")
        assert sample == {"t": 49, "l": 149.0, "r": 249.0, "device_id": plate}
        status = (await http.get("/api/status", params={"device_id": plate})).json()
        assert status["esp_connected"] is True

        started = await http.post("/api/start_test", json={"device_id": plate})
        assert started.status_code == 200, started.text
        command = await pty.read_json_line()
        assert command == {"cmd": "start", "session_id": started.json()["session_id"]}
        pull = [{"t": 1000 + i, "l": 400.0 + i, "r": 410.0 + i} for i in range(50)]
        await pty.write_json({"samples": pull})
        await until(lambda: _equals(latest, pull[-1]["t"]), what="pull samples")
        stopped = await http.post("/api/stop_test", params={"device_id": plate})
        assert stopped.status_code == 200, stopped.text
        assert (await pty.read_json_line())["cmd"] == "stop"
        await pty.write_json({"done": True})

        async def completed() -> JSONDict | None:
            body: JSONDict = (
                await http.get("/api/session_data", params={"device_id": plate})
            ).json()
            return body if body["state"] == "complete" else None

        data = await until(completed, what="test complete")
    assert [s["t"] for s in data["samples"]] == [s["t"] for s in pull]
    assert listener.stats.sent == 2
    assert (listener.stats.rejected, listener.stats.failed, listener.stats.bad_lines) == (0, 0, 0)


async def _equals(latest: Callable[[], Awaitable[JSONDict | None]], t: float) -> bool:
    sample = await latest()
    return sample is not None and sample["t"] == t


async def test_unplug_and_replug_is_survived(
    make_pty: Callable[[], Pty], live_server: LiveServer, http: httpx.AsyncClient
) -> None:
    device = unique("wrist")
    pty = make_pty()
    sink = HttpSink(live_server.url)
    listener = SerialListener(str(pty.link), 115200, sink, backoff=quick_backoff())
    async with running(listener):
        await pty.write_json(reading(device, 0))
        await until(has_readings(http, device, 1), what="reading before the unplug")
        before = listener.stats.bytes_read
        await pty.write(b'{"bvp": 0.9, "tempera')  # the cable is pulled mid-line
        await until(lambda: listener.stats.bytes_read > before, what="half line read")
        pty.unplug()
        await until(lambda: not listener.connected, what="port closed after the unplug")

        replugged = make_pty()
        await until(lambda: listener.connected, what="port reopened")
        assert listener.stats.reconnects == 1
        await replugged.write_json(reading(device, 1))
        await until(has_readings(http, device, 2), what="reading after the replug")

    assert listener.stats.bad_lines == 1  # the line the unplug cut off
    assert listener.stats.forwarded == 2


async def test_listener_inside_the_server_forwards_to_the_hub(
    make_pty: Callable[[], Pty], tmp_path: Path
) -> None:
    pty = make_pty()
    server = start_server(tmp_path / "data", args=["--serial", str(pty.link)])
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT_S) as http:
            await _exercise_hub_sink(server, http, pty, make_pty)
    finally:
        server.stop()


async def _exercise_hub_sink(
    server: LiveServer, http: httpx.AsyncClient, pty: Pty, make_pty: Callable[[], Pty]
) -> None:
    def opened(count: int) -> Callable[[], bool]:
        return lambda: server.log().count("serial_opened") >= count

    await until(opened(1), what="the server opened the port")
    device, plate = unique("wrist"), unique("plate")
    await pty.write(b"garbage that is counted and skipped\n")
    await pty.write_json(reading(device, 0))
    await until(has_readings(http, device, 1), what="reading via the hub")
    await pty.write_json({"type": "esp", "device_id": plate})
    await pty.write_json({"samples": [{"t": 7, "l": 1.5, "r": 2.5}]})

    async def latest() -> bool:
        response = await http.get("/api/latest_reading", params={"device_id": plate})
        return response.status_code == 200 and response.json()["t"] == 7

    await until(latest, what="sample via the message handler")
    started = await http.post("/api/start_test", json={"device_id": plate})
    assert started.status_code == 200, started.text
    command = await pty.read_json_line()
    assert command == {"cmd": "start", "session_id": started.json()["session_id"]}

    pty.unplug()
    replugged = make_pty()
    await until(opened(2), what="the server reopened the port")
    await replugged.write_json(reading(device, 1))
    await until(has_readings(http, device, 2), what="reading after the replug")


# --- with the in-package fakes: timing and failure paths, no server ------------------------


async def test_stop_interrupts_the_wait_to_reopen() -> None:
    ports = FakeSerialPorts()  # nothing plugged in: every open fails
    hour = Backoff(initial=3600.0, cap=3600.0)
    listener = SerialListener("/dev/ttyNONE", 115200, MemorySink(), open_port=ports, backoff=hour)
    task = asyncio.create_task(listener.run())
    await until(lambda: ports.open_attempts == 1, what="the first open failed")
    listener.stop()
    # Only a stop that cuts the hour-long backoff short ends run() before this hang guard.
    await asyncio.wait_for(task, timeout=TIMEOUT_S)
    assert (ports.open_attempts, listener.stats.opens) == (1, 0)


async def test_stop_is_prompt_while_reading_and_closes_everything() -> None:
    ports = FakeSerialPorts()
    port = ports.plug("fake0")
    sink = MemorySink()
    listener = SerialListener("fake0", 115200, sink, open_port=ports)
    async with running(listener):
        port.feed(b'{"type": "esp"}\n')
        await until(lambda: sink.plate_messages, what="message forwarded")
    assert port.closed and sink.closed
    assert not listener.connected


async def test_failed_opens_back_off_and_a_replug_is_picked_up() -> None:
    ports = FakeSerialPorts()
    first = ports.plug("fake0")
    sink = MemorySink()
    listener = SerialListener("fake0", 115200, sink, open_port=ports, backoff=quick_backoff())
    async with running(listener):
        first.unplug()
        await until(lambda: not listener.connected, what="closed")
        attempts = ports.open_attempts
        await until(lambda: ports.open_attempts >= attempts + 3, what="several failed reopens")
        second = ports.plug("fake0")
        await until(lambda: listener.connected, what="reopened")
        second.feed(b'{"bvp": 1, "temperature": 30, "acceleration": {"x": 0, "y": 0, "z": 1}}\n')
        await until(lambda: sink.readings, what="reading after the replug")
    assert listener.stats.reconnects == 1


def test_backoff_doubles_to_the_cap_and_resets() -> None:
    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    backoff.reset()
    assert backoff.next_delay() == 0.5


class _BrokenSink(Sink):
    async def reading(self, message: JSONDict) -> None:
        raise ForwardError("server unreachable")

    async def plate_message(self, message: JSONDict) -> None:
        raise RuntimeError("a bug in a sink")


async def test_sink_refusals_and_failures_are_counted_never_fatal() -> None:
    ports = FakeSerialPorts()
    port = ports.plug("fake0")
    memory = MemorySink()
    listener = SerialListener("fake0", 115200, memory, open_port=ports)
    async with running(listener):
        port.feed(b'{"type": "esp", "refuse": 1}\n{"done": true}\n')
        await until(lambda: memory.plate_messages, what="forwarded")
    assert (listener.stats.rejected, listener.stats.forwarded) == (1, 1)

    port = ports.plug("fake0")
    broken = SerialListener("fake0", 115200, _BrokenSink(), open_port=ports)
    async with running(broken):
        port.feed(b'{"bvp": 1}\n{"done": true}\n{"bvp": 2}\n')
        await until(lambda: broken.stats.failed == 3, what="three failures")
        assert broken.connected


async def test_commands_go_back_to_the_device_as_json_lines() -> None:
    ports = FakeSerialPorts()
    port = ports.plug("fake0")
    sink = MemorySink()
    listener = SerialListener("fake0", 115200, sink, open_port=ports)
    async with running(listener):
        assert sink.link is not None
        await sink.link.send({"cmd": "start", "session_id": 3})
    await sink.link.send({"cmd": "stop"})  # port closed: dropped and logged, no error
    assert bytes(port.written) == b'{"cmd":"start","session_id":3}\n'
    assert listener.stats.sent == 1
