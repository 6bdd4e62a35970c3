"""The Redis connection: imported only with ``--message-queue`` (the ``[redis]`` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorhub.errors import ConfigError

if TYPE_CHECKING:
    from redis.asyncio import Redis


async def connect(url: str) -> Redis:
    """A client for ``url``, proven reachable, or ``ConfigError`` in one line."""
    try:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError
    except ImportError as exc:
        raise ConfigError(
            "--message-queue needs the redis package: pip install 'sensorhub[redis]'"
        ) from exc
    client = Redis.from_url(url, decode_responses=True)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        raise ConfigError(f"cannot reach the message queue: {exc}") from exc
    return client
