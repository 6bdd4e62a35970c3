"""The one place HTTP errors are rendered: ``{"status": "error", "message", "code"}``."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sensorhub.contracts import describe_errors
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SensorhubError, _sensorhub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


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


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    message = exc.detail if isinstance(exc.detail, str) else phrase
    return error_response(exc.status_code, message, code, exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log_event(logger, "unhandled_error", logging.ERROR, path=request.url.path, error=repr(exc))
    return error_response(500, "internal server error", "internal_error")
