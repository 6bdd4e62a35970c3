"""HTTP routes only; each module is one ``APIRouter``."""

from sensorhub.api import (
    athletes,
    biometrics,
    devices,
    groups,
    health,
    loadcell,
    models,
    pages,
    signals,
    studies,
    tests,
)
from sensorhub.api._auth import install_auth
from sensorhub.api._deps import bind_services
from sensorhub.api._errors import error_response, install_error_handlers
from sensorhub.api._limits import BodySizeLimit, GzipReads, RateLimit
from sensorhub.api._origins import CrossOriginGuard

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
    pages.router,
)

__all__ = [
    "BodySizeLimit",
    "CrossOriginGuard",
    "GzipReads",
    "ROUTERS",
    "RateLimit",
    "bind_services",
    "error_response",
    "install_auth",
    "install_error_handlers",
]
