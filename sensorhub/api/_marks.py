"""Marks on routes (``openapi_extra``) that the ASGI layers read from the routes themselves:
FastAPI writes each route's ``openapi_extra`` into its operation, so what the OpenAPI document
shows is what they enforce, without building the document (bench/README.md: most of a
start-up's work)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

# A route a device token may call: it sends that device's data, nothing else.
DEVICE_SENDS: dict[str, Any] = {"x-device-token": True}


def marked_paths(
    routers: Iterable[APIRouter], method: str, mark: dict[str, Any]
) -> list[re.Pattern[str]]:
    """Path patterns of the ``method`` routes of ``routers`` that carry ``mark`` (the routers
    are included as they are, without a further prefix)."""
    [(key, value)] = mark.items()
    return [
        route.path_regex
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        and method in (route.methods or ())
        and (route.openapi_extra or {}).get(key) == value
    ]
