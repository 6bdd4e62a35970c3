"""Simulated study participants for the researcher's loop: each through baseline, stress and
recovery, with their own resting physiology and their own response to stress (fixed seeds),
written as the E4 export a lab would hold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sensorhub.physio import ACC, BVP, TEMPERATURE
from sensorhub.physio.e4 import E4Channel, E4Recording
from sensorhub.physio.wearer import ACC_HZ, BVP_HZ, CALM, TEMPERATURE_HZ, SimulatedWearer, State

PHASES = ("baseline", "stress", "recovery")
# Four 60 s windows wholly inside each phase (10 s apart); kept short for the suite.
PHASE_S = 90.0
CHUNK_S = 5.0  # the wearer keeps 10 s of beats: ask it for less at a time
# Resting heart rate and RMSSD differ between people more than stress moves them within one
# (resting HR spans ~60–85 bpm in healthy adults): a model of absolute values must cope.
RESTING_HR = (60.0, 78.0, 66.0, 84.0, 70.0, 74.0)
STRESS_RISE_BPM = (14.0, 18.0, 22.0, 12.0, 20.0, 16.0)
RESTING_RMSSD = (55.0, 30.0, 45.0, 25.0, 50.0, 38.0)
SKIN_C = (34.6, 33.4, 34.0, 33.8, 34.3, 33.6)
PULSE = (70.0, 50.0, 60.0, 45.0, 65.0, 55.0)
PARTICIPANTS = len(RESTING_HR)
DAY_S = 86_400.0
FIRST_START_S = 1_700_000_000.0  # 2023-11-14: recordings a lab already holds


def states(index: int) -> tuple[State, State]:
    calm = replace(CALM, hr_bpm=RESTING_HR[index], rmssd_ms=RESTING_RMSSD[index],
                   temperature_c=SKIN_C[index], pulse_height=PULSE[index])  # fmt: skip
    stressed = replace(calm, hr_bpm=calm.hr_bpm + STRESS_RISE_BPM[index],
                       rmssd_ms=0.55 * calm.rmssd_ms, temperature_c=calm.temperature_c - 0.6,
                       pulse_height=0.6 * calm.pulse_height)  # fmt: skip
    return calm, stressed


def recording(index: int, phase_s: float = PHASE_S) -> E4Recording:
    """Participant ``index`` on their own day: baseline, stress, recovery, a tag at each."""
    calm, stressed = states(index)
    wearer = SimulatedWearer(seed=100 + index, temperature_c=calm.temperature_c)
    parts: dict[str, list[np.ndarray]] = {BVP: [], TEMPERATURE: [], ACC: []}
    elapsed = 0.0
    for phase in PHASES:
        state = stressed if phase == "stress" else calm
        for _ in range(round(phase_s / CHUNK_S)):
            chunk = wearer.signals(elapsed, CHUNK_S, state)
            parts[BVP].append(np.array(chunk["bvp"]["values"]))
            parts[TEMPERATURE].append(np.array(chunk["temperature"]["values"]))
            parts[ACC].append(np.array([chunk["acc"][a] for a in "xyz"]).T)
            elapsed += CHUNK_S
    start = FIRST_START_S + index * DAY_S
    rates = {BVP: BVP_HZ, TEMPERATURE: TEMPERATURE_HZ, ACC: ACC_HZ}
    channels = {n: E4Channel(start, rates[n], np.concatenate(v)) for n, v in parts.items()}
    return E4Recording(channels, [start + i * phase_s for i in range(len(PHASES))])


def participant(index: int) -> str:
    return f"P{index + 1:02d}"
