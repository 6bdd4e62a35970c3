"""An MQTT device for the tests: paho-mqtt (MQTT v5), QoS 1, every message it receives kept."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tests._mosquitto import Broker
from tests._server import wait_for

TIMEOUT_S = 10.0


class Device:
    def __init__(self, broker: Broker, device_id: str) -> None:
        self.device_id = device_id
        self.received: queue.Queue[tuple[str, Any, bool]] = queue.Queue()
        self.acked: set[int] = set()  # mids the broker sent PUBACK for
        self._lock = threading.Lock()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self._subscribed = threading.Event()
        self.client.reconnect_delay_set(1, 2)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        self.client.subscribe([(self.topic(kind), 1) for kind in ("cmd", "status", "error")])
        assert self._subscribed.wait(TIMEOUT_S), "the broker did not confirm the subscription"

    def topic(self, kind: str) -> str:
        return f"sensorhub/{self.device_id}/{kind}"

    def publish(self, kind: str, payload: Any, *, token: str | None = None) -> int:
        """Publish at QoS 1 (JSON unless ``payload`` is bytes); returns the message id."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        properties = None
        if token is not None:  # the MQTT v5 way to send it (a "token" field works too)
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.UserProperty = ("token", token)
        info = self.client.publish(self.topic(kind), body, qos=1, properties=properties)
        return info.mid

    def sent_and_acked(self, kind: str, payload: Any, **options: Any) -> None:
        """Publish and wait for the *broker's* PUBACK (sensorhub acknowledges to the broker)."""
        mid = self.publish(kind, payload, **options)
        wait_for(lambda: mid in self.acked, timeout=TIMEOUT_S)

    def expect(
        self, kind: str, match: Callable[[Any], bool] = lambda _: True, timeout: float = TIMEOUT_S
    ) -> Any:
        """The next message on this device's ``kind`` topic that ``match``es (others skipped)."""
        wait_for(lambda: self._take(kind, match), timeout=timeout)
        return self._found

    def _take(self, kind: str, match: Callable[[Any], bool]) -> bool:
        while True:
            try:
                topic, payload, retained = self.received.get_nowait()
            except queue.Empty:
                return False
            if topic == self.topic(kind) and match(payload):
                self._found = payload
                self.retained = retained
                return True

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_message(self, _: Any, __: Any, message: mqtt.MQTTMessage) -> None:
        self.received.put((message.topic, json.loads(message.payload), bool(message.retain)))

    def _on_subscribe(self, *_: Any) -> None:
        self._subscribed.set()

    def _on_publish(self, _: Any, __: Any, mid: int, reason: Any, ___: Any) -> None:
        if not reason.is_failure:
            with self._lock:
                self.acked.add(mid)


@contextmanager
def device(broker: Broker, prefix: str = "dev") -> Iterator[Device]:
    client = Device(broker, f"{prefix}-{uuid.uuid4().hex[:8]}")
    try:
        yield client
    finally:
        client.close()
