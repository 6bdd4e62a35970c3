"""What a running server holds, built in the lifespan and handed to the transports."""

from __future__ import annotations

from dataclasses import dataclass

from sensorhub.alerts import AlertMonitor
from sensorhub.athletes import AthleteBook
from sensorhub.auth import Authenticator
from sensorhub.biometrics import StressModel
from sensorhub.config import Settings
from sensorhub.errors import SensorhubError
from sensorhub.hub import Hub
from sensorhub.learning import ModelRegistry
from sensorhub.plates import PlateDesk, Plates
from sensorhub.presence import Presence
from sensorhub.realtime import LiveClients, MessageHandler
from sensorhub.storage import Storage, TestFiles


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    storage: Storage
    files: TestFiles
    model: StressModel
    presence: Presence
    live: LiveClients
    hub: Hub
    messages: MessageHandler
    auth: Authenticator
    # The plates as transports reach them: here, or on the process running the device.
    desk: PlateDesk
    alerts: AlertMonitor
    models: ModelRegistry  # trained window models by version (docs/research.md)

    @property
    def plates(self) -> Plates:
        return self.desk.plates

    @property
    def athletes(self) -> AthleteBook:
        return AthleteBook(self.storage, self.plates.archive, self.files)


class Runtime:
    """The services while the server runs. ``create_app`` makes one and binds it into the
    routes and event handlers it builds; the lifespan fills it and empties it."""

    def __init__(self) -> None:
        self.services: Services | None = None

    def require(self) -> Services:
        if self.services is None:
            raise SensorhubError("the server is starting or stopping; try again")
        return self.services

    def messages(self) -> MessageHandler:
        return self.require().messages

    def alerts_firing(self) -> int:
        return self.services.alerts.firing if self.services is not None else 0
