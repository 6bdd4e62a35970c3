"""The framework's own limit for the plate stream: a bare python-socketio relay.

The same clients as the server's (``bench._esp``, ``bench._viewer``): esps ``register`` and
send ``samples`` and ``done``; every batch goes to every viewer as ``sensor_data``, and
``done`` answers ``data_complete``. Nothing is validated or stored; samples are only counted
so ``GET /api/tests/{id}`` can say how many arrived.
Run as ``python -m bench.bare_relay --port PORT``.
"""

from __future__ import annotations

import itertools
from typing import Any

import socketio
from fastapi import FastAPI

from bench._baseline import serve

VIEWERS = "viewers"

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
api = FastAPI()
_ids = itertools.count(1)
_session: dict[str, int] = {}  # device → its running test
_devices: dict[str, str] = {}  # sid → device
_counts: dict[int, int] = {}  # test → samples received


@sio.event  # type: ignore[untyped-decorator]
async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
    await sio.enter_room(sid, VIEWERS)


@sio.on("register")  # type: ignore[untyped-decorator]
async def register(sid: str, data: dict[str, Any]) -> None:
    if data.get("type") == "esp":
        _devices[sid] = data.get("device_id") or "default"
        await sio.leave_room(sid, VIEWERS)


@sio.on("samples")  # type: ignore[untyped-decorator]
async def samples(sid: str, data: dict[str, Any]) -> None:
    device_id = _devices[sid]
    session_id = _session.get(device_id)
    if session_id is not None:
        _counts[session_id] += len(data["samples"])
    frame = {"device_id": device_id, "session_id": session_id, "samples": data["samples"]}
    await sio.emit("sensor_data", frame, to=VIEWERS)


@sio.on("done")  # type: ignore[untyped-decorator]
async def done(sid: str, data: Any = None) -> None:
    device_id = _devices[sid]
    session_id = _session.pop(device_id)
    complete = {"session_id": session_id, "samples": _counts[session_id], "device_id": device_id}
    await sio.emit("data_complete", complete)


@api.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "healthy"}


@api.post("/api/start_test")
async def start_test(body: dict[str, Any]) -> dict[str, Any]:
    session_id = next(_ids)
    _session[body["device_id"]] = session_id
    _counts[session_id] = 0
    return {"status": "started", "session_id": session_id}


@api.post("/api/stop_test")
async def stop_test(body: dict[str, Any]) -> dict[str, Any]:
    return {"status": "stopping", "device_id": body["device_id"]}


@api.get("/api/tests/{test_id}")
async def test(test_id: int) -> dict[str, Any]:
    return {"status": "success", "data": {"id": test_id, "sample_count": _counts[test_id]}}


app = socketio.ASGIApp(sio, other_asgi_app=api)

if __name__ == "__main__":
    serve(app)
