"""How our device clients present a token to a server with auth on (docs/security.md)."""

from __future__ import annotations


def bearer_headers(token: str | None) -> dict[str, str]:
    """``Authorization: Bearer …`` when there is a token; nothing when auth is off."""
    return {"Authorization": f"Bearer {token}"} if token else {}
