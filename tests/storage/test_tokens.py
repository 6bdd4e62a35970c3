"""Device tokens in storage (SQLite and PostgreSQL): only hashes, found while active."""

from __future__ import annotations

from sqlalchemy import text

from sensorhub.auth import hash_token, new_token
from sensorhub.storage import Storage, TokenRecord


async def test_a_token_is_found_by_hash_until_revoked(storage: Storage) -> None:
    token = new_token()
    token_id = await storage.tokens.create("plate-1", hash_token(token), 100.0)
    assert await storage.tokens.device_for(hash_token(token)) == "plate-1"
    assert await storage.tokens.device_for(hash_token(new_token())) is None

    assert await storage.tokens.revoke(token_id, 200.0) is True
    assert await storage.tokens.device_for(hash_token(token)) is None
    assert await storage.tokens.revoke(token_id, 300.0) is False  # already revoked
    assert await storage.tokens.revoke(token_id + 1, 300.0) is False  # no such token
    assert await storage.tokens.all() == [TokenRecord(token_id, "plate-1", 100.0, 200.0)]


async def test_only_the_hash_is_stored(storage: Storage) -> None:
    token = new_token()
    await storage.tokens.create("wrist-1", hash_token(token), 100.0)
    with storage.engine.connect() as conn:
        [row] = conn.execute(text("SELECT * FROM device_tokens")).all()
    assert token not in {str(value) for value in row}
    assert hash_token(token) in set(row)
