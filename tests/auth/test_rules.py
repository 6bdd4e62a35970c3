"""The rules in one place: tokens, hashing, principals and the authenticator, without a server."""

from __future__ import annotations

import hashlib

import pytest

from sensorhub.auth import (
    FULL_ACCESS,
    Authenticator,
    Principal,
    hash_token,
    listens_beyond_loopback,
    new_token,
    presented_token,
)
from sensorhub.errors import Forbidden, Unauthorized

API_TOKEN = "an-api-token-of-some-length"


def test_new_tokens_carry_256_random_bits_url_safe() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert len(token) == 43  # 32 bytes as unpadded base64url
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_hash_is_sha256_hex_and_takes_any_string() -> None:
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(hash_token("\ud800")) == 64  # a lone surrogate from JSON must not crash


def test_a_device_may_send_only_as_itself_and_manage_nothing() -> None:
    device = Principal("plate-1")
    assert device.may_send_as("plate-1") and not device.may_send_as("plate-2")
    assert not device.may_manage()
    with pytest.raises(Forbidden, match="readings\\[2\\].device_id: .*'plate-1', not 'plate-2'"):
        device.require_send_as("plate-2", "readings[2].device_id")
    with pytest.raises(Forbidden, match="only send that device's data"):
        device.require_manage()


def test_the_api_may_do_everything() -> None:
    assert FULL_ACCESS.may_manage() and FULL_ACCESS.may_send_as("anything")
    FULL_ACCESS.require_manage()
    FULL_ACCESS.require_send_as("plate-9")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"auth": {"token": "a"}, "authorization": "Bearer b", "query_token": "c"}, "a"),
        ({"authorization": "Bearer b", "query_token": "c"}, "b"),
        ({"authorization": "bearer  b ", "query_token": "c"}, "b"),
        ({"authorization": "Basic b", "query_token": "c"}, "c"),
        ({"query_token": "c"}, "c"),
        ({}, None),
    ],
)
def test_presented_token_order_auth_payload_then_header_then_query(
    given: dict[str, object], expected: str | None
) -> None:
    assert presented_token(**given) == expected  # type: ignore[arg-type]


class FakeTokens:
    """Device tokens by hash, counting lookups, with a clock the test moves."""

    def __init__(self) -> None:
        self.devices: dict[str, str] = {}
        self.lookups = 0
        self.now = 1000.0

    async def lookup(self, digest: str) -> str | None:
        self.lookups += 1
        return self.devices.get(digest)

    def authenticator(self, api_token: str | None = API_TOKEN) -> Authenticator:
        return Authenticator(api_token, self.lookup, cache_s=5.0, clock=lambda: self.now)


async def test_auth_off_gives_full_access_to_anyone() -> None:
    tokens = FakeTokens()
    auth = tokens.authenticator(api_token=None)
    assert not auth.enabled
    assert await auth.authenticate(None) is FULL_ACCESS
    assert await auth.authenticate("whatever") is FULL_ACCESS
    assert tokens.lookups == 0


@pytest.mark.parametrize("token", [None, "", 42, ["x"], "wrong-token", "x" * 10_000])
async def test_auth_on_refuses_anything_but_a_valid_token(token: object) -> None:
    auth = FakeTokens().authenticator()
    with pytest.raises(Unauthorized):
        await auth.authenticate(token)


async def test_api_token_gives_full_access_without_a_lookup() -> None:
    tokens = FakeTokens()
    assert await tokens.authenticator().authenticate(API_TOKEN) is FULL_ACCESS
    assert tokens.lookups == 0


async def test_device_token_found_at_once_then_trusted_for_cache_s() -> None:
    tokens = FakeTokens()
    auth = tokens.authenticator()
    token = new_token()
    tokens.devices[hash_token(token)] = "wrist-1"  # created while the server runs
    assert await auth.authenticate(token) == Principal("wrist-1")
    del tokens.devices[hash_token(token)]  # revoked
    tokens.now += 4.9
    assert await auth.authenticate(token) == Principal("wrist-1")  # still trusted
    assert tokens.lookups == 1
    tokens.now += 0.2
    with pytest.raises(Unauthorized, match="unknown or revoked"):
        await auth.authenticate(token)
    assert tokens.lookups == 2


@pytest.mark.parametrize(
    ("host", "beyond"),
    [("0.0.0.0", True), ("192.168.1.5", True), ("::", True), ("gym-server", True),
     ("127.0.0.1", False), ("127.0.1.1", False), ("::1", False), ("localhost", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, beyond: bool) -> None:
    assert listens_beyond_loopback(host) is beyond
