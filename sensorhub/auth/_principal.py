"""The principal a token stands for, and the two rules every transport applies."""

from __future__ import annotations

from dataclasses import dataclass

from sensorhub.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    """The API (apps, dashboards, or anyone while auth is off) or one device.

    ``device_id`` is None for the API: full access. A device may only send data as itself.
    """

    device_id: str | None

    def may_manage(self) -> bool:
        """Start or stop tests, read history, delete, edit, calibrate."""
        return self.device_id is None

    def may_send_as(self, device_id: str) -> bool:
        """Send readings, samples or ``done`` as ``device_id``."""
        return self.device_id is None or self.device_id == device_id

    def require_manage(self) -> None:
        if not self.may_manage():
            raise Forbidden(
                f"a device token (device {self.device_id!r}) may only send that device's data"
            )

    def require_send_as(self, device_id: str, field: str = "device_id") -> None:
        """``field`` names where ``device_id`` came from, for the message."""
        if not self.may_send_as(device_id):
            raise Forbidden(
                f"{field}: this token is for device {self.device_id!r}, not {device_id!r}"
            )


FULL_ACCESS = Principal(None)
