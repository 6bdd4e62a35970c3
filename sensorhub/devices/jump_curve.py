"""Simulated jumps with known answers, built from a prescribed centre-of-mass motion.

Pure Python (``math``), like ``imtp_curve``. Each movement is a chain of segments; on a segment
of duration T the CoM acceleration is

    a(τ) = c0 + c1·cos(πτ/T) + d·sin(πτ/T),   0 ≤ τ ≤ T,

with c0, c1 set by the accelerations at both ends (so force never jumps between segments) and
d by the velocity change over the segment. Velocity and displacement then have closed forms, and
the ground reaction is F = m·(g + a) while on the plate (0 in flight). Phase durations are whole
milliseconds and flight times are chosen in whole milliseconds (take-off velocity = g·t/2), so at
1 kHz every event falls on a sample and the analysis can be held to its sampling limits.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

GRAVITY = 9.81
#: Net acceleration (× g) at the lowest point of a landing, and how long force takes from
#: there back to body weight.
LANDING_LOW_G = 0.5
SETTLE_S = 0.4
SimulatedJump = Literal["cmj", "squat_jump", "drop_jump", "rebound", "drop_landing"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of prescribed CoM motion; ``airborne`` stretches have a = −g and F = 0, and
    ``off_plate`` ones (before a drop) have F = 0 and no CoM motion to speak of."""

    name: str
    duration_s: float
    start_a: float = 0.0
    end_a: float = 0.0
    delta_v: float = 0.0
    airborne: bool = False
    off_plate: bool = False

    @property
    def _c0(self) -> float:
        return (self.start_a + self.end_a) / 2.0

    @property
    def _c1(self) -> float:
        return (self.start_a - self.end_a) / 2.0

    @property
    def _d(self) -> float:
        t = self.duration_s
        return (self.delta_v - self._c0 * t) * math.pi / (2.0 * t)

    def acceleration(self, tau: float) -> float:
        if self.airborne or self.off_plate:
            return -GRAVITY if self.airborne else 0.0
        w = math.pi / self.duration_s
        return self._c0 + self._c1 * math.cos(w * tau) + self._d * math.sin(w * tau)

    def velocity_change(self, tau: float) -> float:
        if self.airborne:
            return -GRAVITY * tau
        if self.off_plate:
            return 0.0
        k = self.duration_s / math.pi
        w = math.pi / self.duration_s
        return (
            self._c0 * tau
            + self._c1 * k * math.sin(w * tau)
            + self._d * k * (1 - math.cos(w * tau))
        )

    def displacement_change(self, tau: float, v0: float) -> float:
        if self.airborne:
            return v0 * tau - GRAVITY * tau * tau / 2.0
        if self.off_plate:
            return 0.0
        k = self.duration_s / math.pi
        w = math.pi / self.duration_s
        return (
            v0 * tau
            + self._c0 * tau * tau / 2.0
            + self._c1 * k * k * (1 - math.cos(w * tau))
            + self._d * k * (tau - k * math.sin(w * tau))
        )

    def peak_acceleration(self) -> float:
        """The highest a(τ) over the segment (closed form: a' = 0 inside, or an end)."""
        candidates = [self.start_a, self.end_a]
        theta = math.atan2(self._d, self._c1)  # a = c0 + R·cos(wτ − θ)
        if 0.0 <= theta <= math.pi:
            candidates.append(self._c0 + math.hypot(self._c1, self._d))
        return max(candidates)


@dataclass(frozen=True, slots=True)
class JumpMotion:
    """A prescribed movement: segments from t = 0, the athlete's mass and left/right split."""

    segments: tuple[Segment, ...]
    mass_kg: float
    right_share: float = 0.5
    initial_velocity: float = 0.0
    boundaries: tuple[float, ...] = field(init=False)

    def __post_init__(self) -> None:
        edges, t = [0.0], 0.0
        for segment in self.segments:
            t += segment.duration_s
            edges.append(t)
        object.__setattr__(self, "boundaries", tuple(edges))

    @property
    def duration_s(self) -> float:
        return self.boundaries[-1]

    @property
    def weight_n(self) -> float:
        return self.mass_kg * GRAVITY

    def locate(self, t_s: float) -> tuple[int, float]:
        """The segment holding ``t_s`` and the time into it (the last segment past the end)."""
        for i, segment in enumerate(self.segments):
            if t_s < self.boundaries[i + 1] or i == len(self.segments) - 1:
                return i, min(t_s - self.boundaries[i], segment.duration_s)
        raise AssertionError("unreachable: the loop returns on the last segment")

    def force(self, t_s: float) -> float:
        i, tau = self.locate(t_s)
        segment = self.segments[i]
        if segment.airborne or segment.off_plate:
            return 0.0
        return self.mass_kg * (GRAVITY + segment.acceleration(tau))

    def start_of(self, name: str, occurrence: int = 0) -> float:
        """When the ``occurrence``-th segment called ``name`` starts."""
        found = [self.boundaries[i] for i, s in enumerate(self.segments) if s.name == name]
        return found[occurrence]

    def velocity_at_start(self, index: int) -> float:
        v = self.initial_velocity
        for segment in self.segments[:index]:
            v += segment.velocity_change(segment.duration_s)
        return v

    def displacement_at(self, t_s: float) -> float:
        """CoM displacement from the start (off-plate stretches hold it still)."""
        i, tau = self.locate(t_s)
        s, v = 0.0, self.initial_velocity
        for segment in self.segments[:i]:
            s += segment.displacement_change(segment.duration_s, v)
            v += segment.velocity_change(segment.duration_s)
        return s + self.segments[i].displacement_change(tau, v)

    def peak_force(self, name: str) -> float:
        segment = next(s for s in self.segments if s.name == name)
        return self.mass_kg * (GRAVITY + segment.peak_acceleration())


def flight_velocity(flight_ms: int) -> float:
    """Take-off velocity of a flight of whole milliseconds (landing in the take-off posture)."""
    return GRAVITY * flight_ms / 1000.0 / 2.0


def countermovement_jump(
    mass_kg: float = 80.0,
    flight_ms: int = 500,
    unweighting_ms: int = 250,
    braking_ms: int = 150,
    propulsion_ms: int = 250,
    braking_end_g: float = 1.2,
    landing_ms: int = 300,
    quiet_s: float = 2.0,
    right_share: float = 0.5,
    peak_down_velocity: float = -1.0,
) -> JumpMotion:
    """Stand, dip, drive up, fly ``flight_ms`` and land back into stillness.

    ``braking_end_g`` is the net acceleration (× g) at the lowest point, where braking hands
    over to propulsion; ``peak_down_velocity`` is reached at the end of unweighting."""
    v_to = flight_velocity(flight_ms)
    b = braking_end_g * GRAVITY
    segments = (
        Segment("quiet", quiet_s),
        Segment("unweighting", unweighting_ms / 1000, 0.0, 0.0, peak_down_velocity),
        Segment("braking", braking_ms / 1000, 0.0, b, -peak_down_velocity),
        Segment("propulsion", propulsion_ms / 1000, b, -GRAVITY, v_to),
        *_flight_and_landing(v_to, flight_ms, landing_ms, quiet_s),
    )
    return JumpMotion(segments, mass_kg, right_share)


def squat_jump(
    mass_kg: float = 80.0,
    flight_ms: int = 450,
    propulsion_ms: int = 350,
    landing_ms: int = 300,
    quiet_s: float = 2.0,
    dip_velocity: float = 0.0,
    right_share: float = 0.5,
) -> JumpMotion:
    """Hold a squat, drive up from stillness; ``dip_velocity`` < 0 adds a countermovement."""
    v_to = flight_velocity(flight_ms)
    dip: tuple[Segment, ...] = ()
    if dip_velocity < 0:
        dip = (
            Segment("unweighting", 0.15, 0.0, 0.0, dip_velocity),
            Segment("braking", 0.15, 0.0, 0.0, -dip_velocity),
        )
    segments = (
        Segment("quiet", quiet_s),
        *dip,
        Segment("propulsion", propulsion_ms / 1000, 0.0, -GRAVITY, v_to),
        *_flight_and_landing(v_to, flight_ms, landing_ms, quiet_s),
    )
    return JumpMotion(segments, mass_kg, right_share)


def drop_jump(
    mass_kg: float = 80.0,
    drop_height_m: float = 0.30,
    flight_ms: int = 450,
    braking_ms: int = 110,
    propulsion_ms: int = 120,
    landing_ms: int = 300,
    quiet_s: float = 2.0,
    right_share: float = 0.5,
    rebound: bool = True,
) -> JumpMotion:
    """Step off a box onto the plate, rebound (or, without ``rebound``, land and stand)."""
    v_drop = math.sqrt(2.0 * GRAVITY * drop_height_m)
    if not rebound:
        segments: tuple[Segment, ...] = (
            Segment("off_plate", 1.0, off_plate=True),
            *_landing(v_drop, landing_ms, quiet_s),
        )
        return JumpMotion(segments, mass_kg, right_share, initial_velocity=-v_drop)
    v_to = flight_velocity(flight_ms)
    peak = 3.0 * GRAVITY
    segments = (
        Segment("off_plate", 1.0, off_plate=True),
        Segment("braking", braking_ms / 1000, -GRAVITY, peak, v_drop),
        Segment("propulsion", propulsion_ms / 1000, peak, -GRAVITY, v_to),
        *_flight_and_landing(v_to, flight_ms, landing_ms, quiet_s),
    )
    return JumpMotion(segments, mass_kg, right_share, initial_velocity=-v_drop)


def rebound_hops(
    mass_kg: float = 80.0,
    flight_ms: tuple[int, ...] = (400, 420, 440, 460, 480, 480, 460, 440, 420, 400),
    contact_ms: tuple[int, ...] = (200, 190, 180, 170, 160, 160, 170, 180, 190),
    landing_ms: int = 300,
    quiet_s: float = 2.0,
) -> JumpMotion:
    """A 10/5-style set: a countermovement start, then a hop after every flight but the last."""
    first = countermovement_jump(mass_kg, flight_ms[0], quiet_s=quiet_s)
    segments = list(first.segments[:4])  # quiet, unweighting, braking, propulsion
    for i, flight in enumerate(flight_ms):
        v = flight_velocity(flight)
        segments.append(Segment("flight", flight / 1000, airborne=True))
        if i < len(contact_ms):
            v_next = flight_velocity(flight_ms[i + 1])
            segments.append(Segment("hop", contact_ms[i] / 1000, -GRAVITY, -GRAVITY, v + v_next))
    v_last = flight_velocity(flight_ms[-1])
    segments += _landing(v_last, landing_ms, quiet_s)
    return JumpMotion(tuple(segments), mass_kg)


def _flight_and_landing(
    v_to: float, flight_ms: int, landing_ms: int, quiet_s: float
) -> tuple[Segment, ...]:
    return (
        Segment("flight", flight_ms / 1000, airborne=True),
        *_landing(v_to, landing_ms, quiet_s),
    )


def _landing(v_down: float, landing_ms: int, quiet_s: float) -> tuple[Segment, ...]:
    """Absorb ``v_down`` to the lowest point (force still over body weight there, as in real
    landings), rise a little while force settles back to body weight, then stand still."""
    return (
        Segment("landing", landing_ms / 1000, -GRAVITY, LANDING_LOW_G * GRAVITY, v_down),
        Segment("settle", SETTLE_S, LANDING_LOW_G * GRAVITY, 0.0, 0.0),
        Segment("quiet", quiet_s),
    )


def jump_motion(test: SimulatedJump, mass_kg: float = 80.0) -> JumpMotion:
    """The default movement of each test type (the CLI's ``--test``)."""
    if test == "cmj":
        return countermovement_jump(mass_kg)
    if test == "squat_jump":
        return squat_jump(mass_kg)
    if test == "drop_jump":
        return drop_jump(mass_kg)
    if test == "drop_landing":
        return drop_jump(mass_kg, rebound=False)
    return rebound_hops(mass_kg)


def jump_set(test: SimulatedJump, mass_kg: float = 80.0, reps: int = 1) -> JumpMotion:
    """``reps`` of a test back to back in one recording (each ends standing still, or for drop
    types, off the plate again to climb the box)."""
    one = jump_motion(test, mass_kg)
    segments = one.segments * reps
    return JumpMotion(segments, mass_kg, one.right_share, one.initial_velocity)


class JumpForceModel:
    """Left and right force (N) for the plate simulator: standing still (or, before a drop, an
    empty plate) until started, then the prescribed movement, then standing, with noise."""

    def __init__(
        self, motion: JumpMotion, noise_n: float = 2.0, rng: random.Random | None = None
    ) -> None:
        self.motion = motion
        self._noise = noise_n
        self._rng = rng or random.Random()
        self._idle = 0.0 if motion.segments[0].off_plate else motion.weight_n

    def sample(self, t_s: float, since_start_s: float | None) -> tuple[float, float]:
        """``(left, right)`` at device time ``t_s``; ``since_start_s`` None means idle."""
        total = self._idle
        if since_start_s is not None:
            done = since_start_s >= self.motion.duration_s
            total = self.motion.weight_n if done else self.motion.force(since_start_s)
        share = self.motion.right_share
        left = total * (1 - share) + self._rng.gauss(0.0, self._noise)
        right = total * share + self._rng.gauss(0.0, self._noise)
        return left, right


def sample_motion(
    motion: JumpMotion, rate_hz: float = 1000.0, noise_n: float = 0.0, seed: int = 0
) -> tuple[list[float], list[float], list[float]]:
    """``(t_ms, left, right)`` at ``rate_hz`` over the whole motion, with per-channel noise."""
    rng = random.Random(seed)
    count = int(round(motion.duration_s * rate_hz))
    t_ms, left, right = [], [], []
    for k in range(count):
        t_s = k / rate_hz
        total = motion.force(t_s)
        t_ms.append(k * 1000.0 / rate_hz)
        left.append(
            total * (1 - motion.right_share) + (rng.gauss(0.0, noise_n) if noise_n else 0.0)
        )
        right.append(total * motion.right_share + (rng.gauss(0.0, noise_n) if noise_n else 0.0))
    return t_ms, left, right
