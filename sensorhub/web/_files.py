"""Static files read once into memory, with an ETag and a gzip variant for text."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",  # the bundled licences a vendored script names
    "": "text/plain; charset=utf-8",  # LICENSE
}
# Smaller bodies gain nothing from gzip (the header overhead eats the saving).
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True, slots=True)
class StaticFile:
    """One file's bytes as served; ``etag`` is quoted, as the header carries it."""

    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str


class StaticFiles:
    """Files under ``root`` by URL path; reloaded when a file changes on disk."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self.root = root.resolve()
        self._cache: dict[Path, tuple[int, int, StaticFile]] = {}

    def get(self, url_path: str) -> StaticFile | None:
        """The file at ``url_path`` (relative to the root), or None if there is none."""
        path = (self.root / url_path).resolve()
        media_type = MEDIA_TYPES.get(path.suffix)
        if media_type is None or not path.is_relative_to(self.root) or not path.is_file():
            return None
        stat = path.stat()
        cached = self._cache.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        loaded = _load(path, media_type)
        self._cache[path] = (stat.st_mtime_ns, stat.st_size, loaded)
        return loaded


def _load(path: Path, media_type: str) -> StaticFile:
    body = path.read_bytes()
    compressible = media_type.startswith(("text/", "image/svg"))
    gzipped = None
    if compressible and len(body) >= GZIP_MIN_BYTES:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return StaticFile(body, gzipped, etag, media_type)
