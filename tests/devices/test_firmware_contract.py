"""The ESP32 sketches in firmware/ speak the server's contracts (issue 6, item 5).

Each function that builds a message is preceded by a ``// wire: [event=NAME] {json}`` line.
For every one this checks that the example passes the server's own parsers, that the keys
the code writes (``doc["key"]``) are exactly the example's keys, that string values the
code writes match it, and that a Socket.IO event name is the one the server dispatches on.
The sketches are not compiled here; a mutation test shows the checks catch real slips.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sensorhub.api import ROUTERS
from sensorhub.contracts import ReadingIn
from sensorhub.errors import SensorhubError
from sensorhub.mqtt import TOPIC_KINDS
from sensorhub.realtime.messages import Register, kind_of, parse_samples
from sensorhub.signals import SignalBatchIn
from sensorhub.wire import COMMAND, FORCE_PLATE_EVENTS, MAX_SAMPLES_PER_MESSAGE, WEBSOCKET_PATH

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
SOCKETIO = FIRMWARE / "forceplate_socketio" / "forceplate_socketio.ino"
WEBSOCKET = FIRMWARE / "forceplate_websocket" / "forceplate_websocket.ino"
WEARABLE = FIRMWARE / "wearable_http" / "wearable_http.ino"
SIGNALS = FIRMWARE / "wearable_signals" / "wearable_signals.ino"
MQTT = FIRMWARE / "forceplate_mqtt" / "forceplate_mqtt.ino"

MARKER = re.compile(r"^// (wire|wire-in): (?:event=(\w+) )?(\{.*\})\s*$", re.MULTILINE)
# Comments and string/char literals, blanked out before matching braces.
NOISE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?\*/', re.DOTALL)
KEY = re.compile(r'\[\s*"([^"]+)"\s*\]')
STRING_VALUE = re.compile(r'\[\s*"([^"]+)"\s*\]\s*=\s*"([^"]*)"')
DEVICE_ID = re.compile(r'const char\*\s+DEVICE_ID\s*=\s*"([^"]*)"')


@dataclass(frozen=True)
class Wire:
    direction: str  # "wire" (device → server) or "wire-in" (server → device)
    event: str | None  # Socket.IO event name, None on /ws and HTTP
    example: dict[str, Any]
    code: str  # the function right after the marker, comments removed

    @property
    def keys_written(self) -> set[str]:
        return set(KEY.findall(self.code))

    @property
    def strings_written(self) -> dict[str, str]:
        return dict(STRING_VALUE.findall(self.code))


def wires(source: str) -> list[Wire]:
    found = []
    for match in MARKER.finditer(source):
        direction, event, example = match.groups()
        body = _function_after(source, match.end())
        code = re.sub(r"//[^\n]*", "", body)
        found.append(Wire(direction, event, json.loads(example), code))
    return found


def _function_after(source: str, start: int) -> str:
    masked = NOISE.sub(lambda m: " " * len(m.group()), source)
    opening = masked.index("{", start)
    depth = 0
    for index in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[index], 0)
        if depth == 0:
            return source[start : index + 1]
    raise AssertionError("unbalanced braces after a wire: marker")


def example_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in example_keys(v)}
    if isinstance(value, list):
        return {k for item in value for k in example_keys(item)}
    return set()


def example_strings(value: Any) -> set[tuple[str, str]]:
    if isinstance(value, dict):
        pairs = {(k, v) for k, v in value.items() if isinstance(v, str)}
        return pairs | {p for v in value.values() for p in example_strings(v)}
    if isinstance(value, list):
        return {p for item in value for p in example_strings(item)}
    return set()


# --- what the server accepts -------------------------------------------------------------


def check_plate_message(wire: Wire, source: str) -> str:
    kind = kind_of(wire.example)  # raises for an object the server cannot place
    if kind == "register":
        request = Register.model_validate(wire.example)
        assert request.type == "esp", "a plate registers as an esp"
        configured = DEVICE_ID.search(source)
        assert configured is not None and configured.group(1) == request.device_id
    elif kind == "samples":
        valid, problems = parse_samples(wire.example)
        assert problems == [] and len(valid) == len(wire.example["samples"]) > 0, problems
    elif kind == "done":
        assert wire.example == {"done": True}
    else:
        raise AssertionError(f"a plate does not send {kind!r}")
    return kind


def check_code_matches_example(wire: Wire) -> None:
    assert wire.keys_written == example_keys(wire.example), (
        f"code writes {sorted(wire.keys_written)}, the contract has "
        f"{sorted(example_keys(wire.example))}"
    )
    for key, value in wire.strings_written.items():
        assert (key, value) in example_strings(wire.example), f'{key} = "{value}"'


def check_plate_sketch(source: str, *, socketio: bool) -> None:
    outgoing = [w for w in wires(source) if w.direction == "wire"]
    kinds = []
    for wire in outgoing:
        kind = check_plate_message(wire, source)
        check_code_matches_example(wire)
        if socketio:
            # The server takes a named event's kind from its name (or from the keys for
            # "message"), so the name must be the kind itself.
            assert wire.event == kind and wire.event in FORCE_PLATE_EVENTS, wire.event
            assert re.search(rf'emitEvent\("{wire.event}"', wire.code), "emits another event"
        else:
            assert wire.event is None
        kinds.append(kind)
    assert sorted(kinds) == ["done", "register", "samples"]
    check_commands(source, socketio=socketio)
    batch = re.search(r"BATCH_SIZE\s*=\s*(\d+)", source)
    assert batch is not None and 0 < int(batch.group(1)) <= MAX_SAMPLES_PER_MESSAGE


def check_commands(source: str, *, socketio: bool) -> None:
    [handler] = [w for w in wires(source) if w.direction == "wire-in"]
    # What the test recorder sends an esp: {"cmd": "start"|"stop", "session_id": n}.
    assert set(handler.example) == {"cmd", "session_id"}
    assert handler.keys_written == {"cmd"}
    assert '"start"' in handler.code and '"stop"' in handler.code
    stop = handler.code[handler.code.index('"stop"') :]
    assert stop.index("doneOwed = true;") < stop.index("settleStop();"), "a stop owes done"
    check_stop_survives_a_reconnect(source)
    if socketio:
        assert handler.event == COMMAND
        assert f'strcmp(name, "{COMMAND}")' in source


def check_stop_survives_a_reconnect(source: str) -> None:
    """A stop's flush and done are owed until the link took both (each send says whether it
    went out), and are paid after a reconnect, once the plate has registered again."""
    settle = re.search(r"void settleStop\(\) \{\n(.*?)\n\}", source, re.DOTALL)
    assert settle is not None, "no settleStop()"
    assert re.search(
        r"if \(sendSamples\(\) && sendDone\(\)\) \{\s*doneOwed = false;", settle.group(1)
    ), "done is owed until the flush and the done both went out"
    forgiven = re.findall(r"^\s+doneOwed = false;", source, re.MULTILINE)
    assert len(forgiven) == 1, "nothing else forgives a stop"
    assert re.search(r"sendRegister\(\);[^\n]*\n\s*settleStop\(\);", source), (
        "a reconnect registers, then sends what a stop still owes"
    )
    assert re.search(r"void loop\(\) \{[^}]*settleStop\(\);", source), "retried in loop()"
    assert re.search(r"if \(batchCount == BATCH_SIZE && !sendSamples\(\)\)", source), (
        "a full batch that did not go out is kept, not overrun"
    )


# --- the sketches ------------------------------------------------------------------------


def check_socketio_sketch(source: str) -> None:
    check_plate_sketch(source, socketio=True)
    # Engine.IO 4 on the seed's path, and the explicit join of the default namespace ("40").
    assert re.search(r'socketIO\.begin\([^;]*"/socket\.io/\?EIO=4"\)', source)
    assert 'socketIO.send(sIOtype_CONNECT, "/")' in source


def test_socketio_sketch_matches_the_force_plate_contract() -> None:
    check_socketio_sketch(SOCKETIO.read_text())


def test_websocket_sketch_matches_the_force_plate_contract() -> None:
    source = WEBSOCKET.read_text()
    check_plate_sketch(source, socketio=False)
    [path] = re.findall(r'webSocket\.begin\([^;]*"(/[^"]*)"\)', source)
    assert path == WEBSOCKET_PATH


def test_mqtt_sketch_matches_the_force_plate_contract() -> None:
    source = MQTT.read_text()
    outgoing = [w for w in wires(source) if w.direction == "wire"]
    for wire in outgoing:
        check_code_matches_example(wire)
    # No register over MQTT: the topic names the plate.
    assert sorted(check_plate_message(w, source) for w in outgoing) == ["done", "samples"]
    [handler] = [w for w in wires(source) if w.direction == "wire-in"]
    assert set(handler.example) == {"cmd", "session_id"} and handler.keys_written == {"cmd"}
    stop = source[source.index("if (stopRequested)") :]
    assert stop.index("sendSamples()") < stop.index("sendDone()"), "flush before done"
    published = set(re.findall(r'esp_mqtt_client_publish\(mqtt, topic\("(\w+)"\)', source))
    subscribed = set(re.findall(r'esp_mqtt_client_subscribe\(mqtt, topic\("(\w+)"\)', source))
    assert published == {"samples"} and published <= set(TOPIC_KINDS)
    assert subscribed == {"cmd", "status", "error"}
    assert re.search(r"esp_mqtt_client_publish\([^;]*, 1, 0\);", source), "QoS 1, not retained"


def test_wearable_sketch_posts_readings_the_server_accepts() -> None:
    source = WEARABLE.read_text()
    [wire] = wires(source)
    reading = ReadingIn.model_validate(wire.example)
    check_code_matches_example(wire)
    configured = DEVICE_ID.search(source)
    assert configured is not None and configured.group(1) == reading.device_id
    assert 'http.addHeader("Content-Type", "application/json")' in wire.code
    posts = {
        route.path  # type: ignore[attr-defined]
        for router in ROUTERS
        for route in router.routes
        if "POST" in getattr(route, "methods", set())
    }
    assert _posted_path(source) in posts


def _posted_path(source: str) -> str | None:
    url = re.search(r'SERVER_URL\s*=\s*"http://[^/"]+(/[^"]*)"', source)
    return url.group(1) if url else None


def _constant(source: str, name: str) -> int:
    found = re.search(rf"const int {name} = (\d+);", source)
    assert found is not None, name
    return int(found.group(1))


def test_signals_sketch_posts_batches_the_server_accepts_with_a_boot_id() -> None:
    source = SIGNALS.read_text()
    [wire] = wires(source)
    batch = SignalBatchIn.model_validate(wire.example).to_batch()
    check_code_matches_example(wire)
    configured = DEVICE_ID.search(source)
    assert configured is not None and configured.group(1) == batch.device_id
    assert batch.boot and 'doc["boot"] = boot;' in wire.code
    assert "esp_random()" in source, "a boot id picked at random at each power-up"
    assert "uint32_t nextSeq = 1;" in source, "seq from 1 at each boot"
    # A 1 s batch at the rates the signals contract names (docs/signals.md).
    rates = {name: _constant(source, name) for name in ("BVP_HZ", "TEMPERATURE_HZ", "ACC_HZ")}
    assert rates == {"BVP_HZ": 64, "TEMPERATURE_HZ": 4, "ACC_HZ": 32}
    assert _constant(source, "BATCH_MS") == 1000
    # Bounded, oldest first, drops counted.
    assert _constant(source, "BUFFERED_BATCHES") > 0
    keep = source[source.index("void keep(") :]
    assert keep.index("dropped++") < keep.index("buffer[(head + count)")
    assert "buffer[head]" in source[source.index("bool sendOldest(") :]
    assert _posted_path(source) == "/api/wearable/signals"


MUTATIONS = [
    ('sample["l"]', 'sample["left"]'),  # a field renamed in code
    ('"l":-51234', '"left":-51234'),  # ... or only in the documented example
    ('doc["type"] = "esp"', 'doc["type"] = "device"'),  # an unknown role
    ('emitEvent("samples", doc)', 'emitEvent("sample", doc)'),  # an event the server ignores
    ('doc["done"] = true;', 'doc["finished"] = true;'),
    ('"/socket.io/?EIO=4"', '"/socket.io/?EIO=3"'),
    ('socketIO.send(sIOtype_CONNECT, "/");', ""),  # never joins the namespace
    ("sendSamples() && sendDone()", "sendDone() && sendSamples()"),  # done before the flush
    ("    doneOwed = true;\n", ""),  # a stop that owes nothing
    ("  if (sendSamples() && sendDone()) {\n    doneOwed = false;\n  }", "  doneOwed = false;"),
    ("        sendRegister();\n        settleStop();", "        sendRegister();"),  # reconnect
]


@pytest.mark.parametrize(("before", "after"), MUTATIONS)
def test_the_checks_catch_a_sketch_that_breaks_the_contract(before: str, after: str) -> None:
    source = SOCKETIO.read_text()
    assert before in source
    # pydantic's ValidationError is a ValueError; the server's parsers raise SensorhubError.
    with pytest.raises((AssertionError, ValueError, SensorhubError)):
        check_socketio_sketch(source.replace(before, after, 1))
