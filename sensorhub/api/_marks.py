"""Marks on routes (``openapi_extra``) that the ASGI layers read back from the OpenAPI document
once every route is in: what the document shows is what they enforce."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import compile_path

# A route a device token may call: it sends that device's data, nothing else.
DEVICE_SENDS: dict[str, Any] = {"x-device-token": True}


def marked_paths(
    openapi: dict[str, Any], method: str, mark: dict[str, Any]
) -> list[re.Pattern[str]]:
    """Path patterns of the ``method`` routes that carry ``mark``."""
    [(key, value)] = mark.items()
    return [
        compile_path(path)[0]
        for path, operations in openapi["paths"].items()
        if operations.get(method.lower(), {}).get(key) == value
    ]
