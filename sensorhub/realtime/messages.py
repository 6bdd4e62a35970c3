"""Force-plate messages (DESIGN §4.1), the same for Socket.IO and the plain WebSocket.

A message is a JSON object, or a JSON string holding one. Its kind comes from the event name
(``register``, ``samples``, ``done``, ``cmd``) or, for the generic ``message`` event, from its
keys. A batch with some bad samples is *filtered*: the good samples are accepted, then the
sender gets an ``error`` naming the bad ones, so one glitch never costs a whole batch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from sensorhub import wire
from sensorhub.auth import FULL_ACCESS, Authenticator, Principal
from sensorhub.contracts import DeviceId, validate
from sensorhub.errors import SensorhubError, ValidationError
from sensorhub.loadcell.session import Sample
from sensorhub.physio import SignalBatch
from sensorhub.plates import PlateDesk
from sensorhub.presence import ADMITTED, DEFAULT_DEVICE, VIEWERS, Presence, Role, esp_room
from sensorhub.signals import SignalBatchIn
from sensorhub.types import JSONDict


class Rooms(Protocol):
    """Room membership on one transport, and sending to a room (each connection is one)."""

    async def join(self, conn: str, room: str) -> None: ...

    async def leave(self, conn: str, room: str) -> None: ...

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None: ...


class Streams(Protocol):
    """Where accepted data goes (``sensorhub.hub.Hub``): a plate's batches and its ``done``,
    a wearable's signal batches (returning their acknowledgement)."""

    async def ingest_samples(self, device_id: str, samples: Sequence[Sample]) -> None: ...

    async def samples_done(self, device_id: str) -> None: ...

    async def ingest_signals(self, batch: SignalBatch) -> JSONDict: ...


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Register(_Message):
    type: Role = Field(description="esp, browser or flutter")
    device_id: DeviceId | None = None


class Command(_Message):
    cmd: str = Field(pattern="^(start|stop)$")
    device_id: DeviceId | None = None
    athlete: str | None = Field(None, max_length=wire.MAX_ATHLETE_CHARS, pattern=wire.TEXT_PATTERN)
    athlete_id: int | None = Field(None, strict=True, ge=1, le=2**53 - 1)
    notes: str | None = Field(None, max_length=wire.MAX_NOTES_CHARS, pattern=wire.TEXT_PATTERN)
    test_type: wire.TestTypeName = "imtp"
    drop_height_m: float | None = Field(None, gt=0, le=wire.MAX_DROP_HEIGHT_M)


def error_payload(exc: SensorhubError) -> JSONDict:
    """The ``error`` event for a refused message: ``{"message", "code"}``, and
    ``retry_after_s`` when the sender should wait (rate limits)."""
    payload: JSONDict = {"message": exc.message, "code": exc.code}
    if exc.retry_after_s is not None:
        payload["retry_after_s"] = exc.retry_after_s
    return payload


def parse_object(payload: Any) -> dict[str, Any]:
    if isinstance(payload, str | bytes):
        try:
            payload = json.loads(payload)
        except ValueError as exc:  # invalid UTF-8 too
            raise ValidationError(f"message is not valid JSON: {exc}") from exc
        except RecursionError as exc:  # thousands of nested arrays: an attack, not data
            raise ValidationError("message is nested too deeply") from exc
    if not isinstance(payload, dict):
        raise ValidationError(f"message must be a JSON object, not {type(payload).__name__}")
    return payload


def kind_of(message: dict[str, Any]) -> str:
    keys = {
        "type": wire.REGISTER,
        "samples": wire.SAMPLES,
        "done": wire.DONE,
        "cmd": wire.CMD,
        "t0": wire.SIGNALS,
    }
    for key, kind in keys.items():
        if key in message:
            return kind
    raise ValidationError(
        "unknown message: expected one of type, samples, done, cmd or t0 (signals)"
    )


def parse_samples(message: dict[str, Any]) -> tuple[list[Sample], list[str]]:
    """The valid samples in arrival order, and a description of each bad one."""
    raw = message.get("samples")
    if not isinstance(raw, list):
        raise ValidationError("samples: must be a list of {t, l, r} objects")
    if len(raw) > wire.MAX_SAMPLES_PER_MESSAGE:
        raise ValidationError(f"samples: at most {wire.MAX_SAMPLES_PER_MESSAGE} per message")
    valid: list[Sample] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        problem = _sample_problem(item)
        if problem is None:
            valid.append((item["t"], item["l"], item["r"]))
        else:
            problems.append(f"samples[{index}]{problem}")
    return valid, problems


def _sample_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return ": must be an object {t, l, r}"
    for key in ("t", "l", "r"):
        value = item.get(key)
        if key not in item:
            return f".{key}: field required"
        # bool is an int subclass in Python; true/false is never a force.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f".{key}: must be a number"
        if not _finite(value):
            return f".{key}: must be a finite number"
    return None


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer beyond any float, e.g. 1 followed by 400 zeros
        return False


class MessageHandler:
    """Turns one client's messages into test-recorder calls; see the module docstring.

    A transport hands over one connection's messages one at a time, in arrival order: a
    ``done`` must find every batch sent before it already committed.
    """

    def __init__(
        self,
        desk: PlateDesk,
        streams: Streams,
        presence: Presence,
        rooms: Rooms,
        auth: Authenticator,
    ) -> None:
        """``desk`` takes the commands, ``streams`` the data (and counts each device's
        messages against its rate)."""
        self._desk = desk
        self._streams = streams
        self._presence = presence
        self._rooms = rooms
        self._auth = auth
        self._principals: dict[str, Principal] = {}
        self._handlers: dict[str, Callable[[str, dict[str, Any]], Awaitable[None]]] = {
            wire.REGISTER: self.register,
            wire.SAMPLES: self.samples,
            wire.DONE: self.done,
            wire.CMD: self.command,
            wire.SIGNALS: self.signals,
        }

    async def admit(self, conn: str, token: Any) -> None:
        """A network client connects: ``Unauthorized`` refuses it, else it may what
        ``token`` allows."""
        await self.connected(conn, await self._auth.authenticate(token))

    async def connected(self, conn: str, principal: Principal = FULL_ACCESS) -> None:
        """``conn`` connects; a link inside the server (a USB device) has full access."""
        self._principals[conn] = principal
        self._presence.connect(conn)
        await self._rooms.join(conn, ADMITTED)
        if principal.may_manage():  # a device's connection does not watch the others
            await self._rooms.join(conn, VIEWERS)

    def disconnected(self, conn: str) -> None:
        self._principals.pop(conn, None)
        self._presence.disconnect(conn)

    async def handle(self, conn: str, payload: Any, kind: str | None = None) -> None:
        message = parse_object(payload)
        await self._handlers[kind or kind_of(message)](conn, message)

    async def register(self, conn: str, message: dict[str, Any]) -> None:
        request = validate(Register, message)
        await self._set_role(conn, request.type, request.device_id)

    async def samples(self, conn: str, message: dict[str, Any]) -> None:
        client = self._presence.get(conn)
        if client is None or client.role == "other":
            # Firmware that streams without registering first is an esp (seed behaviour).
            device_id = validate(Register, {"type": "esp", **_device(message)}).device_id
            await self._set_role(conn, "esp", device_id)
        device_id = self._esp_device(conn, "samples")
        valid, problems = parse_samples(message)
        await self._streams.ingest_samples(device_id, valid)
        if problems:
            kept = f"{len(valid)} valid sample{'s' if len(valid) != 1 else ''} kept"
            raise ValidationError(f"{'; '.join(problems[:5])} ({kept})")

    async def signals(self, conn: str, message: dict[str, Any]) -> None:
        """A wearable's batch: stored once, acknowledged with ``signals_ack`` to the sender."""
        batch = validate(SignalBatchIn, message).to_batch()
        self._principal(conn).require_send_as(batch.device_id)
        ack = await self._streams.ingest_signals(batch)
        await self._rooms.emit(wire.SIGNALS_ACK, ack, room=conn)

    async def done(self, conn: str, message: dict[str, Any]) -> None:
        await self._streams.samples_done(self._esp_device(conn, "done"))

    async def command(self, conn: str, message: dict[str, Any]) -> None:
        self._principal(conn).require_manage()
        client = self._presence.get(conn)
        if client is not None and client.role == "esp":
            raise ValidationError("esp clients do not send commands")
        request = validate(Command, message)
        named = request.device_id or (client.device_id if client else None)
        device_id = await self._desk.addressed(named)
        if request.cmd == "start":
            await self._desk.start(
                device_id,
                request.athlete,
                request.notes,
                request.athlete_id,
                request.test_type,
                request.drop_height_m,
            )
        else:
            await self._desk.stop(device_id)

    def _esp_device(self, conn: str, sends: str) -> str:
        """The device an esp streams for; only an esp sends samples or done."""
        client = self._presence.get(conn)
        device_id = client.streams_for if client else None
        if device_id is None:
            raise ValidationError(f"only esp clients send {sends}")
        return device_id

    def _principal(self, conn: str) -> Principal:
        # A connection admitted by ``connected`` has one; anything else may nothing.
        return self._principals.get(conn) or Principal("")

    async def _set_role(self, conn: str, role: Role, device_id: str | None) -> None:
        # An esp that names no device streams for the default one (seed behaviour).
        streams_for = (device_id or DEFAULT_DEVICE) if role == "esp" else None
        principal = self._principal(conn)
        if streams_for is None:
            principal.require_manage()  # watching is reading: not for a device's token
        else:
            principal.require_send_as(streams_for)
        before = self._presence.register(conn, role, streams_for or device_id)
        if before is not None and before.streams_for is not None:
            await self._rooms.leave(conn, esp_room(before.streams_for))
        if streams_for is not None:
            await self._rooms.leave(conn, VIEWERS)
            await self._rooms.join(conn, esp_room(streams_for))
            await self._desk.esp_connected(streams_for)
        else:
            await self._rooms.join(conn, VIEWERS)


def _device(message: dict[str, Any]) -> dict[str, Any]:
    return {"device_id": message["device_id"]} if "device_id" in message else {}
