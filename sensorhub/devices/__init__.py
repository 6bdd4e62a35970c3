"""Devices: the USB serial listener (and the device simulators)."""

from sensorhub.devices._backoff import Backoff
from sensorhub.devices._http_sink import HttpSink
from sensorhub.devices._hub_sink import HubSink
from sensorhub.devices._serial_port import (
    FakeSerialPort,
    FakeSerialPorts,
    PortOpener,
    SerialPort,
    open_serial_port,
)
from sensorhub.devices._sinks import DeviceLink, MemorySink, Sink
from sensorhub.devices.serial_listener import SerialListener, SerialStats, run_serial_forwarder

__all__ = [
    "Backoff",
    "DeviceLink",
    "FakeSerialPort",
    "FakeSerialPorts",
    "HttpSink",
    "HubSink",
    "MemorySink",
    "PortOpener",
    "SerialListener",
    "SerialPort",
    "SerialStats",
    "Sink",
    "open_serial_port",
    "run_serial_forwarder",
]
