"""The one place sensorhub relies on python-socketio/engine.io internals (a bounded send
queue per client): these fail when the libraries change how a socket gets its queue."""

from __future__ import annotations

import engineio
import socketio
from engineio.async_socket import AsyncSocket

from sensorhub import wire
from sensorhub.realtime import LiveFrameQueue, SocketIOServer
from sensorhub.realtime.socketio_server import dropped_packet, is_live_packet


def test_socketio_still_names_its_engineio_class_through_the_hook() -> None:
    plain = socketio.AsyncServer(async_mode="asgi")
    assert plain._engineio_server_class() is engineio.AsyncServer
    bounded = SocketIOServer(max_live_frames=5, async_mode="asgi")
    assert isinstance(bounded.eio, engineio.AsyncServer)
    assert type(bounded.eio) is not engineio.AsyncServer


def test_each_engineio_socket_queues_through_create_queue() -> None:
    server = SocketIOServer(max_live_frames=5, async_mode="asgi")
    socket = AsyncSocket(server.eio, "sid")
    assert isinstance(socket.queue, LiveFrameQueue)


def test_live_frames_are_told_apart_by_their_event_name() -> None:
    def emitted(event: str) -> engineio.packet.Packet:
        """What python-socketio hands engine.io for ``emit(event, {...})``."""
        encoded = socketio.packet.Packet(socketio.packet.EVENT, data=[event, {"a": 1}]).encode()
        return engineio.packet.Packet(engineio.packet.MESSAGE, data=encoded)

    events = (wire.SENSOR_DATA, wire.STREAM, wire.TEST_STATUS, wire.COMMAND, wire.DROPPED)
    assert [is_live_packet(emitted(e)) for e in events] == [True, True, False, False, False]
    assert not is_live_packet(None)  # engine.io's own end-of-queue marker
    assert not is_live_packet(engineio.packet.Packet(engineio.packet.PING))


def test_the_dropped_notice_is_a_socketio_event() -> None:
    encoded = dropped_packet(7).data
    decoded = socketio.packet.Packet(encoded_packet=encoded)
    assert decoded.data == [wire.DROPPED, {"count": 7}]
