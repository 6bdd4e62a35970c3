"""The one place HTTP errors are rendered: ``{"status": "error", "message", "code"}``."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.constants import REF_PREFIX, REF_TEMPLATE
from fastapi.openapi.models import Schema
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sensorhub.api._openapi import amend_openapi
from sensorhub.contracts import ErrorResponse, describe_errors
from sensorhub.errors import SensorhubError, Unauthorized
from sensorhub.logs import log_event

logger = logging.getLogger(__name__)


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"status": "error", "message": message, "code": code}
    return JSONResponse(body, status_code=status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> tuple[int, str, str]:
    """Status, message and code for pydantic errors; the message names the first bad field."""
    first = errors[0]
    if first["type"] == "json_invalid":
        reason = first.get("ctx", {}).get("error", "invalid JSON")
        return 400, f"request body is not valid JSON: {reason}", "invalid_json"
    return 422, describe_errors(errors), "validation_error"


# What each error status means on every route that may answer it (the OpenAPI document).
_MEANINGS = {
    400: "the body is not valid JSON",
    404: "no such resource; the message says which",
    401: "auth is on and the request carries no valid token (docs/security.md)",
    403: "the token may not do this, or the origin may not call this route (docs/security.md)",
    409: "the request clashes with the device's or test's current state",
    410: "retention removed the test's raw samples (docs/operations.md#retention); "
    "the test's record says when (`samples_thinned_at`), its analysis stays",
    413: "the body is larger than the configured limit",
    415: "the body is not sent as application/json",
    422: "a parameter or field is invalid; the message names it",
    429: "too many requests from this address or device; see Retry-After",
    503: "storage is unavailable, nothing was stored; retry after Retry-After",
}
# Any route may be rate limited; a route with a JSON body may get it malformed or too large.
RATE_LIMITED = (429,)
JSON_BODY = (400, 413, 415, 422)
# Every route but /api/health: with auth on it needs a token, and a token's rights are limited.
TOKEN_REQUIRED = (401, 403)


# The body of every error: one schema in the document, which each error status refers to.
_ERROR_BODY = {"application/json": {"schema": {"$ref": f"{REF_PREFIX}ErrorResponse"}}}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: the error statuses it can answer, with our body.

    The body by reference, not as ``"model": ErrorResponse``: FastAPI builds a serializer for
    each route's each such model at start-up (~450 here: a fifth of a start-up's CPU time,
    bench/README.md), only to write this same reference into the document.
    """
    return {
        status: {"description": _MEANINGS[status], "content": _ERROR_BODY}
        for status in sorted({*statuses, *RATE_LIMITED})
    }


def install_error_handlers(app: FastAPI) -> None:
    """The handlers that render every error, and their body's schema in the document."""
    app.add_exception_handler(SensorhubError, _sensorhub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    amend_openapi(app, _add_error_body)


def _add_error_body(document: dict[str, Any]) -> None:
    """``ErrorResponse`` among the document's schemas, as FastAPI writes a model's."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorResponse.model_json_schema(mode="serialization", ref_template=REF_TEMPLATE)
    schemas["ErrorResponse"] = jsonable_encoder(Schema(**body), by_alias=True, exclude_none=True)
    document["components"]["schemas"] = dict(sorted(schemas.items()))


def sensorhub_error_response(exc: SensorhubError) -> JSONResponse:
    """Our error as every route answers it, with ``Retry-After`` when the error gives one."""
    headers = {}
    if exc.retry_after_s is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"  # RFC 9110: a 401 names its scheme
    return error_response(exc.status, exc.message, exc.code, headers)


async def _sensorhub_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SensorhubError)
    return sensorhub_error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if _body_is_not_declared_json(request, exc):
        # Strict on purpose (as the seed's Flask get_json() was): a browser page on another
        # site can send text/plain or form bodies without a CORS preflight, JSON it cannot.
        message = "request body must be JSON sent with Content-Type: application/json"
        return error_response(415, message, "unsupported_media_type")
    return error_response(*describe_validation(exc.errors()))


def _body_is_not_declared_json(request: Request, exc: RequestValidationError) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared_json = content_type == "application/json" or content_type.endswith("+json")
    return not declared_json and isinstance(exc.body, bytes | str) and bool(exc.body)


# What json.loads raises, besides a JSONDecodeError, for a body it cannot parse.
_UNPARSABLE_BODY_REASONS = {
    RecursionError: "nested too deeply",
    UnicodeDecodeError: "not UTF-8",
}
_UNPARSABLE_BODY = tuple(_UNPARSABLE_BODY_REASONS)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, _UNPARSABLE_BODY):
        # FastAPI's one 400 for a body json.loads gave up on: not JSON, as docs/contracts.md says.
        reason = _UNPARSABLE_BODY_REASONS[type(exc.__cause__)]
        return error_response(400, f"request body is not valid JSON: {reason}", "invalid_json")
    phrase = HTTPStatus(exc.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    message = exc.detail if isinstance(exc.detail, str) else phrase
    headers = exc.headers
    if exc.status_code == 405 and (allowed := _documented_methods(request)):
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return error_response(exc.status_code, message, code, headers)


def _documented_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document gives this path. Starlette's 405 names only the
    first route's methods, yet here each method of a path is a route of its own."""
    path = request.url.path
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return sorted(method.upper() for method in operations)
    return []


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log_event(logger, "unhandled_error", logging.ERROR, path=request.url.path, error=repr(exc))
    return error_response(500, "internal server error", "internal_error")
