"""Additions to the app's OpenAPI document that FastAPI does not make from the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Document = dict[str, Any]


def amend_openapi(app: FastAPI, amend: Callable[[Document], None]) -> None:
    """Have ``amend`` change ``app``'s OpenAPI document once, when it is first built (FastAPI
    keeps the document as ``app.openapi_schema`` and hands the same dict out after)."""
    build = app.openapi

    def openapi() -> Document:
        first = app.openapi_schema is None
        document = build()
        if first:
            amend(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
