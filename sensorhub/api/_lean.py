"""A route class for hot JSON-body routes: FastAPI documents them, well-formed requests skip
its per-request machinery (bench/README.md has the profile that asked for it)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from sensorhub.api._deps import get_services

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class LeanJSONRoute(APIRoute):
    """For endpoints ``(body: SomeModel, services: ServicesDep[, request: Request])`` and
    nothing else.

    The endpoint's signature makes the OpenAPI document as on any route. A request whose
    body is declared JSON and validates goes straight to the endpoint: one
    ``model_validate_json`` pass, the services the app binds. Anything else (another content
    type, invalid JSON, a bad field, a body that cannot be read) takes FastAPI's own path, so
    every error reply stays exactly what it was. A route with any other parameter or
    dependency (say, one added later for authentication) keeps FastAPI's path altogether.
    """

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        model = self._body_model()
        if model is None:
            return standard
        endpoint = self.endpoint
        request_name = self.dependant.request_param_name
        body_name, services_name = self._names_besides(request_name)

        async def handle(request: Request) -> Response:
            if not _declares_json(request):
                return await standard(request)
            try:
                body = model.model_validate_json(await request.body())
            except Exception:  # a bad body, or one that cannot be read
                return await standard(request)  # it answers exactly as before
            arguments = {body_name: body, services_name: await get_services(request)}
            if request_name is not None:
                arguments[request_name] = request
            response: Response = await endpoint(**arguments)
            return response

        return handle

    def _names_besides(self, request_name: str | None) -> list[str]:
        """The endpoint's parameter names but the ``Request`` one: (body, services)."""
        names = inspect.signature(self.endpoint).parameters
        return [name for name in names if name != request_name]

    def _body_model(self) -> type[BaseModel] | None:
        dependant = self.dependant
        others = (
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
        )
        calls = [sub.call for sub in dependant.dependencies]
        names = self._names_besides(dependant.request_param_name)
        if any(others) or calls != [get_services] or len(dependant.body_params) != 1:
            return None
        if len(names) != 2 or not inspect.iscoroutinefunction(self.endpoint):
            return None
        model = get_type_hints(self.endpoint).get(names[0])
        return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _declares_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")
