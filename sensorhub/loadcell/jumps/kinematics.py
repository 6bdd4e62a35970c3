"""Centre-of-mass motion from vertical force: a = (F − W) / m, integrated by the trapezoid rule.

Owen et al. 2014 and McMahon et al. 2018: from a still start (velocity 0 at the onset, or the
velocity of a drop at first contact), velocity is the running integral of net force / mass and
displacement the running integral of velocity; power is force × velocity. No filtering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
#: Standard gravity as the reference tools use it (mass = weight / 9.81).
GRAVITY = 9.81


@dataclass(frozen=True, slots=True)
class Motion:
    """CoM velocity (m/s), displacement (m) and power (W) from sample ``start`` on."""

    start: int
    velocity: FloatArray
    displacement: FloatArray
    power: FloatArray

    def at(self, index: int) -> tuple[float, float]:
        """Velocity and displacement at a sample of the recording (``index`` ≥ ``start``)."""
        return float(self.velocity[index - self.start]), float(
            self.displacement[index - self.start]
        )


def integrate_motion(
    t_s: FloatArray,
    total: FloatArray,
    body_weight_n: float,
    start: int,
    initial_velocity: float = 0.0,
) -> Motion:
    """Integrate from sample ``start`` to the end of the recording."""
    mass = body_weight_n / GRAVITY
    acceleration = (total[start:] - body_weight_n) / mass
    velocity = initial_velocity + cumulative_trapezoid(t_s[start:], acceleration)
    displacement = cumulative_trapezoid(t_s[start:], velocity)
    return Motion(start, velocity, displacement, total[start:] * velocity)


def cumulative_trapezoid(t_s: FloatArray, values: FloatArray) -> FloatArray:
    """∫ values dt from the first sample to each sample (0 at the first)."""
    steps = np.diff(t_s) * (values[1:] + values[:-1]) * 0.5
    return np.concatenate(([0.0], np.cumsum(steps)))


def take_off_height(velocity_m_s: float) -> float:
    """Rise of the CoM after take-off: v² / 2g (0 for a non-positive velocity)."""
    return velocity_m_s * velocity_m_s / (2.0 * GRAVITY) if velocity_m_s > 0 else 0.0


def flight_height(flight_s: float) -> float:
    """Jump height from flight time, g·t² / 8 (take-off and landing in the same posture)."""
    return GRAVITY * flight_s * flight_s / 8.0
