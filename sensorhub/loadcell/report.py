"""A plain-text report of one IMTP analysis, for the terminal (``sensorhub analyze``)."""

from __future__ import annotations

from sensorhub.loadcell.imtp import ImtpResult, Peak, describe_method

_MISSING = "n/a"
_LABEL_WIDTH = 22


def format_report(result: ImtpResult) -> str:
    """Render ``result`` as aligned text: recording, weighing, onset, peak, windows, flags."""
    sections = [
        _recording(result),
        _peak(result.peak),
        _sliding(result),
        _windows(result),
        _flags(result),
    ]
    return "\n\n".join(sections) + "\n"


def _row(label: str, value: str) -> str:
    return f"  {label:<{_LABEL_WIDTH}}{value}"


def _num(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None:
        return _MISSING
    return f"{value:.{decimals}f} {unit}"


def _recording(result: ImtpResult) -> str:
    weighing, onset = result.weighing, result.onset
    how = "automatic, steadiest window" if weighing.automatic else "given"
    lines = [
        "IMTP analysis",
        _row(
            "samples",
            f"{result.sample_count} at {result.sample_rate_hz:.0f} Hz ({result.duration_s:.3f} s)",
        ),
        _row("weighing window", f"{weighing.start_s:.3f}–{weighing.end_s:.3f} s ({how})"),
        _row(
            "body weight" if weighing.mass_kg is not None else "resting baseline",
            f"{_num(weighing.body_weight_n, 'N')} (SD {weighing.sd_n:.2f} N)",
        ),
        _row("mass", _num(weighing.mass_kg, "kg", 2)),
    ]
    method = _method(result)
    if onset is None:
        lines.append(_row("onset", f"none found ({method})"))
    else:
        lines.append(_row("onset", f"{onset.time_s:.3f} s ({method}), {_num(onset.force_n, 'N')}"))
    return "\n".join(lines)


def _method(result: ImtpResult) -> str:
    return describe_method(result.params)


def _peak(peak: Peak | None) -> str:
    if peak is None:
        return "Peak\n" + _row("peak force", _MISSING)
    lines = [
        "Peak",
        _row("peak force", _num(peak.force_n, "N")),
        _row("peak net force", _num(peak.net_force_n, "N")),
        _row("relative peak force", _num(peak.relative_force_n_per_kg, "N/kg", 2)),
        _row("time to peak", _num(peak.time_to_peak_s, "s", 3)),
        _row("impulse to peak", _num(peak.impulse_n_s, "N·s", 2)),
    ]
    if peak.asymmetry_pct is not None or peak.left_n is not None:
        lines += [
            _row("left / right peak", f"{_num(peak.left_n, 'N')} / {_num(peak.right_n, 'N')}"),
            _row(
                "left / right at peak",
                f"{_num(peak.left_at_peak_n, 'N')} / {_num(peak.right_at_peak_n, 'N')}",
            ),
            _row("asymmetry at peak", f"{_num(peak.asymmetry_pct, '%')} (+ = right stronger)"),
        ]
    return "\n".join(lines)


def _sliding(result: ImtpResult) -> str:
    rfd, best = result.peak_rfd, result.best_1s
    steepest = _MISSING
    if rfd is not None:
        steepest = f"{_num(rfd.rfd_n_per_s, 'N/s', 0)} at {rfd.time_s:.3f} s after onset"
    strongest = _MISSING
    if best is not None:
        strongest = f"{_num(best.force_n, 'N')} from {best.start_s:.3f} s after onset"
    return "\n".join(
        [
            "Sliding windows",
            _row("peak RFD (20 ms)", steepest),
            _row("best 1 s mean force", strongest),
        ]
    )


def _windows(result: ImtpResult) -> str:
    header = f"  {'after onset':<12}{'net force':>14}{'RFD 0–t':>16}{'impulse 0–t':>14}"
    lines = ["Time points", header]
    for w in result.windows:
        lines.append(
            f"  {f'{w.window_ms} ms':<12}{_num(w.net_force_n, 'N'):>14}"
            f"{_num(w.rfd_n_per_s, 'N/s', 0):>16}{_num(w.impulse_n_s, 'N·s', 2):>14}"
        )
    return "\n".join(lines)


def _flags(result: ImtpResult) -> str:
    if not result.flags:
        return "Flags\n  none"
    return "Flags\n" + "\n".join(f"  {flag.code.value}: {flag.reason}" for flag in result.flags)
