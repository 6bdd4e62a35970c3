"""Tokens: generated from ``secrets``, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

# 32 random bytes: 256 bits, as base64url (43 characters) so firmware can put a token in
# ``?token=`` without escaping it.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest of ``token``: all the database keeps of a device token.

    A slow password hash (bcrypt, scrypt, argon2) makes guessing a *human-chosen* password
    from a stolen hash expensive. A 256-bit random token cannot be guessed at any hashing
    speed, so one SHA-256 protects it as well and lets the server find a token by its hash
    with one indexed lookup. ``surrogatepass``: any Python string hashes, even one a JSON
    payload filled with lone surrogates.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
