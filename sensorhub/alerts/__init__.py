"""Alerts: rules checked every few seconds, stored from start to end, sent to a webhook."""

from sensorhub.alerts._monitor import AlertMonitor, AlertSettings
from sensorhub.alerts._rules import (
    DEVICE_SILENT,
    STORAGE_UNAVAILABLE,
    STRESS_SUSTAINED,
    WINDOWS_POOR,
    ActiveHours,
    Condition,
    LastSeen,
    WindowPoint,
    silent_devices,
    sustained,
    window_conditions,
)
from sensorhub.alerts._webhook import Delivery, deliver

__all__ = [
    "ActiveHours",
    "AlertMonitor",
    "AlertSettings",
    "Condition",
    "DEVICE_SILENT",
    "Delivery",
    "LastSeen",
    "STORAGE_UNAVAILABLE",
    "STRESS_SUSTAINED",
    "WINDOWS_POOR",
    "WindowPoint",
    "deliver",
    "silent_devices",
    "sustained",
    "window_conditions",
]
