"""HTTP load from ``wrk`` (Debian's package): C, event-driven, so it measures the server."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = Path(__file__).with_name("post.lua")


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds


def post(url: str, *, connections: int, seconds: float, batch: int = 1) -> Load:
    """POST readings (``batch`` > 1: ``{"readings": [...]}``) over keep-alive connections."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (make bench does)")
    threads = min(2, connections)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "-s", str(_SCRIPT)]
    output = subprocess.run(
        [*command, url, "--", str(batch)], capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return Load(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        non_2xx=result["non_2xx"],
        socket_errors=result["socket_errors"],
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
    )


def combine(runs: list[Load]) -> Load:
    """Several runs as one: requests and time add up; latencies are the runs' medians."""
    return Load(
        requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
    )
