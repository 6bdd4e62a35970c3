"""``GET /metrics``: the Prometheus text format, written by the official client library
(docs/operations.md#metrics), and the ASGI layer that times every request by route.

The library is imported by the first scrape (``sensorhub/metrics.py`` says why); each app has
a registry of its own, so several apps in one process (tests) never share a count.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sensorhub.metrics import LATENCY_BUCKETS_S, UNMATCHED_ROUTE, RequestStats
from sensorhub.realtime import ClientLimits
from sensorhub.services import Runtime

if TYPE_CHECKING:
    from prometheus_client.registry import CollectorRegistry

# How many alerts fire now: given by the alerts service once it runs (None: no alerts yet).
AlertsFiring = Callable[[], int]


class RequestMetrics:
    """Counts each HTTP request under its route template (``/api/tests/{test_id}``), its
    method and status, and observes its latency, from the first byte in to the last out."""

    def __init__(self, app: ASGIApp, stats: RequestStats) -> None:
        self.app = app
        self._stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app raises before answering, the server answers 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            self._stats.observe(scope["method"], template, status, time.perf_counter() - started)


def metrics_router(
    runtime: Runtime, stats: RequestStats, limits: ClientLimits, alerts_firing: AlertsFiring
) -> APIRouter:
    router = APIRouter()
    registry: list[CollectorRegistry] = []  # made by the first scrape

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        if not registry:
            registry.append(_registry(_Collector(runtime, stats, limits, alerts_firing)))
        return Response(generate_latest(registry[0]), media_type=CONTENT_TYPE_LATEST)

    return router


def _registry(collector: Any) -> CollectorRegistry:
    from prometheus_client import GCCollector, PlatformCollector, ProcessCollector
    from prometheus_client.registry import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    ProcessCollector(registry=registry)  # this process's CPU, memory, open files
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


class _Collector:
    """Reads the server's counts at scrape time (prometheus_client's custom collector)."""

    def __init__(
        self,
        runtime: Runtime,
        stats: RequestStats,
        limits: ClientLimits,
        alerts_firing: AlertsFiring,
    ) -> None:
        self._runtime = runtime
        self._stats = stats
        self._limits = limits
        self._alerts_firing = alerts_firing

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
            SummaryMetricFamily,
        )

        yield _info(GaugeMetricFamily)
        requests = CounterMetricFamily(
            "sensorhub_http_requests",
            "HTTP requests answered, by method, route template and status.",
            labels=["method", "route", "status"],
        )
        for (method, route, status), count in sorted(self._stats.requests.items()):
            requests.add_metric([method, route, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "sensorhub_http_request_duration_seconds",
            "Time from a request's arrival to its last byte sent, by method and route.",
            labels=["method", "route"],
        )
        for (method, route), observed in sorted(self._stats.latency.items()):
            cumulative, buckets = 0, []
            bounds = (*LATENCY_BUCKETS_S, float("inf"))
            for bound, count in zip(bounds, observed.buckets, strict=True):
                cumulative += count
                buckets.append((_bound(bound), cumulative))
            latency.add_metric([method, route], buckets, observed.total_s)
        yield latency
        connections = GaugeMetricFamily(
            "sensorhub_live_connections", "Socket.IO and /ws connections open now."
        )
        connections.add_metric([], self._limits.connections)
        yield connections
        firing = GaugeMetricFamily("sensorhub_alerts_firing", "Alerts whose condition lasts now.")
        firing.add_metric([], self._alerts_firing())
        yield firing
        services = self._runtime.services
        if services is None:  # starting or stopping: no storage or hub to read
            return
        ingested = CounterMetricFamily(
            "sensorhub_ingested",
            "Data stored since start: wearable readings, plate samples, signal batches.",
            labels=["kind"],
        )
        for kind, count in sorted(services.hub.ingested.items()):
            ingested.add_metric([kind], count)
        ingested.add_metric(["plate_samples"], services.plates.recorder.samples_stored)
        yield ingested
        writer = services.storage.writer
        backlog = GaugeMetricFamily(
            "sensorhub_writer_backlog", "Writes submitted and not yet committed."
        )
        backlog.add_metric([], writer.backlog)
        yield backlog
        commits = SummaryMetricFamily(
            "sensorhub_writer_commit_seconds",
            "Group commits by the storage writer and the time they took (statements included).",
            count_value=writer.commits,
            sum_value=writer.commit_seconds_total,
        )
        yield commits
        healthy = GaugeMetricFamily(
            "sensorhub_storage_healthy", "1 while the database takes writes, 0 after a failure."
        )
        healthy.add_metric([], 1 if writer.healthy else 0)
        yield healthy


def _info(gauge: Any) -> Any:
    """Which process answered: with several processes, each is scraped on its own."""
    from sensorhub import __version__

    info = gauge("sensorhub_process_info", "This process.", labels=["version", "pid"])
    info.add_metric([__version__, str(os.getpid())], 1)
    return info


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)
