"""Seed-compatible USB serial listener: ``python serial_listener.py [--port … --baud … --url …]``.

Reads newline-delimited JSON from an ESP32 on a serial port and forwards it to a sensorhub
server: wearable readings to ``POST /api/sensor-data``, force-plate messages over ``/ws``.
Survives unplugging the board. ``sensorhub serial`` does the same.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from sensorhub.devices import run_serial_forwarder
from sensorhub.errors import SensorhubError
from sensorhub.logs import configure_logging

DEFAULT_PORT = "COM3" if sys.platform == "win32" else "/dev/ttyUSB0"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Forward JSON lines from a serial port to a sensorhub server."
    )
    parser.add_argument(
        "--port",
        default=os.environ.get("SENSORHUB_SERIAL_PORT", DEFAULT_PORT),
        help="serial port (default: $SENSORHUB_SERIAL_PORT or %(default)s)",
    )
    parser.add_argument("--baud", type=int, default=115200, help="baud rate (%(default)s)")
    parser.add_argument(
        "--url",
        default=os.environ.get("SENSORHUB_URL", "http://localhost:5000"),
        help="sensorhub server (default: $SENSORHUB_URL or %(default)s)",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        asyncio.run(run_serial_forwarder(args.port, args.baud, args.url))
    except SensorhubError as exc:
        sys.exit(f"serial_listener.py: {exc.message}")


if __name__ == "__main__":
    main()
