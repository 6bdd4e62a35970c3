"""``python -m tests._startup_probe PORT DATA_DIR``: ``sensorhub serve`` in this process, looked at
from inside (tests/test_startup_imports.py).

Once the server answers ``/api/health``, prints one JSON line saying which of the libraries
in ``WATCHED`` have run, whether the OpenAPI document was built and how many objects the
garbage collector has frozen and still tracks; then uses the lazily
loaded ones once (an athlete's typical error with its χ² interval: scipy.stats; a user's
``.h5`` model: h5py), prints a second line with the same question and what the uses gave, and
stops the server as Ctrl-C does.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

# Not from tests.conftest: the probe imports nothing a server would not.
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Loaded on first use, and never used by a server (python-socketio's clients, and Redis
# without --message-queue).
LAZY = ("scipy.stats", "h5py")
UNUSED = ("requests", "urllib3", "websocket", "redis")
# Modules of their own (no submodules) a server never runs: the forwarder's WebSocket client.
UNUSED_MODULES = ("websockets.client",)
WATCHED = LAZY + UNUSED
STARTUP_TIMEOUT_S = 120.0
# One athlete's three session values of a reliability study: df = 2.
STUDY = [2000.0, 2060.0, 2015.0]


def ran(package: str) -> bool:
    """Whether ``package`` has run: each of these imports submodules of its own when it does,
    and a module registered for lazy loading has none until its first use."""
    return any(name.startswith(package + ".") for name in sys.modules)


def which_ran() -> dict[str, bool]:
    return {package: ran(package) for package in WATCHED} | {
        name: name in sys.modules for name in UNUSED_MODULES
    }


OPENAPI_BUILDS: list[None] = []


def count_openapi_builds() -> None:
    """Count the calls of FastAPI's own ``openapi()`` (which builds the document once and
    keeps it): only a request that needs the document should make one."""
    from fastapi import FastAPI

    build = FastAPI.openapi

    def counted(self: FastAPI) -> dict[str, Any]:
        OPENAPI_BUILDS.append(None)
        return build(self)

    FastAPI.openapi = counted  # type: ignore[method-assign]


def use_the_lazy_libraries() -> dict[str, Any]:
    from sensorhub.biometrics import load_stress_model
    from sensorhub.loadcell import IMTP_METRICS
    from sensorhub.loadcell.trends import study_typical_error

    te = study_typical_error([STUDY], IMTP_METRICS["peak_force_n"], "probe")
    assert te is not None and te.value is not None and te.low is not None and te.high is not None
    model = load_stress_model(FIXTURES / "models" / "stress_model_keras2.h5")
    probabilities = model.predict_proba([[0.85, 36.5, 0.98]])
    return {
        "te_df": te.df,
        "te_low_ratio": te.low / te.value,
        "te_high_ratio": te.high / te.value,
        "probabilities": probabilities.tolist(),
    }


def wait_until_healthy(port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling the server's start, with a deadline
    raise TimeoutError(f"no /api/health on port {port} in {STARTUP_TIMEOUT_S} s")


def probe(port: int) -> None:
    try:
        wait_until_healthy(port)
        at_start = {
            "ran": which_ran(),
            "openapi_built": bool(OPENAPI_BUILDS),
            "gc_frozen": gc.get_freeze_count(),
            "gc_tracked": len(gc.get_objects()),
            "gc_enabled": gc.isenabled(),
            "gc_thresholds": gc.get_threshold(),
        }
        print(json.dumps(at_start), flush=True)
        used = use_the_lazy_libraries()
        print(json.dumps({"ran": which_ran(), **used}), flush=True)
    finally:
        os.kill(os.getpid(), signal.SIGINT)


def main() -> None:
    port, data_dir = sys.argv[1], sys.argv[2]
    count_openapi_builds()
    threading.Thread(target=probe, args=(int(port),), daemon=True).start()
    from sensorhub.cli import main as sensorhub

    arguments = ["serve", "--host", "127.0.0.1", "--port", port, "--data-dir", data_dir]
    sensorhub(arguments, standalone_mode=False)


if __name__ == "__main__":
    main()
