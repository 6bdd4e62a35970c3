"""The dashboard: static pages, plain JS modules and vendored libraries (no build step).

The pages need no server-side data (they fetch it from the API), so they are plain HTML
files under ``static/`` served by ``sensorhub.api.pages``.
"""

from sensorhub.web._files import STATIC_DIR, StaticFile, StaticFiles

__all__ = ["STATIC_DIR", "StaticFile", "StaticFiles"]
