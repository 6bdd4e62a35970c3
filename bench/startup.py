"""Start-up to the first 200 on ``/api/health`` and idle memory, ours beside the bare app."""

from __future__ import annotations

import compileall
import tempfile
import time
from pathlib import Path

from bench import _servers
from bench._table import Result

_IDLE_S = 1.0  # let start-up work (the first requests, lazy imports) settle before reading RSS
_REPO = Path(__file__).resolve().parents[1]


def measure() -> list[Result]:
    # Both start from compiled bytecode, as an installed package does (pip compiles at
    # install): where PYTHONDONTWRITEBYTECODE is set, every start would compile every module.
    for package in ("sensorhub", "bench"):
        compileall.compile_dir(_REPO / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "servers.log"
        with _servers.running(["-m", "bench.bare_app"], log) as bare:
            time.sleep(_IDLE_S)
            bare_startup, bare_rss = bare.startup_s, bare.rss_mb()
        with _servers.running(_servers.ours(Path(tmp) / "data"), log) as server:
            time.sleep(_IDLE_S)
            startup, rss = server.startup_s, server.rss_mb()
    return [
        Result(
            "start-up to the first 200 on /api/health",
            startup,
            "s",
            bare_startup,
            "≤ 1.5 s",
            startup <= 1.5,
            "from spawning the process; empty data dir, bundled model",
        ),
        Result("idle RSS", rss, "MB", bare_rss, "≤ 90 MB", rss <= 90),  # issue 26
    ]
