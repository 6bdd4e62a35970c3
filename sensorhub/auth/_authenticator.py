"""From a presented token to a ``Principal``: the API token, or a device token found by hash."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sensorhub.auth._principal import FULL_ACCESS, Principal
from sensorhub.auth._tokens import hash_token
from sensorhub.errors import Unauthorized

# Token hash → the device it belongs to, or None when no such token is active.
DeviceLookup = Callable[[str], Awaitable[str | None]]

# Our tokens are 43 characters; a longer string is not worth hashing.
MAX_TOKEN_CHARS = 512


def presented_token(
    *, authorization: str | None = None, query_token: str | None = None, auth: Any = None
) -> Any:
    """The token a client presented: Socket.IO's ``auth={"token": …}``, else
    ``Authorization: Bearer …``, else ``?token=`` (firmware that cannot set headers)."""
    if isinstance(auth, dict) and "token" in auth:
        return auth["token"]
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return query_token


class Authenticator:
    """Auth is on when an API token is set; off, every client has full access (as the seeds).

    Device tokens are looked up in storage by hash the first time they are seen, so a token
    created while the server runs works at once. A token found valid is trusted for
    ``cache_s`` seconds, then looked up again: a revocation takes effect on new requests and
    connections within ``cache_s`` (docs/security.md).
    """

    def __init__(
        self,
        api_token: str | None,
        lookup: DeviceLookup,
        *,
        cache_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_hash = hash_token(api_token) if api_token else None
        self._lookup = lookup
        self._cache_s = cache_s
        self._clock = clock
        self._valid: dict[str, tuple[str, float]] = {}  # hash → (device_id, when checked)

    @property
    def enabled(self) -> bool:
        return self._api_hash is not None

    async def authenticate(self, token: Any) -> Principal:
        """The principal ``token`` stands for; ``Unauthorized`` when auth is on and it is none."""
        if self._api_hash is None:
            return FULL_ACCESS
        if not isinstance(token, str) or not token:
            raise Unauthorized("a token is required: send Authorization: Bearer <token>")
        if len(token) > MAX_TOKEN_CHARS:
            raise Unauthorized("the token is not valid")
        digest = hash_token(token)
        # Comparing hashes in constant time: neither the API token nor its length leaks.
        if hmac.compare_digest(digest, self._api_hash):
            return FULL_ACCESS
        device_id = await self._device_for(digest)
        if device_id is None:
            raise Unauthorized("the token is not valid (unknown or revoked)")
        return Principal(device_id)

    async def _device_for(self, digest: str) -> str | None:
        # A dict lookup by hash is not constant-time, but what it could leak is the hash of
        # a token, from which the token cannot be found.
        now = self._clock()
        cached = self._valid.get(digest)
        if cached is not None and now - cached[1] < self._cache_s:
            return cached[0]
        device_id = await self._lookup(digest)
        if device_id is None:
            self._valid.pop(digest, None)
        else:
            self._valid[digest] = (device_id, now)
        return device_id
