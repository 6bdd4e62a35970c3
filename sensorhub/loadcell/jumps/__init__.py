"""Jump tests on the force plate (pure NumPy): countermovement, squat and drop jumps, rebound
hops and drop landings; docs/jumps.md defines the phases, events, metrics and checks."""

from sensorhub.loadcell.jumps.analysis import (
    EDITABLE_EVENTS,
    JUMP_TYPES,
    EventEdit,
    JumpParams,
    JumpResult,
    JumpType,
    Phase,
    Rep,
    analyze_jumps,
)
from sensorhub.loadcell.jumps.catalog import JUMP_METRICS
from sensorhub.loadcell.jumps.quality import Check, CheckCode
from sensorhub.loadcell.jumps.report import format_jump_report

__all__ = [
    "Check",
    "CheckCode",
    "EDITABLE_EVENTS",
    "EventEdit",
    "JUMP_METRICS",
    "JUMP_TYPES",
    "JumpParams",
    "JumpResult",
    "JumpType",
    "Phase",
    "Rep",
    "analyze_jumps",
    "format_jump_report",
]
