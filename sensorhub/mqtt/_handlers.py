"""One handler per topic kind: validate, then call the hub or the plate message handler, as
HTTP and the sockets do. A new kind is one more entry in ``HANDLERS``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sensorhub import wire
from sensorhub.auth import Principal
from sensorhub.contracts import ReadingIn, validate
from sensorhub.errors import ValidationError
from sensorhub.hub import Hub
from sensorhub.mqtt._endpoints import MqttEndpoints
from sensorhub.realtime import MessageHandler
from sensorhub.signals import SignalBatchIn


@dataclass(frozen=True, slots=True)
class Targets:
    hub: Hub
    messages: MessageHandler
    endpoints: MqttEndpoints


# handler(targets, device_id of the topic, sender, the JSON object)
Handler = Callable[[Targets, str, Principal, dict[str, Any]], Awaitable[None]]


async def reading(
    targets: Targets, device_id: str, principal: Principal, message: dict[str, Any]
) -> None:
    """A wearable reading, as POST /api/sensor-data takes it."""
    stored = validate(ReadingIn, {**message, "device_id": device_id}).to_reading()
    await targets.hub.ingest_readings([stored])


async def signals(
    targets: Targets, device_id: str, principal: Principal, message: dict[str, Any]
) -> None:
    """A wearable's signal batch, as POST /api/wearable/signals takes it. A replayed ``seq``
    is only acknowledged (the hub's rule), so a redelivery is never stored twice."""
    batch = validate(SignalBatchIn, {**message, "device_id": device_id}).to_batch()
    await targets.hub.ingest_signals(batch)


async def samples(
    targets: Targets, device_id: str, principal: Principal, message: dict[str, Any]
) -> None:
    """A plate's ``{"samples": [...]}`` batch or its ``{"done": true}``, as over /ws."""
    kind = wire.SAMPLES if "samples" in message else wire.DONE if "done" in message else None
    if kind is None:
        raise ValidationError('expected {"samples": [...]} or {"done": true}')
    conn = await targets.endpoints.plate(device_id, targets.messages, principal)
    await targets.messages.handle(conn, message, kind)


HANDLERS: dict[str, Handler] = {"reading": reading, "signals": signals, "samples": samples}
