"""sensorhub.headtimeout relies on three attributes of uvicorn's HTTP protocol; this fails
when uvicorn changes them (tests/realtime/test_hostile_transports.py checks the behaviour)."""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.server import ServerState

from sensorhub.headtimeout import head_timeout_protocol


async def test_uvicorns_http_protocol_has_what_the_deadline_reads() -> None:
    config = uvicorn.Config(app=lambda scope, receive, send: None)
    config.load()
    protocol_class = head_timeout_protocol(1.0)
    assert issubclass(protocol_class, AutoHTTPProtocol)
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})  # type: ignore[call-arg]
    assert protocol.loop is asyncio.get_running_loop()  # type: ignore[attr-defined]
    assert protocol.cycle is None  # type: ignore[attr-defined]
    assert hasattr(protocol, "transport")
