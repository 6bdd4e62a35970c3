"""Live data reaches dashboards on every process: Socket.IO and /ws, over the message queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from sensorhub.realtime import LocalDelivery, RedisDelivery
from tests._server import LiveServer
from tests.forceplate._clients import SioClient, WsClient, for_device, samples, sio_client, tlr


def test_redis_delivery_delivers_locally_through_local_delivery() -> None:
    """realtime/fanout.py relies on python-socketio's pub/sub manager calling ``super().emit``
    for local delivery: ours must come right after it in the class order."""
    order = RedisDelivery.__mro__
    pubsub = next(cls for cls in order if cls.__name__ == "AsyncPubSubManager")
    assert order[order.index(pubsub) + 1] is LocalDelivery


@contextmanager
def dashboards(server: LiveServer) -> Iterator[tuple[SioClient, WsClient]]:
    """A Socket.IO and a /ws dashboard on ``server``, both registered when this yields."""
    dashboard = SioClient(server.url)
    board = WsClient(server.url)
    try:
        dashboard.register("browser")
        board.send({"type": "browser"})
        board.expect_event("status")  # the /ws hello: registered from here on
        yield dashboard, board
    finally:
        dashboard.close()
        board.close()


def test_reading_posted_to_one_process_reaches_dashboards_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    device_id = f"wrist-{uuid.uuid4().hex[:6]}"
    with dashboards(b) as (dashboard, board):
        dashboard.ping()
        reading = {"bvp": 0.5, "temperature": 36.1, "acceleration": {"x": 0, "y": 0, "z": 1}}
        response = httpx.post(a.url + "/api/sensor-data", json={**reading, "device_id": device_id})
        assert response.status_code == 200, response.text
        stored = response.json()["data"]
        assert dashboard.expect("stream", for_device(device_id)) == stored
        assert board.expect(lambda f: f.get("event") == "stream")["data"] == stored


def test_samples_streamed_to_one_process_reach_dashboards_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    device_id = f"plate-{uuid.uuid4().hex[:6]}"
    with dashboards(b) as (dashboard, board), sio_client(a, "esp", device_id) as esp:
        batch = samples(0, 50)
        esp.send({"samples": batch}, event="samples")
        esp.ping()
        live = dashboard.expect("sensor_data", for_device(device_id))
        assert tlr(live["samples"]) == batch
        frame = board.expect(
            lambda f: f.get("event") == "sensor_data" and f["data"]["device_id"] == device_id
        )
        assert tlr(frame["data"]["samples"]) == batch
