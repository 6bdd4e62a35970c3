"""The dashboard: six pages, ``/docs`` and ``/static/…`` (kept out of the OpenAPI document).

Pages are static HTML shells that load their data from the API. Vendored libraries live in
versioned folders (``vendor/uplot-1.6.32/``), so they are cached for a year; everything else
is revalidated on each load (``no-cache`` + ETag → 304). Text is sent gzipped when accepted.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from sensorhub.errors import NotFoundError
from sensorhub.web import StaticFile, StaticFiles

router = APIRouter(include_in_schema=False)

FILES = StaticFiles()
CACHE_VENDORED = "public, max-age=31536000, immutable"
CACHE_REVALIDATE = "no-cache"
# Everything the pages load comes from this server; the socket is same-origin too.
PAGE_POLICY = (
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
GET_HEAD = ["GET", "HEAD"]


@router.api_route("/", methods=GET_HEAD)
async def live_page(request: Request) -> Response:
    """Live force plate: devices, start/stop/tare, live chart, results."""
    return _page(request, "live.html")


@router.api_route("/tests", methods=GET_HEAD)
async def tests_page(request: Request) -> Response:
    """Test history with filter and overlay."""
    return _page(request, "tests.html")


@router.api_route("/tests/{test_id}", methods=GET_HEAD)
async def test_page(request: Request, test_id: int) -> Response:
    """One test: curve, metrics, re-analysis, edit, delete (the same page, by path)."""
    return _page(request, "tests.html")


@router.api_route("/athletes", methods=GET_HEAD)
async def athletes_page(request: Request) -> Response:
    """Athletes: search, setup, trends with the noise band, report, import."""
    return _page(request, "athletes.html")


@router.api_route("/squad", methods=GET_HEAD)
async def squad_page(request: Request) -> Response:
    """A group's latest values, sortable, with z-scores and CSV."""
    return _page(request, "squad.html")


@router.api_route("/wearable", methods=GET_HEAD)
async def wearable_page(request: Request) -> Response:
    """Wearable: live BVP, temperature, acceleration, stress prediction."""
    return _page(request, "wearable.html")


@router.api_route("/models", methods=GET_HEAD)
async def models_page(request: Request) -> Response:
    """Window stress models: evaluation, activation, training, E4 import."""
    return _page(request, "models.html")


@router.api_route("/docs", methods=GET_HEAD)
async def api_docs_page(request: Request) -> Response:
    """Swagger UI over ``/openapi.json``, from vendored files (FastAPI's own loads a CDN)."""
    return _page(request, "docs.html")


@router.api_route("/static/{path:path}", methods=GET_HEAD)
async def static_file(request: Request, path: str) -> Response:
    cache = CACHE_VENDORED if path.startswith("vendor/") else CACHE_REVALIDATE
    return _file(request, path, cache)


def _page(request: Request, name: str) -> Response:
    response = _file(request, name, CACHE_REVALIDATE)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


def _file(request: Request, path: str, cache_control: str) -> Response:
    found = FILES.get(path)
    if found is None:
        raise NotFoundError(f"no file /static/{path}")
    gzipped = found.gzipped is not None and _accepts_gzip(request)
    etag = found.etag[:-1] + '-gz"' if gzipped else found.etag
    headers = {
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if found.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(_body(found, gzipped), media_type=found.media_type, headers=headers)


def _body(found: StaticFile, gzipped: bool) -> bytes:
    return found.gzipped if gzipped and found.gzipped is not None else found.body


def _accepts_gzip(request: Request) -> bool:
    for coding in request.headers.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() == "gzip" and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def _not_modified(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match")
    if given is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return "*" in tags or etag in tags
