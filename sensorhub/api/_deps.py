"""FastAPI dependencies: routes receive services, never reach for globals or ``app.state``.

Routers are built once at import, so their ``ServicesDep`` names a placeholder;
``bind_services`` points it at one app's ``Runtime`` when ``create_app`` builds that app.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from sensorhub.errors import SensorhubError
from sensorhub.services import Runtime, Services


async def get_services() -> Services:
    raise SensorhubError("no services bound: build the app with server.create_app")


ServicesDep = Annotated[Services, Depends(get_services)]


def bind_services(app: FastAPI, runtime: Runtime) -> None:
    """Every ``ServicesDep`` of ``app`` receives ``runtime``'s services."""

    # async: a plain def dependency would be run in a worker thread on every request.
    async def running_services() -> Services:
        return runtime.require()

    app.dependency_overrides[get_services] = running_services


async def services_of(request: Request) -> Services:
    """The services ``ServicesDep`` would receive, for code that runs outside FastAPI's
    dependency solving (``LeanJSONRoute``)."""
    provider = request.app.dependency_overrides.get(get_services, get_services)
    services: Services = await provider()
    return services
