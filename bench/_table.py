"""Benchmark results, the table they print as and the JSON they are saved as."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Result:
    """One row: our figure, and for a target row the baseline measured in the same run.

    ``holds`` is the verdict against ``target`` (None for a row without a target).
    """

    name: str
    ours: float
    unit: str
    baseline: float | None = None
    target: str = ""
    holds: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.ours / self.baseline


def machine() -> dict[str, Any]:
    """What the numbers depend on: cores, CPU model, Python."""
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def format_table(results: list[Result]) -> str:
    info = machine()
    header = f"{info['cores']} cores, {info['cpu']}, Python {info['python']}"
    columns = ("scenario", "ours", "baseline", "ratio", "unit", "target", "verdict")
    rows = [columns] + [_cells(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [header, ""]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(width) if i in (0, 4, 5, 6) else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def _cells(r: Result) -> tuple[str, str, str, str, str, str, str]:
    ratio = r.ratio
    verdict = "" if r.holds is None else ("holds" if r.holds else "MISSES")
    return (
        r.name,
        _number(r.ours),
        "" if r.baseline is None else _number(r.baseline),
        "" if ratio is None else f"{ratio:.2f}×",
        r.unit,
        r.target,
        verdict,
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def save_json(results: list[Result], path: Path | None) -> Path:
    """Write the run (machine, commit-independent rows) for comparing commits."""
    if path is None:
        path = Path("bench-results") / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{**asdict(r), "ratio": r.ratio} for r in results]
    document = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "rows": rows}
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
