"""Force plate domain: IMTP analysis, force-time files and their text report (pure NumPy)."""

from sensorhub.loadcell.forcefile import ForceRecording, read_force_file, read_force_text
from sensorhub.loadcell.imtp import (
    WINDOWS_MS,
    AnalysisParams,
    Flag,
    FlagCode,
    ImtpResult,
    Onset,
    OnsetMethod,
    Peak,
    Reference,
    Weighing,
    WindowMetrics,
    analyze,
    analyze_recording,
    describe_method,
    method_key,
    method_label,
)
from sensorhub.loadcell.recorded import (
    SUMMARY_UNITS,
    RecordedAs,
    SummaryMetric,
    analysis_record,
    analyze_samples,
    summarize,
)
from sensorhub.loadcell.report import format_report
from sensorhub.loadcell.windows import BestMean, PeakRfd, best_mean, peak_rfd

__all__ = [
    "AnalysisParams",
    "BestMean",
    "Flag",
    "FlagCode",
    "ForceRecording",
    "ImtpResult",
    "Onset",
    "OnsetMethod",
    "Peak",
    "PeakRfd",
    "RecordedAs",
    "Reference",
    "SUMMARY_UNITS",
    "SummaryMetric",
    "WINDOWS_MS",
    "Weighing",
    "WindowMetrics",
    "analysis_record",
    "analyze",
    "analyze_recording",
    "analyze_samples",
    "best_mean",
    "describe_method",
    "format_report",
    "method_key",
    "method_label",
    "peak_rfd",
    "read_force_file",
    "read_force_text",
    "summarize",
]
