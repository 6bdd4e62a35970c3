"""HTTP routes only; each module is one ``APIRouter``."""

from sensorhub.api import biometrics, devices, health, loadcell, pages, tests
from sensorhub.api._deps import bind_services
from sensorhub.api._errors import error_response, install_error_handlers
from sensorhub.api._limits import BodySizeLimit, GzipReads, RateLimit

ROUTERS = (
    health.router,
    biometrics.router,
    loadcell.router,
    tests.router,
    devices.router,
    pages.router,
)

__all__ = [
    "BodySizeLimit",
    "GzipReads",
    "ROUTERS",
    "RateLimit",
    "bind_services",
    "error_response",
    "install_error_handlers",
]
