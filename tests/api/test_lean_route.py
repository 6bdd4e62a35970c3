"""LeanJSONRoute: the shortcut for hot JSON routes never skips what FastAPI would enforce."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sensorhub.api._deps import ServicesDep
from sensorhub.api._lean import LeanJSONRoute


class Item(BaseModel):
    value: int


async def echo(item: Item, services: ServicesDep) -> JSONResponse:
    return JSONResponse({"value": item.value, "services": str(services)})


def refuse() -> None:
    raise HTTPException(401, "who are you?")


def app_with(router: APIRouter) -> httpx.AsyncClient:
    app = FastAPI()
    router.add_api_route("/echo", echo, methods=["POST"], route_class_override=LeanJSONRoute)
    app.include_router(router)
    # What ``bind_services`` puts on a real app: a runtime whose services are running.
    app.state.runtime = SimpleNamespace(require=lambda: "bound services")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


async def test_a_well_formed_body_reaches_the_endpoint_with_the_bound_services() -> None:
    async with app_with(APIRouter()) as client:
        reply = await client.post("/echo", json={"value": 3})
    assert reply.json() == {"value": 3, "services": "bound services"}


async def test_a_bad_body_gets_fastapis_own_answer() -> None:
    async with app_with(APIRouter()) as client:
        reply = await client.post("/echo", json={"value": "three"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "value"]


async def test_a_route_with_another_dependency_keeps_fastapis_path() -> None:
    # e.g. authentication added to the router later: the shortcut must not skip it
    async with app_with(APIRouter(dependencies=[Depends(refuse)])) as client:
        reply = await client.post("/echo", json={"value": 3})
    assert reply.status_code == 401
