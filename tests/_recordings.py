"""Force recordings written as other tools export them, for the import, trend and page tests."""

from __future__ import annotations

from sensorhub.devices.jump_curve import JumpMotion, sample_motion

WEIGHT_N = 800.0


def ground_reaction_csv(peak_n: float) -> str:
    """1 kHz, `Time (s),Force (N)`: 1.5 s still at 800 N, a 0.5 s linear rise to ``peak_n``,
    1.5 s held. The peak force is ``peak_n`` exactly (written with repr)."""
    rows = ["Time (s),Force (N)"]
    for i in range(3500):
        rise = min(max(i - 1500, 0), 500) / 500
        rows.append(f"{i / 1000!r},{WEIGHT_N + rise * (peak_n - WEIGHT_N)!r}")
    return "\n".join(rows) + "\n"


def chronojump_csv() -> str:
    """Chronojump's force-sensor export as an older version wrote it: `;` and decimal commas,
    integer µs from 0, 80 Hz; 0.5 N at rest, then a 1 s linear pull to 1200.5 N, held."""
    rows = ["Time (micros);Force(N)"]
    for i in range(400):
        t_us = i * 12_500
        force = 0.5 + 1200.0 * min(max(t_us - 2_000_000, 0), 1_000_000) / 1_000_000
        rows.append(f"{t_us};{force:.2f}".replace(".", ","))
    return "\n".join(rows) + "\n"


def hawkin_csv(motion: JumpMotion) -> str:
    """``motion`` at 1 kHz in Hawkin's layout (left, right and combined), written with repr."""
    t, left, right = sample_motion(motion)
    rows = ["Time (s),Left (N),Right (N),Combined (N)"]
    rows += [f"{a / 1000!r},{b!r},{c!r},{b + c!r}" for a, b, c in zip(t, left, right, strict=True)]
    return "\n".join(rows) + "\n"
