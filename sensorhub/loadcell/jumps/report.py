"""A plain-text report of a jump analysis, for the terminal (``sensorhub analyze --test``)."""

from __future__ import annotations

from sensorhub.loadcell.jumps.analysis import JumpResult, Rep

_LABEL_WIDTH = 30
#: The numbers shown per rep, in order, with their unit and a scale for display.
_HEADLINE: tuple[tuple[str, str, float], ...] = (
    ("body_weight_n", "N", 1.0),
    ("jump_height_impulse_m", "cm", 100.0),
    ("jump_height_flight_m", "cm", 100.0),
    ("take_off_velocity_m_s", "m/s", 1.0),
    ("time_to_take_off_s", "ms", 1000.0),
    ("rsi_modified_m_s", "m/s", 1.0),
    ("countermovement_depth_m", "cm", 100.0),
    ("braking_net_impulse_n_s", "N·s", 1.0),
    ("propulsion_net_impulse_n_s", "N·s", 1.0),
    ("propulsion_peak_power_w", "W", 1.0),
    ("contact_time_s", "ms", 1000.0),
    ("flight_time_s", "ms", 1000.0),
    ("rsi_m_s", "m/s", 1.0),
    ("mean_rsi_best_hops_m_s", "m/s", 1.0),
    ("hop_count", "", 1.0),
    ("peak_landing_force_n", "N", 1.0),
    ("time_to_stabilisation_s", "ms", 1000.0),
)


def format_jump_report(result: JumpResult) -> str:
    """Every rep's events, headline numbers and checks as aligned text."""
    rate = f"{result.sample_count} samples at {result.sample_rate_hz:.0f} Hz"
    lines = [
        f"{result.params.test_type} analysis: {rate}, {len(result.reps)} rep(s), contact "
        f"threshold {result.contact_threshold_n:.1f} N"
    ]
    lines += [f"  ! {check.code.value}: {check.reason}" for check in result.checks]
    sections = ["\n".join(lines), *(_rep(rep) for rep in result.reps)]
    return "\n\n".join(sections) + "\n"


def _rep(rep: Rep) -> str:
    events = ", ".join(f"{name} {time:.3f}" for name, time in rep.events.items())
    lines = [f"rep {rep.index + 1}", _row("events (s)", events)]
    for name, unit, scale in _HEADLINE:
        value = rep.metrics.get(name)
        if value is not None:
            lines.append(_row(name, f"{value * scale:.{_decimals(unit)}f} {unit}".rstrip()))
    lines += [f"  ! {check.code.value}: {check.reason}" for check in rep.checks]
    return "\n".join(lines)


def _row(label: str, value: str) -> str:
    return f"  {label:<{_LABEL_WIDTH}}{value}"


def _decimals(unit: str) -> int:
    return 2 if unit in ("m/s", "cm") else 0 if unit in ("", "ms", "W") else 1
