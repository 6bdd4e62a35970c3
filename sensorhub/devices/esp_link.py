"""How a simulated esp talks to the server: Socket.IO (like the seed's firmware) or /ws.

Both links register as an esp on (re)connect, send message objects, and hand commands
(``{"cmd": "start"|"stop", "session_id"}``) to a callback on their receive thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, Protocol

import socketio
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from sensorhub import wire
from sensorhub.devices._credentials import bearer_headers

CommandHandler = Callable[[dict[str, Any]], None]


class EspLink(Protocol):
    def send(self, event: str, message: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class SocketIOLink:
    """python-socketio client; reconnects by itself and registers again each time."""

    def __init__(
        self, url: str, device_id: str, on_command: CommandHandler, token: str | None = None
    ) -> None:
        self._client = socketio.Client(reconnection=True)
        register = {"type": "esp", "device_id": device_id}
        self._client.on("connect", lambda: self._client.emit(wire.REGISTER, register))
        self._client.on(wire.COMMAND, lambda data: _command(data, on_command))
        try:
            auth = {"token": token} if token else None
            self._client.connect(url, transports=["websocket"], auth=auth, wait_timeout=10)
        except socketio.exceptions.ConnectionError as exc:
            raise ConnectionError(f"{url}: {exc}") from exc

    def send(self, event: str, message: dict[str, Any]) -> None:
        if self._client.connected:  # while reconnecting, live samples have nowhere to go
            self._client.emit(event, message)

    def close(self) -> None:
        # shutdown, not disconnect: disconnect() leaves a reconnection in progress running (its
        # thread keeps the process alive after Ctrl-C); shutdown() also stops that.
        self._client.shutdown()


class WebSocketLink:
    """The plain WebSocket at ``/ws``: one JSON object per text frame."""

    def __init__(
        self, url: str, device_id: str, on_command: CommandHandler, token: str | None = None
    ) -> None:
        ws_url = url.replace("http", "ws", 1).rstrip("/") + "/ws"
        # Held open for the link's life; websockets 17 wants it entered as a context.
        self._context = ExitStack()
        self._socket: ClientConnection = self._context.enter_context(
            connect(ws_url, open_timeout=10, additional_headers=bearer_headers(token))
        )
        self._socket.send(json.dumps({"type": "esp", "device_id": device_id}))
        self._reader = threading.Thread(target=self._read, args=(on_command,), daemon=True)
        self._reader.start()

    def _read(self, on_command: CommandHandler) -> None:
        try:
            for frame in self._socket:
                _command(json.loads(frame), on_command)
        except ConnectionClosed:
            pass

    def send(self, event: str, message: dict[str, Any]) -> None:
        self._socket.send(json.dumps(message, separators=(",", ":")))

    def close(self) -> None:
        self._context.close()
        self._reader.join(timeout=5)


def _command(data: Any, on_command: CommandHandler) -> None:
    if isinstance(data, dict) and data.get("cmd") in ("start", "stop"):
        on_command(data)


def open_link(
    transport: str,
    url: str,
    device_id: str,
    on_command: CommandHandler,
    token: str | None = None,
) -> EspLink:
    links: dict[str, type[SocketIOLink] | type[WebSocketLink]] = {
        "socketio": SocketIOLink,
        "ws": WebSocketLink,
    }
    return links[transport](url, device_id, on_command, token)
