"""Topic names and the broker URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sensorhub.errors import ConfigError, ValidationError

PREFIX = "sensorhub"
# What devices publish; each kind has a handler in ``_handlers.HANDLERS``.
TOPIC_KINDS = ("reading", "signals", "samples")
# What the server publishes.
CMD = "cmd"
STATUS = "status"
ERROR = "error"
DEFAULT_PORT = 1883


def device_topic(device_id: str, kind: str) -> str:
    return f"{PREFIX}/{device_id}/{kind}"


def subscriptions() -> list[str]:
    return [device_topic("+", kind) for kind in TOPIC_KINDS]


def parse_topic(topic: str) -> tuple[str, str]:
    """``sensorhub/<device_id>/<kind>`` → (device_id, kind); the id is validated later."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in TOPIC_KINDS:
        raise ValidationError(f"topic {topic!r}: expected {PREFIX}/<device_id>/<kind>")
    return parts[1], parts[2]


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None
    password: str | None


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://[user[:password]@]host[:port]``; one line naming the problem otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "mqtt" or not parts.hostname:
        raise ConfigError(f"--mqtt must look like mqtt://host:1883, not {parts.scheme}://…")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ConfigError(f"--mqtt: {exc}") from exc
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return BrokerAddress(parts.hostname, port, username, password)
