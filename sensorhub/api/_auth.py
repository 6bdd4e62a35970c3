"""Tokens over HTTP: which principal a request speaks for, as FastAPI dependencies.

``Authorization: Bearer <token>`` or ``?token=<token>``; both are declared as security schemes,
so the OpenAPI document (and Swagger UI's Authorize button) shows them. The rules themselves
live in ``sensorhub.auth``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from sensorhub.api._deps import ServicesDep
from sensorhub.auth import FULL_ACCESS, Principal

_bearer = HTTPBearer(
    auto_error=False,
    description="The API token (apps, dashboards) or a device token; needed when auth is on.",
)
_query = APIKeyQuery(
    name="token",
    auto_error=False,
    description="The same token as a query parameter, for firmware that cannot set headers.",
)


async def authenticate(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    query_token: Annotated[str | None, Depends(_query)],
) -> Principal:
    """The request's principal; ``Unauthorized`` (401) when auth is on and it has none."""
    token = bearer.credentials if bearer else query_token  # the header wins, as on sockets
    return await services.auth.authenticate(token)


PrincipalDep = Annotated[Principal, Depends(authenticate)]


async def require_manage(principal: PrincipalDep) -> None:
    """For every route but sending data: a device token gets 403."""
    principal.require_manage()


# For ``APIRouter(dependencies=...)``: the whole router is the API token's.
MANAGE = [Depends(require_manage)]


def bind_auth(app: FastAPI, enabled: bool) -> None:
    """With auth off, no header is even read: every request has full access at once."""

    async def full_access() -> Principal:
        return FULL_ACCESS

    if not enabled:
        app.dependency_overrides[authenticate] = full_access
