"""The Redis connection: imported only with ``--message-queue`` (the ``[redis]`` extra)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from sensorhub.errors import ConfigError, OwnerUnreachable

if TYPE_CHECKING:
    from redis.asyncio import Redis


async def connect(url: str) -> Redis:
    """A client for ``url``, proven reachable, or ``ConfigError`` in one line."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        raise ConfigError(f"cannot reach the message queue: {exc}") from exc
    return client


@contextmanager
def translated() -> Iterator[None]:
    """Redis errors as ours: the request can be retried once the queue is back (503)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise OwnerUnreachable(
            f"the message queue does not answer: {exc}", retry_after_s=1
        ) from exc
