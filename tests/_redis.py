"""A key prefix of its own in the local Redis for each test, removed afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import redis

from tests._services import require_service

# .ci/run starts this server; another one can be named in SENSORHUB_TEST_REDIS_URL.
REDIS_URL = os.environ.get("SENSORHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_prefix() -> Iterator[str]:
    """A unique ``message_queue_prefix``; its keys are deleted when the test ends."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        require_service("Redis", f"{REDIS_URL}: {type(exc).__name__}: {exc}")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
