"""The Socket.IO server, its per-client send queue bounded (``realtime/sendqueue.py``).

python-socketio has no option for it: every engine.io socket queues its outgoing packets in
a queue from its server's ``create_queue()`` (public, documented), unbounded, so a client that
stops reading grows the server without limit. The one private contact is
``socketio.AsyncServer._engineio_server_class()``, the hook that names the engine.io server
class; tests/realtime/test_socketio_server.py fails if either of the two changes.
"""

from __future__ import annotations

from typing import Any

import engineio
import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from sensorhub import wire
from sensorhub.realtime.sendqueue import LiveFrameQueue


def _event_prefix(event: str) -> str:
    """How an event packet to the default namespace starts on the wire: ``2["sensor_data",``."""
    encoded = sio_packet.Packet(sio_packet.EVENT, data=[event]).encode()
    assert isinstance(encoded, str) and encoded.endswith("]")
    return encoded[:-1] + ","


LIVE_PREFIXES = tuple(_event_prefix(event) for event in wire.LIVE_EVENTS)


def is_live_packet(item: Any) -> bool:
    return (
        isinstance(item, eio_packet.Packet)
        and item.packet_type == eio_packet.MESSAGE
        and isinstance(item.data, str)
        and item.data.startswith(LIVE_PREFIXES)
    )


def dropped_packet(count: int) -> eio_packet.Packet:
    """The ``dropped`` event: ``count`` live frames were dropped before this point."""
    event = sio_packet.Packet(sio_packet.EVENT, data=[wire.DROPPED, {"count": count}])
    return eio_packet.Packet(eio_packet.MESSAGE, data=event.encode())


class SocketIOServer(socketio.AsyncServer):  # type: ignore[misc]
    """``socketio.AsyncServer`` whose clients each queue at most ``max_live_frames`` live
    frames (0: no bound)."""

    def __init__(self, *, max_live_frames: int, **options: Any) -> None:
        self.max_live_frames = max_live_frames
        super().__init__(**options)

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        max_live = self.max_live_frames

        class BoundedEngineIO(engineio.AsyncServer):  # type: ignore[misc]
            def create_queue(self, *args: Any, **kwargs: Any) -> Any:
                if args or kwargs:  # not a socket's send queue
                    return super().create_queue(*args, **kwargs)
                return LiveFrameQueue(max_live, is_live_packet, dropped_packet)

        return BoundedEngineIO
