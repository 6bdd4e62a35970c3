"""Every jump metric with its unit and which way is better, as the change flags take them.

No default between-session CV is given: published jump reliability depends on the device, the
threshold and the cohort, and none was checked against these exact definitions; a change is
then judged against a reliability study the coach records (docs/athletes.md), else ``unknown``.
"""

from __future__ import annotations

from sensorhub.loadcell.metrics import Better, MetricSpec

#: Phases with per-phase metrics, and which way their forces, velocities and powers are better.
_PHASES: dict[str, Better] = {
    "unweighting": Better.NONE,  # a strategy: a deeper, faster dip is not better or worse
    "braking": Better.HIGHER,
    "propulsion": Better.HIGHER,
}


def _phase_specs(phase: str, better: Better) -> tuple[MetricSpec, ...]:
    return (
        MetricSpec(f"{phase}_duration_s", "s", Better.LOWER if better is Better.HIGHER else better),
        MetricSpec(f"{phase}_net_impulse_n_s", "N·s", better),
        MetricSpec(f"{phase}_mean_force_n", "N", better),
        MetricSpec(f"{phase}_peak_force_n", "N", better),
        MetricSpec(f"{phase}_mean_velocity_m_s", "m/s", Better.NONE),
        MetricSpec(
            f"{phase}_peak_velocity_m_s", "m/s", better if phase == "propulsion" else Better.NONE
        ),
        MetricSpec(f"{phase}_mean_power_w", "W", better if phase == "propulsion" else Better.NONE),
        MetricSpec(f"{phase}_peak_power_w", "W", better if phase == "propulsion" else Better.NONE),
    )


JUMP_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("body_weight_n", "N", Better.NONE),
        MetricSpec("mass_kg", "kg", Better.NONE),
        MetricSpec("take_off_velocity_m_s", "m/s", Better.HIGHER),
        MetricSpec("jump_height_impulse_m", "m", Better.HIGHER),
        MetricSpec("jump_height_flight_m", "m", Better.HIGHER),
        MetricSpec("flight_time_s", "s", Better.HIGHER),
        MetricSpec("time_to_take_off_s", "s", Better.LOWER),
        MetricSpec("rsi_modified_m_s", "m/s", Better.HIGHER),
        MetricSpec("countermovement_depth_m", "m", Better.NONE),
        MetricSpec("braking_rfd_n_per_s", "N/s", Better.HIGHER),
        *(spec for phase, better in _PHASES.items() for spec in _phase_specs(phase, better)),
        MetricSpec("peak_landing_force_n", "N", Better.LOWER),
        MetricSpec("landing_duration_s", "s", Better.NONE),
        MetricSpec("landing_net_impulse_n_s", "N·s", Better.NONE),
        MetricSpec("time_to_stabilisation_s", "s", Better.LOWER),
        MetricSpec("contact_time_s", "s", Better.LOWER),
        MetricSpec("rsi_m_s", "m/s", Better.HIGHER),
        MetricSpec("peak_impact_force_n", "N", Better.LOWER),
        MetricSpec("hop_count", "", Better.NONE),
        MetricSpec("best_rsi_m_s", "m/s", Better.HIGHER),
        MetricSpec("mean_rsi_best_hops_m_s", "m/s", Better.HIGHER),
        MetricSpec("mean_contact_time_best_hops_s", "s", Better.LOWER),
        MetricSpec("mean_jump_height_best_hops_m", "m", Better.HIGHER),
    )
}
#: Left-vs-right asymmetry of each side metric: closer to even is better.
SIDE_ASYMMETRY = Better.CLOSER_TO_ZERO
