"""Who may act through a browser (docs/security.md#cross-origin-rules), in front of every app.

Every request that changes state (any method but GET, HEAD and OPTIONS, and a preflight asking
for one), every WebSocket (``/ws`` and Socket.IO's) and every Socket.IO request must pass two
checks, else it gets 403 before any app sees it:

1. ``Host`` is one of this server's names (``AllowedHosts``). DNS rebinding points a hostile
   page's own name at this server: the browser then sends that name as ``Host`` and treats the
   page as same-origin, so the origin check alone cannot see it.
2. ``Origin``, when sent, is this server's own (it names the host the request went to) or is
   listed by name in ``--cors-origins``. With ``cors_origins`` ``*`` (the seeds' way, kept for
   pages and apps that read data) a page on any site may read, but not act or open a socket.

Devices and scripts send no ``Origin`` and reach the server by an address or a listed name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from sensorhub import wire
from sensorhub.api._errors import sensorhub_error_response
from sensorhub.errors import HostNotAllowed, OriginNotAllowed, SensorhubError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AllowedHosts:
    """The names a request's ``Host`` may carry (case and a trailing dot aside; ``*``: any).

    An IP address always passes: a page cannot rebind an address, since a page loaded from
    an address has that address as its origin, i.e. it is this server's own.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._names = {name.strip().lower().rstrip(".") for name in names}

    def allows(self, host: str | None) -> bool:
        if host is None:  # HTTP/1.0: no browser sends a request without Host
            return True
        name = _hostname(host)
        return name is not None and ("*" in self._names or name in self._names or _is_ip(name))


class CrossOriginGuard:
    """Pure ASGI, outermost; a read costs one comparison, anything else one header scan."""

    def __init__(self, app: ASGIApp, origins: Iterable[str], hosts: AllowedHosts) -> None:
        self.app = app
        self._configured = {_origin_key(origin) for origin in origins if origin != "*"}
        self._hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = _headers(scope)
            if _guarded(scope, headers) and (refusal := self._refusal(scope, headers)):
                await sensorhub_error_response(refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> SensorhubError | None:
        host, origin = headers.get("host"), headers.get("origin")
        if not self._hosts.allows(host):
            return HostNotAllowed(
                f"host {host} is not a name of this server: list it in --allowed-hosts"
            )
        if origin is not None and not self._allowed_origin(origin, host):
            return OriginNotAllowed(
                f"origin {origin} may not {_action(scope, headers)} {scope['path']}: only this"
                " server's own pages and origins listed in --cors-origins may"
            )
        return None

    def _allowed_origin(self, origin: str, host: str | None) -> bool:
        key = _origin_key(origin)
        # Our own pages: the Origin names the host the browser asked (scheme aside, as a
        # proxy may end TLS in front of us); that host passed the allow-list above.
        same_host = host is not None and urlsplit(key).netloc == host.lower()
        return same_host or key in self._configured


def _guarded(scope: Scope, headers: dict[str, str]) -> bool:
    if scope["type"] == "websocket" or scope["path"].startswith(wire.SOCKETIO_PATH):
        return True
    method = _method(scope["method"], headers)
    return method is not None and method not in SAFE_METHODS


def _action(scope: Scope, headers: dict[str, str]) -> str:
    if scope["type"] == "websocket":
        return "open a socket on"
    return _method(scope["method"], headers) or scope["method"]


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _method(method: str, headers: dict[str, str]) -> str | None:
    """The method asked for: the request's own, or the one a preflight asks about."""
    if method != "OPTIONS":
        return method
    requested = headers.get("access-control-request-method")
    return requested.upper() if requested else None


def _hostname(host: str) -> str | None:
    try:
        name = urlsplit("//" + host.strip()).hostname
    except ValueError:  # e.g. an unbalanced [ in an IPv6 literal
        return None
    return name.rstrip(".") if name else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _origin_key(origin: str) -> str:
    return origin.strip().lower().rstrip("/")
