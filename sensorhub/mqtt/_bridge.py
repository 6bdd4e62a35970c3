"""The broker connection: messages in, handled in order per device, acknowledged once settled.

paho-mqtt runs the connection in its own thread (reconnecting with a doubling delay); each
message crosses into the event loop, where it is handled like an HTTP request. The rule for
a QoS 1 message (docs/mqtt.md):

- stored (committed): acknowledged (PUBACK), so the broker forgets it;
- refused (bad JSON, bad values, bad token): published on ``sensorhub/<id>/error``, logged
  (at most once per device per ``LOG_EVERY_S``) and acknowledged, so it is not redelivered
  for ever;
- not storable *now* (storage unavailable, rate limited): retried here after the delay the
  error names; while the server stops, left unacknowledged, so the broker delivers it again
  to this persistent session after the restart.

A redelivery (MQTT's DUP flag) of a message already stored is recognised by its bytes and
only acknowledged: its first acknowledgement was lost with the connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sensorhub.auth import Authenticator
from sensorhub.devices import Backoff
from sensorhub.errors import SensorhubError, ValidationError
from sensorhub.hub import Hub
from sensorhub.logs import log_event
from sensorhub.mqtt._endpoints import MqttEndpoints
from sensorhub.mqtt._handlers import HANDLERS, Targets
from sensorhub.mqtt._topics import (
    ERROR,
    BrokerAddress,
    parse_broker_url,
    parse_topic,
    subscriptions,
)
from sensorhub.realtime import InOrder, MessageHandler
from sensorhub.realtime.messages import error_payload, parse_object
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    import paho.mqtt.client as mqtt

    from sensorhub.config import Settings
    from sensorhub.services import Services

logger = logging.getLogger(__name__)
_V = TypeVar("_V")

# The broker keeps this session (subscriptions, unacknowledged and queued QoS 1 messages)
# while sensorhub is away: a day covers an update or a crash found the next morning.
SESSION_EXPIRY_S = 24 * 3600
KEEPALIVE_S = 30
# Refusals of one device are logged at most this often (each one still gets its error).
LOG_EVERY_S = 10.0
# Digests of stored messages kept per device to spot redeliveries: far more than a
# broker has in flight for one client (mosquitto: 20 by default).
REMEMBERED_PER_DEVICE = 1000
# Devices whose digests and log times are kept: a club has tens; anyone on an open broker
# could invent millions of device ids, so the oldest are forgotten past this.
REMEMBERED_DEVICES = 10_000
# How long a stopping server waits for messages being handled to finish and be acknowledged.
STOP_WAIT_S = 5.0
# Messages handled at once, at most. The broker is told (MQTT 5 Receive Maximum), so it sends
# no more unacknowledged QoS 1 messages than this; a QoS 0 message arriving past it is dropped
# (and logged), as QoS 0 allows. So a flood, or a database away for long, holds about this
# many tasks (QoS 1 ones never dropped: each is owed a PUBACK once stored).
IN_FLIGHT_MAX = 200


class MqttBridge:
    def __init__(
        self,
        address: BrokerAddress,
        client_id: str,
        hub: Hub,
        messages: MessageHandler,
        auth: Authenticator,
        give_up_s: float = 3.0,
    ) -> None:
        """``give_up_s``: how long a message may wait for storage before the device is told
        (the storage timeout)."""
        self._address = address
        self._give_up_s = give_up_s
        self._client_id = client_id
        self._auth = auth
        self.endpoints = MqttEndpoints(self._publish)
        self._targets = Targets(hub, messages, self.endpoints)
        self._order = InOrder()
        self._tasks = BackgroundTasks()
        self._stored: OrderedDict[str, OrderedDict[bytes, None]] = OrderedDict()
        self._last_logged: OrderedDict[str, float] = OrderedDict()
        self._pending: dict[str, int] = {}  # messages of a sender being handled or waiting
        self._client: mqtt.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def start(self) -> None:
        import paho.mqtt.client as mqtt  # only with --mqtt: the optional dependency
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self._loop = asyncio.get_running_loop()
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,  # PUBACK only once the message is settled (module docstring)
        )
        if self._address.username is not None:
            client.username_pw_set(self._address.username, self._address.password)
        backoff = Backoff()  # paho doubles whole seconds: from 1 s up to our cap
        client.reconnect_delay_set(max(1, round(backoff.initial)), round(backoff.cap))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        properties.ReceiveMaximum = IN_FLIGHT_MAX
        client.connect_async(
            self._address.host,
            self._address.port,
            keepalive=KEEPALIVE_S,
            clean_start=False,  # resume the session: what arrived while away is delivered
            properties=properties,
        )
        client.loop_start()
        self._client = client

    async def stop(self) -> None:
        """Finish (and acknowledge) what is being handled; leave the rest to the broker."""
        self._stopping = True
        await self._tasks.wait(STOP_WAIT_S)
        await self._tasks.cancel_all()
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
        self.endpoints.disconnect_all(self._targets.messages)

    # --- paho's thread -------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _: Any, flags: Any, reason: Any, __: Any) -> None:
        if reason.is_failure:
            log_event(logger, "mqtt_refused", logging.ERROR, reason=str(reason))
            return
        log_event(logger, "mqtt_connected", session_present=bool(flags.session_present))
        client.subscribe([(topic, 1) for topic in subscriptions()])

    def _on_disconnect(self, _: Any, __: Any, ___: Any, reason: Any, ____: Any) -> None:
        if not self._stopping:
            log_event(logger, "mqtt_disconnected", logging.WARNING, reason=str(reason))

    def _on_message(self, _: Any, __: Any, message: mqtt.MQTTMessage) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._spawn, message)

    # --- the event loop ------------------------------------------------------------------

    def _spawn(self, message: mqtt.MQTTMessage) -> None:
        if self._stopping:  # unacknowledged: the broker delivers it again after restart
            return
        if message.qos == 0 and len(self._tasks) >= IN_FLIGHT_MAX:  # QoS 1: Receive Maximum
            log_event(logger, "mqtt_message_dropped", logging.WARNING, topic=message.topic[:200])
            return
        self._tasks.spawn(self._receive(message), name="mqtt-message")

    async def _receive(self, message: mqtt.MQTTMessage) -> None:
        sender = _sender(message.topic)
        self._pending[sender] = self._pending.get(sender, 0) + 1
        try:
            # Tasks reach the lock in arrival order, so one device's messages keep their order.
            async with self._order.turn(sender):
                if await self._settle(message) and message.qos > 0 and self._client is not None:
                    self._client.ack(message.mid, message.qos)
        finally:
            self._pending[sender] -= 1
            if not self._pending[sender]:  # nobody waits on its lock: drop it
                del self._pending[sender]
                self._order.forget(sender)

    async def _settle(self, message: mqtt.MQTTMessage) -> bool:
        """Store or refuse ``message``; False when it should stay unacknowledged. Not storable
        now, it is tried again as the error asks; past ``give_up_s`` the device also hears the
        error on its error topic (once), while the message stays unacknowledged."""
        told_at = time.monotonic() + self._give_up_s
        while True:
            try:
                await self._handle(message)
                return True
            except SensorhubError as exc:
                if exc.retry_after_s is None:
                    self._refuse(message.topic, exc)
                    return True
                if self._stopping:
                    return False
                if time.monotonic() >= told_at:
                    self._refuse(message.topic, exc)
                    told_at = math.inf
                await asyncio.sleep(exc.retry_after_s)  # the wait the error asks for

    async def _handle(self, message: mqtt.MQTTMessage) -> None:
        device_id, kind = parse_topic(message.topic)
        payload = parse_object(message.payload)
        token = payload.pop("token", None) or _user_property(message, "token")
        principal = await self._auth.authenticate(token)
        if payload.get("device_id", device_id) != device_id:
            raise ValidationError(f"device_id: must be the topic's device {device_id!r} or absent")
        principal.require_send_as(device_id)
        digest = hashlib.sha256(message.topic.encode() + b"\0" + message.payload).digest()
        stored = _remembered(self._stored, device_id, OrderedDict())
        if message.dup and digest in stored:
            log_event(logger, "mqtt_redelivery_skipped", device_id=device_id)
            return
        await HANDLERS[kind](self._targets, device_id, principal, payload)
        stored[digest] = None
        if len(stored) > REMEMBERED_PER_DEVICE:
            stored.popitem(last=False)

    def _refuse(self, topic: str, exc: SensorhubError) -> None:
        sender = _sender(topic)
        now = time.monotonic()
        if now - _remembered(self._last_logged, sender, -LOG_EVERY_S) >= LOG_EVERY_S:
            self._last_logged[sender] = now
            log_event(
                logger, "mqtt_message_refused", logging.WARNING, topic=topic[:200], error=exc.code
            )
        if topic.count("/") == 2:  # a topic we subscribed to: the sender listens on its own
            self._publish(f"{topic.rsplit('/', 1)[0]}/{ERROR}", _error(topic, exc), False)

    def _publish(self, topic: str, payload: JSONDict, retain: bool) -> None:
        if self._client is not None:  # paho queues it while the broker is away
            self._client.publish(topic, json.dumps(payload), qos=1, retain=retain)


def _remembered(memory: OrderedDict[str, _V], key: str, default: _V) -> _V:
    """``memory[key]`` (``default`` when new), most recently used last; the least recently
    used key is forgotten past ``REMEMBERED_DEVICES``."""
    value = memory.setdefault(key, default)
    memory.move_to_end(key)
    if len(memory) > REMEMBERED_DEVICES:
        memory.popitem(last=False)
    return value


def _error(topic: str, exc: SensorhubError) -> JSONDict:
    return {**error_payload(exc), "topic": topic}


def _sender(topic: str) -> str:
    parts = topic.split("/")
    return parts[1] if len(parts) == 3 else topic


def _user_property(message: mqtt.MQTTMessage, name: str) -> str | None:
    """An MQTT v5 user property of the message (v3.1.1 messages have none)."""
    pairs = getattr(message.properties, "UserProperty", None) or []
    return next((value for key, value in pairs if key == name), None)


@asynccontextmanager
async def mqtt_bridge(settings: Settings, services: Services) -> AsyncIterator[None]:
    """With ``settings.mqtt`` set, devices on that broker for as long as this runs."""
    if settings.mqtt is None or not settings.mqtt_subscriber:
        yield
        return
    bridge = MqttBridge(
        parse_broker_url(settings.mqtt),
        settings.mqtt_client_id,
        services.hub,
        services.messages,
        services.auth,
        settings.storage_timeout_s,
    )
    services.live.attach(bridge.endpoints)
    bridge.start()
    try:
        yield
    finally:
        await bridge.stop()
        services.live.detach(bridge.endpoints)
