"""The one check of the error body every route and middleware sends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


def json_error(response: httpx.Response, status: int, code: str, names: str) -> Mapping[str, Any]:
    """``response`` is ``status`` with exactly ``{"status": "error", "message", "code"}``.

    ``names`` is a fragment the message must hold: the field, parameter or thing at fault.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: Mapping[str, Any] = response.json()
    assert set(body) == {"status", "message", "code"}, body
    assert (body["status"], body["code"]) == ("error", code), body
    assert names in body["message"], body
    return body
