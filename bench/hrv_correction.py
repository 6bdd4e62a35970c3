"""The methods review's table again: known-truth rhythms (tests/physio/_rhythms.py) through
sensorhub's windows and through NeuroKit2's corrected pipeline (ppg_clean, ppg_findpeaks,
signal_fixpeaks(method="kubios"), hrv_time), and the cost of correcting one window's beats
with ours and with NeuroKit2's signal_fixpeaks. ``python -m bench.hrv_correction``."""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from sensorhub.physio import Channel, WindowSignals, bandpass, detect_beats, window_features
from sensorhub.physio.correction import correct
from tests.physio._rhythms import ACC_HZ, HZ, Rhythm, rhythms

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import neurokit2 as nk


def _neurokit(rhythm: Rhythm) -> tuple[float, float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ppg_clean(rhythm.bvp(), sampling_rate=int(HZ))
        peaks = nk.ppg_findpeaks(cleaned, sampling_rate=int(HZ))["PPG_Peaks"]
        peaks = peaks[(peaks >= HZ) & (peaks <= 59 * HZ)]  # our analysed span
        _, fixed = nk.signal_fixpeaks(peaks, sampling_rate=int(HZ), method="kubios")
        hrv = nk.hrv_time(fixed, sampling_rate=int(HZ)).iloc[0]
    return 60_000 / hrv["HRV_MeanNN"], hrv["HRV_RMSSD"], hrv["HRV_SDNN"]


def _median_ms(run: Callable[[], object], repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    print("| 60 s at 64 Hz | truth HR / RMSSD / SDNN | sensorhub | NeuroKit2 + Kubios fixpeaks |")
    print("|---|---|---|---|")
    for r in rhythms():
        nn = r.truth()
        truth = (60_000 / np.mean(nn), np.sqrt(np.mean(np.diff(nn) ** 2)), np.std(nn, ddof=1))
        f = window_features(WindowSignals(bvp=Channel(HZ, r.bvp()), acc=Channel(ACC_HZ, r.acc())))
        ours = (
            f"{f.hr_bpm:.2f} / {f.rmssd_ms:.1f} / {f.sdnn_ms:.1f} ({f.quality}; "
            f"{100 * (f.corrected_beats or 0):.1f} % corrected, "
            f"{100 * (f.motion_beats or 0):.1f} % under motion)"
            if f.hr_bpm is not None and f.rmssd_ms is not None and f.sdnn_ms is not None
            else f"{f.quality} ({f.reason})"
        )
        theirs = "{:.2f} / {:.1f} / {:.1f}".format(*_neurokit(r))
        print(
            f"| {r.name} | {truth[0]:.2f} / {truth[1]:.1f} / {truth[2]:.1f} | {ours} | {theirs} |"
        )
    beats = detect_beats(bandpass(rhythms()[2].bvp(), HZ), HZ)
    peaks = np.round(beats * HZ).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_ms = _median_ms(
            lambda: nk.signal_fixpeaks(peaks, sampling_rate=int(HZ), method="kubios")
        )
    print(f"\ncorrecting one window's beats: ours {_median_ms(lambda: correct(beats)):.2f} ms, "
          f"NeuroKit2 signal_fixpeaks {theirs_ms:.2f} ms (median of 50)")  # fmt: skip


if __name__ == "__main__":
    main()
