"""What ``GET /metrics`` reports, counted in plain Python while the server runs.

Requests are counted here with a dict update each, not through prometheus_client's metric
objects: the client library (~50 ms to import on a loaded 2-core machine, docs/operations.md)
is imported by the first scrape only, so a server that is never scraped never pays for it,
and the test suite's many server starts do not either. ``api/metrics.py`` turns these counts
into the Prometheus text format with the library's own types.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

# Request latency buckets (seconds), prometheus_client's defaults: an ingest answers in about
# a millisecond, a PDF report or a large CSV in seconds.
LATENCY_BUCKETS_S = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)
# Paths that match no route are counted under one label: a scanner cannot grow the label set.
UNMATCHED_ROUTE = "unmatched"


@dataclass(slots=True)
class Latency:
    """One route's latency histogram: counts per bucket (not cumulative), sum and count."""

    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS_S) + 1))
    total_s: float = 0.0
    count: int = 0

    def observe(self, seconds: float) -> None:
        self.buckets[bisect.bisect_left(LATENCY_BUCKETS_S, seconds)] += 1
        self.total_s += seconds
        self.count += 1


class RequestStats:
    """Requests per (method, route template, status) and latency per (method, route)."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[tuple[str, str], Latency] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        latency = self.latency.get((method, route))
        if latency is None:
            latency = self.latency[(method, route)] = Latency()
        latency.observe(seconds)
