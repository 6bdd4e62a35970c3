"""``create_app(settings)``: FastAPI + Socket.IO as one ASGI app; services start in lifespan."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import socketio
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import SecretStr
from starlette.types import ASGIApp

from sensorhub import __version__, jsonwire
from sensorhub.alerts import ActiveHours, AlertMonitor, AlertSettings
from sensorhub.api import (
    ROUTERS,
    AllowedHosts,
    CrossOriginGuard,
    GzipReads,
    OpenSockets,
    RateLimit,
    RequestBodies,
    RequestMetrics,
    bind_services,
    install_auth,
    install_error_handlers,
    metrics_router,
)
from sensorhub.auth import Authenticator, default_allowed_hosts, listens_beyond_loopback
from sensorhub.biometrics import (
    StressModel,
    WindowModel,
    WindowScorer,
    find_stress_model,
    find_window_model,
    load_stress_model,
    load_window_model,
)
from sensorhub.config import Settings, ensure_data_dir
from sensorhub.devices import HubSink, SerialListener
from sensorhub.errors import ConfigError
from sensorhub.headtimeout import head_timeout_protocol
from sensorhub.hub import Hub
from sensorhub.learning import ModelRegistry
from sensorhub.logs import log_event, socket_library_logger
from sensorhub.metrics import RequestStats
from sensorhub.mqtt import mqtt_bridge
from sensorhub.physio import SlidingWindows
from sensorhub.plates import LocalDesk, PlateDesk, open_plates
from sensorhub.presence import Presence
from sensorhub.ratelimit import TokenBuckets
from sensorhub.realtime import (
    ClientLimits,
    ConnectionCounts,
    LiveClients,
    MessageHandler,
    SocketIOServer,
    WebSocketClients,
    fanout_delivery,
    register_events,
    start_delivery,
    stop_delivery,
    websocket_router,
)
from sensorhub.services import Runtime, Services
from sensorhub.signals import SignalPipeline
from sensorhub.storage import Storage, TestFiles
from sensorhub.tasks import BackgroundTasks
from sensorhub.upkeep import upkeep_running

if TYPE_CHECKING:  # imported only with --message-queue (the [redis] extra)
    from sensorhub.cluster import ClusterMember

logger = logging.getLogger("sensorhub")


def load_configured_model(settings: Settings) -> StressModel:
    """``--model``, else ``./stress_model.h5``, else the bundled demo model."""
    path, source = find_stress_model(settings.model, Path.cwd())
    return load_stress_model(path, source)


def load_configured_window_model(settings: Settings) -> WindowModel:
    """``window_model``, else ``./stress_window_model.h5``, else the bundled demo."""
    path, source = find_window_model(settings.window_model, Path.cwd())
    return load_window_model(path, source)


def create_app(settings: Settings) -> ASGIApp:
    """Build the whole service for ``settings``; nothing starts until the lifespan runs."""
    delivery = fanout_delivery(
        _secret(settings.message_queue), f"{settings.message_queue_prefix}:live"
    )
    sio = SocketIOServer(
        client_manager=delivery,
        max_live_frames=settings.send_queue_frames,
        async_mode="asgi",
        cors_allowed_origins=_socketio_origins(settings.cors_origins),
        max_http_buffer_size=settings.max_body_bytes,
        json=jsonwire,
        logger=socket_library_logger("socketio"),
        engineio_logger=socket_library_logger("engineio"),
    )
    live = LiveClients(sio, delivery, WebSocketClients(settings.send_queue_frames))
    # Filled by the lifespan; every transport built here is handed this one holder.
    runtime = Runtime()
    # Socket messages per address follow the HTTP requests' rule (its own buckets).
    limits = ClientLimits(
        ConnectionCounts(settings.max_connections, settings.max_connections_per_address),
        TokenBuckets(settings.rate_limit_per_s, settings.rate_limit_burst),
    )
    register_events(sio, runtime.messages, limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await _start_services(settings, live)
        runtime.services = services
        start_delivery(sio)
        log_event(logger, "server_started", model=services.model.name, source=services.model.source)
        if not services.auth.enabled and listens_beyond_loopback(settings.host):
            hint = "anyone on the network has full access; set SENSORHUB_API_TOKEN"
            log_event(logger, "auth_off", logging.WARNING, host=settings.host, hint=hint)
        try:
            # All stop before storage closes.
            async with (
                _serial_listener(settings, services),
                mqtt_bridge(settings, services),
                _alert_checks(settings, services.alerts),
                upkeep_running(settings, services.storage),
            ):
                yield
        finally:
            runtime.services = None
            # Each step runs whatever the one before did: the writer is always drained last.
            steps: list[Callable[[], Awaitable[None]]] = [
                services.hub.signals.close,
                services.desk.close,
                lambda: stop_delivery(sio),
                services.plates.close,
                services.storage.close,
            ]
            for step in steps:
                await _shutdown_step(step)
            log_event(logger, "server_stopped")

    api = FastAPI(
        title="sensorhub",
        version=__version__,
        summary="The backend ESP32 force plates and wearables talk to.",
        lifespan=lifespan,
        docs_url=None,  # served by api/pages.py from vendored Swagger UI, under the pages' CSP
        redoc_url=None,
    )
    install_error_handlers(api)
    bind_services(api, runtime)
    for router in (*ROUTERS, websocket_router(live.websockets, runtime.messages, limits)):
        api.include_router(router)
    request_stats = RequestStats()
    api.include_router(metrics_router(runtime, request_stats, limits, runtime.alerts_firing))
    # Added innermost first: CORS wraps the API so even a 429 carries its headers.
    # A test's samples are ~60 B each as JSON; compressed, a 10 s pull downloads 5× faster.
    # Each layer costs every request it wraps: present only when configured (bench/README.md).
    api.add_middleware(GzipReads, minimum_size=1024)
    install_auth(api, runtime, ROUTERS)
    if settings.rate_limit_per_s > 0:
        api.add_middleware(
            RateLimit, rate=settings.rate_limit_per_s, burst=settings.rate_limit_burst
        )
    api.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["*"],
        allow_headers=["*"],
    )
    api.add_middleware(RequestMetrics, stats=request_stats)  # outermost: refusals count too
    return _in_front(settings, socketio.ASGIApp(sio, other_asgi_app=api))


def _in_front(settings: Settings, app: ASGIApp) -> ASGIApp:
    """The layers every app is behind, the API and Socket.IO alike, outermost last: bodies
    (413, 408), sockets per address counted as they open (429), then who may act or open a
    socket (403): refused early, a request costs the least."""
    app = RequestBodies(app, settings.max_body_bytes, settings.request_body_timeout_s)
    sockets = ConnectionCounts(settings.max_connections, settings.max_connections_per_address)
    app = OpenSockets(app, sockets)
    hosts = settings.allowed_hosts or default_allowed_hosts(settings.host)
    return CrossOriginGuard(app, settings.cors_origins, AllowedHosts(hosts))


def _serial_listener(
    settings: Settings, services: Services
) -> contextlib.AbstractAsyncContextManager[object]:
    if settings.serial is None:
        return contextlib.nullcontext()
    listener = SerialListener(settings.serial, settings.serial_baud, HubSink(services))
    return listener.running()


def uvicorn_server(settings: Settings) -> uvicorn.Server:
    """The uvicorn server for ``settings``, as ``serve`` and ``demo`` run it."""
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=settings.access_log,
        server_header=False,
        # X-Forwarded-For only from the proxies named (docs/deploy.md#client-addresses).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        ws_max_size=settings.max_body_bytes,  # one /ws frame may be as large as one body
        http=head_timeout_protocol(settings.request_head_timeout_s),
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def serve_until_interrupted(server: uvicorn.Server, fd: int | None = None) -> None:
    """Run until Ctrl-C or SIGTERM, then exit cleanly; ``fd``: serve on that inherited
    listening socket (a worker of ``serve --workers``), not on the configured port.

    uvicorn shuts down gracefully, then re-raises the signal it caught; for a server told to
    stop that is success, not an error.
    """
    sockets = [socket.socket(fileno=fd)] if fd is not None else None
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=sockets)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _socketio_origins(origins: tuple[str, ...]) -> str | list[str]:
    return "*" if "*" in origins else list(origins)


async def _shutdown_step(step: Callable[[], Awaitable[None]]) -> None:
    try:
        await step()
    except Exception as exc:  # e.g. Redis gone: logged, and the next step still runs
        log_event(logger, "shutdown_step_failed", logging.ERROR, error=repr(exc)[:300])


async def _start_services(settings: Settings, live: LiveClients) -> Services:
    ensure_data_dir(settings)
    model = load_configured_model(settings)
    storage = Storage(
        settings.database_url,
        batch_max=settings.writer_batch_max,
        backlog_max=settings.writer_backlog_max,
        timeout_s=settings.storage_timeout_s,
    )
    await storage.open()
    presence = Presence()
    files = TestFiles(settings.test_data_dir)
    cluster = await _join_cluster(settings)
    plates = await open_plates(
        storage,
        presence,
        live,
        files,
        flush_grace_s=settings.flush_grace_s,
        ownership=cluster.leases if cluster else None,
        idle_s=settings.plate_device_idle_s,
    )
    desk: PlateDesk = cluster.desk(plates, presence) if cluster else LocalDesk(plates, presence)
    device_rate = TokenBuckets(settings.device_rate_limit_per_s, settings.device_rate_limit_burst)
    windows = SlidingWindows(
        settings.signal_window_s,
        settings.signal_step_s,
        max_devices=settings.signal_devices_max,
        idle_s=settings.signal_device_idle_s,
    )
    models = ModelRegistry(settings.data_dir)
    signals = SignalPipeline(storage, live, windows, window_scorer(settings))
    hub = Hub(storage, model, live, desk, device_rate=device_rate, signals=signals)
    api_token = settings.api_token.get_secret_value() if settings.api_token else None
    auth = Authenticator(api_token, storage.tokens.device_for, cache_s=settings.token_cache_s)
    messages = MessageHandler(desk, hub, presence, live, auth)
    await desk.open()
    alerts = AlertMonitor(
        storage, hub.last_seen, _alert_settings(settings), idle_plates=plates.views.idle_readings
    )
    await alerts.start()
    return Services(
        settings, storage, files, model, presence, live, hub, messages, auth, desk, alerts, models
    )


def window_scorer(settings: Settings) -> WindowScorer:
    """The registry's active model (activated through the API; it outlives a restart), else
    the configured window model."""
    models = ModelRegistry(settings.data_dir)
    version = models.active_version()
    return models.get(version) if version is not None else load_configured_window_model(settings)


def _alert_settings(settings: Settings) -> AlertSettings:
    hours = settings.alert_hours
    return AlertSettings(
        silent_s=settings.alert_device_silent_min * 60,
        hours=ActiveHours.parse(hours) if hours else None,
        poor_s=settings.alert_windows_poor_min * 60,
        stress_s=settings.alert_stress_min * 60,
        stress_probability=settings.alert_stress_probability,
        plate_drift_n=settings.alert_plate_drift_n,
        webhook=settings.alert_webhook,
        webhook_attempts=settings.alert_webhook_attempts,
        webhook_first_pause_s=settings.alert_webhook_pause_s,
    )


@contextlib.asynccontextmanager
async def _alert_checks(settings: Settings, alerts: AlertMonitor) -> AsyncIterator[None]:
    checks = BackgroundTasks()
    checks.spawn(alerts.run(settings.alert_check_s), "alert-checks")
    try:
        yield
    finally:
        await checks.cancel_all()
        await alerts.close()


async def _join_cluster(settings: Settings) -> ClusterMember | None:
    """With ``--message-queue``: this process's leases and desk among the others."""
    url = _secret(settings.message_queue)
    if url is None:
        return None
    try:  # needs the [redis] extra: only imported here
        from sensorhub.cluster import open_cluster
    except ImportError as exc:
        hint = "pip install 'sensorhub[redis]'"
        raise ConfigError(f"--message-queue needs the redis package: {hint}") from exc

    call_timeout_s = settings.storage_timeout_s + 2  # a call may wait for one write
    return await open_cluster(
        url, settings.message_queue_prefix, settings.lease_ttl_s, call_timeout_s
    )
