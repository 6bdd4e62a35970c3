"""FastAPI dependencies: routes receive services as a parameter, never reach for globals.

``create_app`` hands each app its ``Runtime`` once, on ``app.state`` (Starlette's place for
what an application holds); ``ServicesDep`` reads it back for each request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from sensorhub.services import Runtime, Services


def bind_services(app: FastAPI, runtime: Runtime) -> None:
    """Every ``ServicesDep`` of ``app`` receives ``runtime``'s services."""
    app.state.runtime = runtime


# async: a plain def dependency would be run in a worker thread on every request.
async def get_services(request: Request) -> Services:
    runtime: Runtime = request.app.state.runtime
    return runtime.require()


ServicesDep = Annotated[Services, Depends(get_services)]
