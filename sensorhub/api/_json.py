"""A JSON response written by orjson (``sensorhub.jsonwire``), for the routes whose replies
are the hot path; every other route keeps Starlette's ``JSONResponse``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from sensorhub.jsonwire import dumps_bytes


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps_bytes(content)
