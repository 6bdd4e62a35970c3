"""Alerts: rules checked every few seconds, stored from start to end, sent to a webhook."""

from sensorhub.alerts._monitor import AlertMonitor, AlertSettings
from sensorhub.alerts._rules import (
    DEVICE_SILENT,
    PLATE_DRIFT,
    PLATE_LOADED_N,
    STORAGE_UNAVAILABLE,
    STRESS_SUSTAINED,
    WINDOWS_POOR,
    ActiveHours,
    Condition,
    LastSeen,
    WindowPoint,
    drifted_plates,
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
    "PLATE_DRIFT",
    "PLATE_LOADED_N",
    "STORAGE_UNAVAILABLE",
    "STRESS_SUSTAINED",
    "WINDOWS_POOR",
    "WindowPoint",
    "deliver",
    "drifted_plates",
    "silent_devices",
    "sustained",
    "window_conditions",
]
