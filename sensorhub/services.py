"""What a running server holds, built in the lifespan and handed to the transports."""

from __future__ import annotations

from dataclasses import dataclass

from sensorhub.biometrics import StressModel
from sensorhub.config import Settings
from sensorhub.hub import Hub
from sensorhub.storage import Storage


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    storage: Storage
    model: StressModel
    hub: Hub
