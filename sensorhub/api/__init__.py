"""HTTP routes only; each module is one ``APIRouter``."""

from sensorhub.api import (
    alerts,
    athletes,
    biometrics,
    devices,
    groups,
    health,
    loadcell,
    models,
    pages,
    reliability,
    retention,
    signals,
    studies,
    tests,
)
from sensorhub.api._auth import install_auth
from sensorhub.api._deps import bind_services
from sensorhub.api._errors import error_response, install_error_handlers
from sensorhub.api._limits import GzipReads, OpenSockets, RateLimit, RequestBodies
from sensorhub.api._origins import AllowedHosts, CrossOriginGuard
from sensorhub.api.metrics import RequestMetrics, metrics_router

ROUTERS = (
    health.router,
    biometrics.router,
    signals.router,
    studies.router,
    models.router,
    loadcell.router,
    tests.router,
    devices.router,
    athletes.router,
    groups.router,
    reliability.router,
    pages.router,
    alerts.router,
    retention.router,
)

__all__ = [
    "AllowedHosts",
    "CrossOriginGuard",
    "GzipReads",
    "OpenSockets",
    "ROUTERS",
    "RateLimit",
    "RequestBodies",
    "RequestMetrics",
    "bind_services",
    "error_response",
    "install_auth",
    "install_error_handlers",
    "metrics_router",
]
