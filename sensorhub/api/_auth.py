"""Tokens over HTTP, as a pure ASGI layer; the rules live in ``sensorhub.auth``.

With auth on, every ``/api/`` route but ``/api/health``, and ``/metrics``, need a token
(``Authorization: Bearer`` or ``?token=``); pages, static files, ``/docs`` and ``/openapi.json``
stay open. A device token passes only to the routes marked ``DEVICE_SENDS``, whose handlers
check the device they parsed with ``principal_of(request).require_send_as``. The layer does
nothing while auth is off; it answers before routing, so a refused request costs the least.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sensorhub.api._errors import sensorhub_error_response
from sensorhub.api._marks import DEVICE_SENDS, marked_paths
from sensorhub.api._openapi import amend_openapi
from sensorhub.auth import FULL_ACCESS, Principal, presented_token
from sensorhub.errors import SensorhubError
from sensorhub.services import Runtime

PUBLIC_PATHS = frozenset({"/api/health"})
METRICS_PATH = "/metrics"  # what the server counts is the operator's: guarded like the API
SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The API token, or a device token. Needed when the server has auth on.",
    },
    "query": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "The same as a query parameter, for firmware that cannot set headers.",
    },
}


class Authentication:
    """Answers 401 (no valid token) or 403 (a device token off its routes) before routing."""

    def __init__(self, app: ASGIApp, runtime: Runtime, device_posts: list[re.Pattern[str]]) -> None:
        """``device_posts``: the paths a device token may POST to (``DEVICE_SENDS``)."""
        self.app = app
        self._runtime = runtime
        self._device_posts = device_posts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _guarded(scope["path"]):
            try:
                principal = await self._principal(scope)
            except SensorhubError as exc:
                await sensorhub_error_response(exc)(scope, receive, send)
                return
            if principal is not None:
                scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    async def _principal(self, scope: Scope) -> Principal | None:
        """The request's principal, allowed this far; None while auth is off."""
        auth = self._runtime.require().auth
        if not auth.enabled:
            return None
        principal = await auth.authenticate(_token(scope))
        if not self._device_route(scope):
            principal.require_manage()
        return principal

    def _device_route(self, scope: Scope) -> bool:
        path = scope["path"]
        return scope["method"] == "POST" and any(p.match(path) for p in self._device_posts)


def principal_of(request: Request) -> Principal:
    """Whom the request speaks for; everyone has full access while auth is off."""
    principal: Principal = request.scope.get("state", {}).get("principal", FULL_ACCESS)
    return principal


def _add_security(document: dict[str, Any]) -> None:
    """The two ways to send a token (Swagger UI's Authorize button); ``{}`` among the options:
    none is needed while auth is off."""
    document.setdefault("components", {})["securitySchemes"] = SCHEMES
    document["security"] = [{"bearer": []}, {"query": []}, {}]


def install_auth(app: FastAPI, runtime: Runtime, routers: Iterable[APIRouter]) -> None:
    """The ``Authentication`` layer at this point of ``app``'s middleware, for the routes of
    ``routers`` (as ``app`` includes them), and its document."""
    amend_openapi(app, _add_security)
    device_posts = marked_paths(routers, "POST", DEVICE_SENDS)
    app.add_middleware(Authentication, runtime=runtime, device_posts=device_posts)


def _guarded(path: str) -> bool:
    return (path.startswith("/api/") and path not in PUBLIC_PATHS) or path == METRICS_PATH


def _token(scope: Scope) -> Any:
    authorization = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
    query = parse_qs(scope["query_string"].decode("latin-1")).get("token")
    return presented_token(authorization=authorization, query_token=query[0] if query else None)
