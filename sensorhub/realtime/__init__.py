"""Real-time transports: Socket.IO events and the plain WebSocket; they call the hub."""

from sensorhub.realtime.live import LiveClients
from sensorhub.realtime.messages import MessageHandler
from sensorhub.realtime.socketio_events import register_events
from sensorhub.realtime.websocket import WebSocketClients
from sensorhub.realtime.websocket import router as websocket_router

__all__ = [
    "LiveClients",
    "MessageHandler",
    "WebSocketClients",
    "register_events",
    "websocket_router",
]
