"""Cross-origin safety for the routes that destroy or reconfigure (docs/security.md).

CORS alone lets every origin call every route when ``cors_origins`` is ``*`` (the seeds' way,
kept for apps and pages that read data). A web page on any site the coach visits could then
delete tests or recalibrate a plate on the LAN server. So DELETE, PATCH and PUT, and the POST
routes marked ``ORIGIN_RESTRICTED``, answer a request that carries an ``Origin`` only when it
is this server's own (same host) or one listed explicitly in ``cors_origins``: in the
preflight and on the request itself. Devices and scripts send no ``Origin`` and pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from sensorhub.api._errors import sensorhub_error_response
from sensorhub.api._marks import ORIGIN_RESTRICTED, marked_paths
from sensorhub.errors import OriginNotAllowed

RESTRICTED_METHODS = frozenset({"DELETE", "PATCH", "PUT"})
SAFE_METHODS = frozenset({"GET", "HEAD"})  # never restricted; a preflight is an OPTIONS


class CrossOriginGuard:
    """Pure ASGI, outside CORS; a GET costs one comparison, another request one header scan."""

    def __init__(
        self, app: ASGIApp, origins: Iterable[str], openapi: Callable[[], dict[str, Any]]
    ) -> None:
        self.app = app
        self._configured = {_origin_key(origin) for origin in origins if origin != "*"}
        self._restricted_posts = marked_paths(openapi(), "POST", ORIGIN_RESTRICTED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = _headers(scope)
            origin = headers.get("origin")
            if origin is not None and not self._allowed(origin, headers.get("host")):
                method = _method(scope["method"], headers)
                if method is not None and self._restricted(method, scope["path"]):
                    error = OriginNotAllowed(
                        f"origin {origin} may not {method} {scope['path']}: only this server's"
                        " own pages and origins listed in --cors-origins may"
                    )
                    await sensorhub_error_response(error)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    def _allowed(self, origin: str, host: str | None) -> bool:
        key = _origin_key(origin)
        # Our own pages: the Origin names the host the browser asked (scheme aside, as a
        # proxy may end TLS in front of us).
        same_host = host is not None and urlsplit(key).netloc == host.lower()
        return same_host or key in self._configured

    def _restricted(self, method: str, path: str) -> bool:
        if method in RESTRICTED_METHODS:
            return True
        return method == "POST" and any(r.match(path) for r in self._restricted_posts)


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _method(method: str, headers: dict[str, str]) -> str | None:
    """The method asked for: the request's own, or the one a preflight asks about."""
    if method != "OPTIONS":
        return method
    requested = headers.get("access-control-request-method")
    return requested.upper() if requested else None


def _origin_key(origin: str) -> str:
    return origin.strip().lower().rstrip("/")
