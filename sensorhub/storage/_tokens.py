"""Device tokens (hashes only): write tasks and queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from sensorhub.storage._schema import device_tokens
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored device token, without its hash."""

    id: int
    device_id: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class CreateToken(WriteTask):
    device_id: str
    token_hash: str
    created_at: float

    def run(self, conn: Connection) -> int:
        values = {
            "device_id": self.device_id,
            "token_hash": self.token_hash,
            "created_at": self.created_at,
        }
        statement = insert(device_tokens).returning(device_tokens.c.id)
        return int(conn.execute(statement, values).scalar_one())


@dataclass(frozen=True, slots=True)
class RevokeToken(WriteTask):
    """Resolves to whether an active token had that id."""

    token_id: int
    revoked_at: float

    def run(self, conn: Connection) -> bool:
        statement = (
            update(device_tokens)
            .where(device_tokens.c.id == self.token_id, device_tokens.c.revoked_at.is_(None))
            .values(revoked_at=self.revoked_at)
        )
        return conn.execute(statement).rowcount > 0


def select_tokens(conn: Connection) -> list[TokenRecord]:
    columns = (
        device_tokens.c.id,
        device_tokens.c.device_id,
        device_tokens.c.created_at,
        device_tokens.c.revoked_at,
    )
    rows = conn.execute(select(*columns).order_by(device_tokens.c.id))
    return [TokenRecord(*row) for row in rows]


def select_token_device(conn: Connection, token_hash: str) -> str | None:
    """The device of the active token with this hash, or None."""
    statement = select(device_tokens.c.device_id).where(
        device_tokens.c.token_hash == token_hash, device_tokens.c.revoked_at.is_(None)
    )
    device_id: str | None = conn.execute(statement).scalar_one_or_none()
    return device_id


class TokenStore:
    """Device tokens, by hash (``storage.tokens``; ``sensorhub.auth`` makes and checks them)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def create(self, device_id: str, token_hash: str, created_at: float) -> int:
        task = CreateToken(device_id, token_hash, created_at)
        token_id: int = await self._storage.writer.submit(task)
        return token_id

    async def revoke(self, token_id: int, revoked_at: float) -> bool:
        """Whether an active token had ``token_id``."""
        revoked: bool = await self._storage.writer.submit(RevokeToken(token_id, revoked_at))
        return revoked

    async def all(self) -> list[TokenRecord]:
        return await self._storage.read(select_tokens)

    async def device_for(self, token_hash: str) -> str | None:
        """The device of the active token with this hash, or None."""
        return await self._storage.read(select_token_device, token_hash)
