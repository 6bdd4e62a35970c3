"""Real-time transports: Socket.IO events and the plain WebSocket; they call the hub."""

from sensorhub.realtime.fanout import (
    LocalDelivery,
    RedisDelivery,
    fanout_delivery,
    start_delivery,
    stop_delivery,
)
from sensorhub.realtime.limits import ClientLimits, ConnectionCounts
from sensorhub.realtime.live import LiveClients
from sensorhub.realtime.messages import MessageHandler
from sensorhub.realtime.sendqueue import LiveFrameQueue
from sensorhub.realtime.socketio_events import InOrder, register_events
from sensorhub.realtime.socketio_server import SocketIOServer
from sensorhub.realtime.websocket import WebSocketClients, websocket_router

__all__ = [
    "ClientLimits",
    "ConnectionCounts",
    "InOrder",
    "LiveClients",
    "LiveFrameQueue",
    "LocalDelivery",
    "MessageHandler",
    "RedisDelivery",
    "SocketIOServer",
    "WebSocketClients",
    "fanout_delivery",
    "register_events",
    "start_delivery",
    "stop_delivery",
    "websocket_router",
]
