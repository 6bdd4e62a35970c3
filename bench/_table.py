"""A benchmark row and the table they print as."""

from __future__ import annotations

Row = tuple[str, float, str, str]  # name, value, unit, note


def format_table(rows: list[Row]) -> str:
    name_width = max(len(r[0]) for r in rows)
    lines = [
        f"{'benchmark':<{name_width}}  {'value':>12}  unit        note",
        "-" * (name_width + 40),
    ]
    for name, value, unit, note in rows:
        lines.append(f"{name:<{name_width}}  {value:>12.2f}  {unit:<10}  {note}")
    return "\n".join(lines)
