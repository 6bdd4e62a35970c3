"""``sensorhub demo``'s devices: a simulated plate and wearable beside a server run by the caller.

The caller (``cli.demo``) owns the server: devices sit below it and never import it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

from sensorhub.devices.esp_link import open_link
from sensorhub.devices.forceplate_sim import ForcePlateSimulator, PlateSettings, run_forceplate
from sensorhub.devices.imtp_curve import Athlete
from sensorhub.devices.jump_curve import SimulatedJump
from sensorhub.devices.signal_sim import SignalSimulator

PLATE_ID = "plate-1"
WEARABLE_ID = "wearable-1"


@dataclass(frozen=True, slots=True)
class PlateAct:
    """What the demo plate's athlete does on each start: an IMTP, or ``reps`` of a jump."""

    jump: SimulatedJump | None = None
    reps: int = 1

    def describe(self) -> str:
        if self.jump is None:
            return "press Start to pull"
        return f"choose Test = {self.jump} and press Start: {self.reps} jump(s)"


@contextmanager
def simulated_devices(
    host: str,
    port: int,
    server_started: Callable[[], bool],
    announce: Callable[[str], None] = click.echo,
    token: str | None = None,
    plate: PlateAct = PlateAct(),
) -> Iterator[None]:
    """Once ``server_started()``, stream both simulated devices to it until the block ends.

    ``token``: the server's API token when auth is on (the devices are part of the demo);
    ``plate``: what the plate's athlete does on each start.

    The block runs the server; Ctrl-C stops it, the block returns, and the devices stop too.
    """
    stop = threading.Event()
    devices = threading.Thread(
        target=_start_devices, args=(host, port, server_started, stop, announce, token, plate)
    )
    devices.start()
    try:
        yield
    finally:
        stop.set()
        devices.join(timeout=10)


def _start_devices(
    host: str,
    port: int,
    server_started: Callable[[], bool],
    stop: threading.Event,
    announce: Callable[[str], None],
    token: str | None,
    act: PlateAct,
) -> None:
    while not server_started():
        if stop.wait(0.05):  # the server failed to start or was stopped first
            return
    url = f"http://127.0.0.1:{port}"
    athlete = Athlete(mass_kg=80.0, asymmetry_pct=5.0)
    plate = ForcePlateSimulator(athlete, PlateSettings(), jump=act.jump, reps=act.reps)
    # One simulated wearer: its signals, and seed-style readings (2 a second) taken from them.
    signals = SignalSimulator(url, WEARABLE_ID, episodes=True, token=token, readings_hz=2.0)
    workers = [
        threading.Thread(
            target=run_forceplate,
            args=(
                lambda on_command: open_link("socketio", url, PLATE_ID, on_command, token),
                plate,
                stop,
            ),
            daemon=True,
        ),
        threading.Thread(target=signals.run, args=(stop,), daemon=True),
    ]
    for worker in workers:
        worker.start()
    shown_host = host if host not in ("0.0.0.0", "::") else "localhost"
    announce(f"sensorhub demo: dashboard at http://{shown_host}:{port}/")
    announce(f"  simulated force plate {PLATE_ID!r} (80 kg, 5 % asymmetry): {act.describe()}")
    announce(f"  simulated wearable {WEARABLE_ID!r}: signals (BVP 64 Hz) and 2 readings a second")
    announce("    from one wearer: 120 s calm, then 90 s stressed, repeating")
    announce("  Ctrl-C stops everything")
    stop.wait()
    for worker in workers:
        worker.join(timeout=5)
