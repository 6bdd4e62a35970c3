"""One connection's messages are handled in the order sent, on every transport: an esp that
sends its last batches and ``done`` back to back, without waiting, gets every batch saved."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests._server import LiveServer
from tests.forceplate._clients import (
    Sample,
    for_device,
    is_cmd,
    new_device,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    stop_test_rest,
    tlr,
    ws_esp,
)

ROUNDS = 8
BATCHES_AFTER_STOP = 12
BATCH = 100


class _Esp:
    """The two transports' esp behind one ``send``/``expect_command``."""

    def __init__(
        self, send: Callable[[dict[str, Any]], None], expect: Callable[[str], Any]
    ) -> None:
        self.send = send
        self.expect_command = expect


@pytest.fixture(params=["socketio", "websocket"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def connected_esp(server: LiveServer, device: str, transport: str) -> Iterator[_Esp]:
    if transport == "socketio":
        with sio_client(server, "esp", device) as sio:

            def send_sio(obj: dict[str, Any]) -> None:
                # Named events, as the firmware sends them: each one a task on the server.
                sio.send(obj, event="done" if "done" in obj else "samples")

            yield _Esp(send_sio, lambda cmd: sio.expect("message", is_cmd(cmd)))
    else:
        with ws_esp(server, device) as ws:
            yield _Esp(ws.send, ws.expect_command)


def test_done_sent_right_after_the_last_batches_saves_every_batch(
    live_server: LiveServer, transport: str
) -> None:
    device = new_device("order")
    with (
        sio_client(live_server, "browser") as browser,
        connected_esp(live_server, device, transport) as esp,
    ):
        for round_ in range(ROUNDS):
            response, session_id = start_test_rest(live_server, device)
            assert response.status_code == 200, response.text
            esp.expect_command("start")
            sent: list[Sample] = samples(0, BATCH)
            esp.send({"samples": sent})
            assert stop_test_rest(live_server, device).status_code == 200
            esp.expect_command("stop")
            for n in range(1, BATCHES_AFTER_STOP + 1):  # the buffered rest, no waiting
                batch = samples(n * BATCH, BATCH)
                esp.send({"samples": batch})
                sent += batch
            esp.send({"done": True})
            complete = browser.expect("data_complete", for_device(device, session_id=session_id))
            assert complete["samples"] == len(sent), f"round {round_}"
            assert tlr(samples_of(live_server, session_id)) == sent
