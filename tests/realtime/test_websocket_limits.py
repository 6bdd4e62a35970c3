"""The plain WebSocket refuses oversized frames without harming anyone else."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests._server import LiveServer


def test_frame_over_the_body_limit_closes_only_that_connection(live_server: LiveServer) -> None:
    url = live_server.url.replace("http://", "ws://") + "/ws"
    huge = json.dumps({"samples": [{"t": 0, "l": 0, "r": 0}] * 60_000})  # ~1.4 MB
    assert len(huge) > 1024 * 1024
    with connect(url) as bystander, connect(url) as sender:
        sender.send(huge)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                sender.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # too big
        bystander.send(json.dumps({"type": "browser"}))
        assert json.loads(bystander.recv(timeout=10))["event"] == "status"
    assert httpx.get(live_server.url + "/api/health").status_code == 200
