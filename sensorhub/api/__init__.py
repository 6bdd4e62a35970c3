"""HTTP routes only; each module is one ``APIRouter``."""

from sensorhub.api import biometrics, health
from sensorhub.api._errors import error_response, install_error_handlers

ROUTERS = (health.router, biometrics.router)

__all__ = ["ROUTERS", "error_response", "install_error_handlers"]
