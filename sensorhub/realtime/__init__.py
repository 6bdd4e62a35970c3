"""Real-time transports: Socket.IO events and the plain WebSocket; they call the hub."""

from sensorhub.realtime.live import LiveClients
from sensorhub.realtime.messages import MessageHandler
from sensorhub.realtime.socketio_events import InOrder, register_events
from sensorhub.realtime.websocket import WebSocketClients, websocket_router

__all__ = [
    "InOrder",
    "LiveClients",
    "MessageHandler",
    "WebSocketClients",
    "register_events",
    "websocket_router",
]
