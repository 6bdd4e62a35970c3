"""Synthetic BVP with a known NN series and planted artefacts (the methods review's cases):
for tests/physio/test_beat_correction.py and bench/hrv_correction.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorhub.physio import FloatArray
from sensorhub.physio.bvp import EDGE_S
from sensorhub.physio.synth import beat_times, pulse_wave, sample_times

HZ = 64.0
ACC_HZ = 32.0
DURATION_S = 60.0
FIRST_BEAT_S = 0.37


@dataclass(frozen=True)
class Rhythm:
    """``sinus``: the heart's beats (the truth); ``shown``: the pulses the BVP carries;
    ``planted``: corrections a faithful method makes; ``motion_s``: a moving stretch."""

    name: str
    sinus: FloatArray
    shown: FloatArray
    planted: int = 0
    noise: float = 0.0
    motion_s: tuple[float, float] | None = None
    extra_pulses: FloatArray = field(default_factory=lambda: np.empty(0))

    def truth(self) -> FloatArray:
        """The NN intervals (ms) inside the analysed span."""
        inside = self.sinus[(self.sinus >= EDGE_S) & (self.sinus <= DURATION_S - EDGE_S)]
        return np.diff(inside) * 1000.0

    def bvp(self, seed: int = 11) -> FloatArray:
        t = sample_times(HZ, DURATION_S)
        wave = pulse_wave(self.shown, t) + 0.8 * pulse_wave(self.extra_pulses, t)
        rng = np.random.default_rng(seed)
        wave = wave + rng.normal(0.0, self.noise, len(t))
        if self.motion_s is not None:
            lo, hi = self.motion_s
            moving = (t >= lo) & (t < hi)
            # The wrist's swing through the optics: large, slow and irregular.
            sway = sum(rng.uniform(0.5, 1.5) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6))
                       for f in (0.7, 1.6, 2.9))  # fmt: skip
            wave = wave + np.where(moving, 1.5 * sway, 0.0)
        return np.asarray(wave)

    def acc(self, seed: int = 12) -> FloatArray:
        t = sample_times(ACC_HZ, DURATION_S)
        rng = np.random.default_rng(seed)
        sd = np.full(len(t), 0.01)  # sitting still
        if self.motion_s is not None:
            sd[(t >= self.motion_s[0]) & (t < self.motion_s[1])] = 0.4
        return np.column_stack([rng.normal(0, sd), rng.normal(0, sd), 1.0 + rng.normal(0, sd)])


def resting_sinus(seed: int = 3) -> FloatArray:
    """About 70 bpm with breathing sinus arrhythmia and a little noise: RMSSD ≈ 37 ms."""
    k = np.arange(80)
    rng = np.random.default_rng(seed)
    ibis = 850.0 + 30.0 * np.sin(2 * np.pi * k / 4.3) + rng.normal(0.0, 15.0, len(k))
    beats = beat_times(ibis, FIRST_BEAT_S)
    return beats[beats < DURATION_S]


def recovering_sinus() -> FloatArray:
    """HR falling from 133 to 57 bpm over the minute (exponential recovery, τ = 20 s)."""
    beats = [FIRST_BEAT_S]
    while beats[-1] < DURATION_S:
        hr = 57.0 + (133.0 - 57.0) * np.exp(-beats[-1] / 20.0)
        wobble = 8.0 * np.sin(2 * np.pi * len(beats) / 4.3)
        beats.append(beats[-1] + (60_000.0 / hr + wobble) / 1000.0)
    return np.asarray(beats[:-1])


def _early(beats: FloatArray, index: int, share: float) -> FloatArray:
    """Beat ``index`` comes ``share`` of its interval early (a premature beat with a
    compensatory pause: the next beat is on time)."""
    out = beats.copy()
    out[index] -= share * (beats[index] - beats[index - 1])
    return out


def rhythms() -> list[Rhythm]:
    sinus = resting_sinus()
    one_early = _early(sinus, 30, 0.22)
    early_and_missed = np.delete(_early(sinus, 30, 0.38), 50)
    bigeminal = _early(_early(_early(sinus, 20, 0.25), 22, 0.25), 24, 0.25)
    extra = np.array([sinus[40] + 0.45])
    return [
        Rhythm("clean", sinus, sinus),
        Rhythm("one ectopic beat 22 % early", sinus, one_early, planted=1),
        Rhythm("ectopic 38 % early + a missed pulse", sinus, early_and_missed, planted=2),
        Rhythm(
            "same + noise + a 6 s motion artefact",
            sinus,
            early_and_missed,
            planted=2,
            noise=0.02,
            motion_s=(5.0, 11.0),
        ),  # fmt: skip
        Rhythm("HR recovering 133 → 57 bpm", recovering_sinus(), recovering_sinus()),
        Rhythm("a missed pulse", sinus, np.delete(sinus, 45), planted=1),
        Rhythm("an extra pulse", sinus, sinus, planted=1, extra_pulses=extra),
        Rhythm("a bigeminal run of three ectopic beats", sinus, bigeminal, planted=3),
        Rhythm("noise (2 % of the pulse)", sinus, sinus, noise=0.02),
    ]
