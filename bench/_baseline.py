"""How a baseline app runs: ``python -m bench.bare_… --port P``, uvicorn as ours runs."""

from __future__ import annotations

import sys

import uvicorn
from starlette.types import ASGIApp


def serve(app: ASGIApp) -> None:
    """Serve ``app`` on 127.0.0.1 at the ``--port`` given on the command line."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[sys.argv.index("--port") + 1]),
        access_log=False,
        server_header=False,
        log_level="warning",
    )
