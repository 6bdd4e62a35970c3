"""Force plate domain: IMTP analysis, force-time files and their text report (pure NumPy)."""

from sensorhub.loadcell.forcefile import ForceRecording, read_force_file
from sensorhub.loadcell.imtp import (
    WINDOWS_MS,
    AnalysisParams,
    Flag,
    FlagCode,
    ImtpResult,
    Onset,
    OnsetMethod,
    Peak,
    Weighing,
    WindowMetrics,
    analyze,
    analyze_recording,
)
from sensorhub.loadcell.recorded import analysis_record, analyze_samples, summarize
from sensorhub.loadcell.report import format_report

__all__ = [
    "AnalysisParams",
    "Flag",
    "FlagCode",
    "ForceRecording",
    "ImtpResult",
    "Onset",
    "OnsetMethod",
    "Peak",
    "WINDOWS_MS",
    "Weighing",
    "WindowMetrics",
    "analysis_record",
    "analyze",
    "analyze_recording",
    "analyze_samples",
    "format_report",
    "read_force_file",
    "summarize",
]
