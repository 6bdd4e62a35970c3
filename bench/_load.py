"""A load process: POSTs over one keep-alive connection for a while, prints JSON stats.

Run as ``python -m bench._load URL PATH SECONDS BATCH``; kept to the standard library so the
client costs as little CPU as possible on a 2-core machine shared with the server.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from urllib.parse import urlsplit

READING = {"bvp": 0.85, "temperature": 36.5, "acceleration": {"x": 0.02, "y": -0.01, "z": 0.98}}


def run(url: str, path: str, seconds: float, batch: int) -> dict[str, float]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    body = json.dumps({"readings": [READING] * batch} if batch > 1 else READING).encode()
    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    while (start := time.perf_counter()) < end:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        errors += response.status != 200
    elapsed = sum(latencies)
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


if __name__ == "__main__":
    url, path, seconds, batch = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(url, path, seconds, batch)))
