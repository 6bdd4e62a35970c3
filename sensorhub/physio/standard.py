"""Short-term HRV as the standard defines it (Task Force of the ESC and NASPE 1996, "Heart rate
variability: standards of measurement, physiological interpretation and clinical use"):
5-minute recordings, time domain (SDNN, RMSSD, pNN50) and frequency domain (LF 0.04–0.15 Hz,
HF 0.15–0.4 Hz, LF/HF) from the NN series; per study phase and per 5-minute block.

The frequency domain needs an evenly sampled series: the NN intervals, each placed at its
beat, are interpolated by a cubic spline at 4 Hz, their mean removed, and the power spectral
density estimated by Welch's method (Hann windows of up to 256 s, half overlapping; density
scaling, so a band's power is the PSD integrated over it, in ms²)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhub.lazy import lazy_module
from sensorhub.physio.bvp import FloatArray
from sensorhub.physio.features import GOOD, WindowFeatures, WindowSignals, window_analysis
from sensorhub.physio.hrv import NnSeries

# Loaded by the first 5-minute span, not when the server starts (as bvp.py's filter).
interpolate = lazy_module("scipy.interpolate")
signal = lazy_module("scipy.signal")

BLOCK_S = 300.0  # the Task Force's short-term recording
LF_HZ = (0.04, 0.15)
HF_HZ = (0.15, 0.4)
RESAMPLE_HZ = 4.0  # well above twice HF's upper edge
SEGMENT_S = 256.0  # Welch's window: 1/256 Hz resolution, ≥ 10 cycles of LF's lower edge
# The shortest uninterrupted NN run a spectrum is taken from: the Task Force asks for at least
# ten cycles of a band's lower edge, about 1 minute for HF and 2 minutes for LF.
MIN_LF_RUN_S = 120.0


@dataclass(frozen=True, slots=True)
class Spectrum:
    lf_ms2: float
    hf_ms2: float

    @property
    def lf_hf(self) -> float | None:
        return self.lf_ms2 / self.hf_ms2 if self.hf_ms2 > 0 else None


@dataclass(frozen=True, slots=True)
class StandardHrv:
    """One span's time domain (the window features over it) and frequency domain."""

    features: WindowFeatures
    lf_ms2: float | None = None
    hf_ms2: float | None = None
    lf_hf: float | None = None

    def as_dict(self) -> dict[str, float | int | str | None]:
        out = self.features.as_dict()
        return {**out, "lf_ms2": self.lf_ms2, "hf_ms2": self.hf_ms2, "lf_hf": self.lf_hf}


def standard_hrv(span: WindowSignals) -> StandardHrv:
    """Time and frequency domain over a span (5 minutes, or a study phase)."""
    features, nn = window_analysis(span)
    if features.quality != GOOD or nn is None:
        return StandardHrv(features)
    spectrum = nn_spectrum(nn)
    if spectrum is None:
        return StandardHrv(features)
    return StandardHrv(features, spectrum.lf_ms2, spectrum.hf_ms2, spectrum.lf_hf)


def nn_spectrum(nn: NnSeries) -> Spectrum | None:
    """LF and HF power of the longest uninterrupted run; None when it is under 2 minutes
    (a stretch left out for motion interrupts the series: the spectrum is not spliced)."""
    longest = max(nn.beat_runs, key=lambda r: r[-1] - r[0], default=np.empty(0))
    if len(longest) < 3 or longest[-1] - longest[0] < MIN_LF_RUN_S:
        return None
    return band_powers(longest)


def band_powers(beats_s: FloatArray) -> Spectrum:
    """LF and HF power (ms²) of the NN series of consecutive corrected beats ``beats_s``."""
    nn_ms = np.diff(beats_s) * 1000.0
    at = beats_s[1:]
    grid = np.arange(at[0], at[-1], 1.0 / RESAMPLE_HZ)
    even = interpolate.CubicSpline(at, nn_ms)(grid)
    even = even - np.mean(even)
    segment = min(len(even), round(SEGMENT_S * RESAMPLE_HZ))
    freqs, psd = signal.welch(
        even, fs=RESAMPLE_HZ, window="hann", nperseg=segment, noverlap=segment // 2,
        detrend="constant", scaling="density",
    )  # fmt: skip
    return Spectrum(_band(freqs, psd, LF_HZ), _band(freqs, psd, HF_HZ))


def _band(freqs: FloatArray, psd: FloatArray, band: tuple[float, float]) -> float:
    """The PSD integrated (trapezoids) over [low, high): as NeuroKit2's ``signal_power``."""
    inside = (freqs >= band[0]) & (freqs < band[1])
    return float(np.trapezoid(psd[inside], freqs[inside]))
