"""``sensorhub demo``: the server on embedded defaults plus a simulated plate and wearable."""

from __future__ import annotations

import threading
from collections.abc import Callable

import click
import uvicorn

from sensorhub.devices.esp_link import open_link
from sensorhub.devices.forceplate_sim import ForcePlateSimulator, PlateSettings, run_forceplate
from sensorhub.devices.imtp_curve import Athlete
from sensorhub.devices.wearable_sim import WearableSimulator
from sensorhub.server import serve_until_interrupted

PLATE_ID = "plate-1"
WEARABLE_ID = "wearable-1"


def run_demo(server: uvicorn.Server, announce: Callable[[str], None] = click.echo) -> None:
    """Run ``server`` in this thread; once it listens, start both simulated devices.

    Ctrl-C stops uvicorn, which returns here; then the devices stop too.
    """
    stop = threading.Event()
    port = server.config.port
    url = f"http://127.0.0.1:{port}"
    devices = threading.Thread(target=_start_devices, args=(server, url, stop, announce))
    devices.start()
    try:
        serve_until_interrupted(server)
    finally:
        stop.set()
        devices.join(timeout=10)


def _start_devices(
    server: uvicorn.Server, url: str, stop: threading.Event, announce: Callable[[str], None]
) -> None:
    while not server.started:
        if stop.wait(0.05):  # the server failed to start or was stopped first
            return
    plate = ForcePlateSimulator(Athlete(mass_kg=80.0, asymmetry_pct=5.0), PlateSettings())
    wearable = WearableSimulator(url, WEARABLE_ID, rate_hz=2.0, episodes=True)
    workers = [
        threading.Thread(
            target=run_forceplate,
            args=(lambda on_command: open_link("socketio", url, PLATE_ID, on_command), plate, stop),
            daemon=True,
        ),
        threading.Thread(target=wearable.run, args=(stop,), daemon=True),
    ]
    for worker in workers:
        worker.start()
    host = server.config.host if server.config.host not in ("0.0.0.0", "::") else "localhost"
    announce(f"sensorhub demo: dashboard at http://{host}:{server.config.port}/")
    announce(f"  simulated force plate {PLATE_ID!r} (80 kg, 5 % asymmetry): press Start to pull")
    announce(f"  simulated wearable {WEARABLE_ID!r}: calm, with a stressed episode every 45 s")
    announce("  Ctrl-C stops everything")
    stop.wait()
    for worker in workers:
        worker.join(timeout=5)
