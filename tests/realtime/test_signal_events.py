"""The ``signals`` event over Socket.IO and ``/ws``: acknowledged to the sender, pushed to
dashboards with the ``features`` of the windows it completes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests._server import LiveServer
from tests.forceplate._clients import WsClient, running_server, sio_client
from tests.signals._batches import batch, new_device


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("signal-events") / "data") as live:
        yield live


def _of(device: str, seq: int | None = None) -> Any:
    return lambda data: data["device_id"] == device and (seq is None or data["seq"] == seq)


def test_socketio_batches_are_acknowledged_once_and_reach_dashboards(server: LiveServer) -> None:
    device = new_device("sio-wrist")
    with sio_client(server) as dashboard, sio_client(server) as wrist:
        dashboard.ping()  # connected and in the viewers' room
        wrist.send(batch(device, 1, 0.0, 60.0), event="signals")
        assert wrist.expect("signals_ack", _of(device, 1))["duplicate"] is False
        wrist.send(batch(device, 1, 0.0, 60.0), event="signals")
        assert wrist.expect("signals_ack", _of(device, 1))["duplicate"] is True
        wrist.send(batch(device, 2, 60.0, 5.0), event="signals")
        wrist.expect("signals_ack", _of(device, 2))
        pushed = dashboard.expect("signals", _of(device, 1))
        assert pushed["bvp"]["hz"] == 64 and len(pushed["bvp"]["values"]) == 64 * 60
        ends = [dashboard.expect("features", _of(device))["end_ms"] for _ in range(2)]
        assert ends == [60_000.0, 65_000.0]
        dashboard.ping()
        assert len(dashboard.received("signals", _of(device, 1))) == 1  # the replay: not again


def test_a_bad_socketio_batch_gets_an_error_naming_the_field(server: LiveServer) -> None:
    with sio_client(server) as wrist:
        body = batch("bad", 1, 0.0, 1.0)
        body["bvp"]["hz"] = "fast"
        wrist.send(body, event="signals")
        assert wrist.expect("error")["message"].startswith("bvp.hz")


def test_ws_batches_are_acknowledged(server: LiveServer) -> None:
    device = new_device("ws-wrist")
    client = WsClient(server.url)
    try:
        client.send(batch(device, 5, 0.0, 1.0))
        ack = client.expect_event("signals_ack")
        assert ack == {"device_id": device, "boot": None, "seq": 5, "duplicate": False,
                       "samples": 64 + 4 + 96}  # fmt: skip
        client.send(batch(device, 5, 0.0, 1.0))
        assert client.expect_event("signals_ack")["duplicate"] is True
    finally:
        client.close()
