"""Real-time transports: Socket.IO events; they translate messages into hub calls."""

from sensorhub.realtime.socketio_events import SocketIOBroadcaster, register_wearable_events

__all__ = ["SocketIOBroadcaster", "register_wearable_events"]
