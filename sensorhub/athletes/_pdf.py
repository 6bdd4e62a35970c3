"""One-page PDF reports, a test's and an athlete's, drawn with ReportLab (vector charts; every
word stays text, so a report can be searched and copied). ReportLab is imported only when a
report is made: it costs a few hundred ms that a server start need not pay."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensorhub.loadcell import SUMMARY_UNITS

#: A curve of thousands of samples draws as well from this many points, and stays small.
MAX_CURVE_POINTS = 1500
#: Left-out tests listed on an athlete's page before "and N more": the page stays one page.
MAX_LEFT_OUT = 6
_LABELS = {
    "body_weight_n": "Body weight",
    "peak_force_n": "Peak force",
    "peak_net_force_n": "Peak net force",
    "relative_peak_force_n_per_kg": "Relative peak force",
    "rfd_0_200_n_per_s": "RFD 0–200 ms",
    "asymmetry_pct": "Asymmetry at peak |L − R| / max (+ = right)",
    "peak_rfd_n_per_s": "Peak RFD (20 ms)",
    "peak_rfd_time_s": "Peak RFD at (after onset)",
    "best_1s_force_n": "Best 1-s mean force",
}


@dataclass(frozen=True, slots=True)
class Curve:
    """Seconds and newtons to draw; ``sides`` are (left, right) or None."""

    t_s: Sequence[float]
    total: Sequence[float]
    sides: tuple[Sequence[float], Sequence[float]] | None


def _decimals(unit: str) -> int:
    """Shown decimals: a millimetre of jump height, a millisecond, 0.01 m/s, 0.1 N."""
    return 0 if unit == "N/s" else 3 if unit in ("s", "m") else 2 if unit in ("N/kg", "m/s") else 1


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{_decimals(unit)}f} {unit}"


def _styles() -> Any:
    from reportlab.lib.styles import getSampleStyleSheet

    return getSampleStyleSheet()


def _document(story: list[Any], title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    margin = 15 * mm
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=title, author="sensorhub", leftMargin=margin,
        rightMargin=margin, topMargin=margin, bottomMargin=margin,
    )  # fmt: skip
    doc.build(story)
    return out.getvalue()


def _table(rows: list[list[str]]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ]
        )
    )
    return table


def _chart(
    series: list[tuple[Sequence[float], Sequence[float], str]],
    x_label: str,
    y_label: str,
    *,
    height: int = 180,
    markers: bool = False,
) -> Any:
    """A line chart: ``series`` of (x, y, colour name);
    ``markers`` draws each point (a session), so a single one shows too."""
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    width = 500
    drawing = Drawing(width, height + 20)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 50, 32, width - 70, height - 42
    plot.data = [list(zip(x, y, strict=True)) for x, y, _ in series]
    for i, (_, _, colour) in enumerate(series):
        plot.lines[i].strokeColor = getattr(colors, colour)
        plot.lines[i].strokeWidth = 1
        if markers:
            plot.lines[i].symbol = makeMarker("FilledCircle", size=4)
    if markers:  # whole sessions on the x axis, with room around the first and last
        count = max(len(x) for x, _, _ in series)
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, count - 0.5
        plot.xValueAxis.valueSteps = list(range(count))
        plot.xValueAxis.labelTextFormat = lambda v: str(int(v) + 1)
    lows = [min(y) for _, y, _ in series if y]
    highs = [max(y) for _, y, _ in series if y]
    if lows:
        pad = (max(highs) - min(lows)) * 0.05 or 1.0
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = min(lows) - pad, max(highs) + pad
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 2, x_label, fontSize=8, textAnchor="middle"))
    drawing.add(String(5, height + 8, y_label, fontSize=8))
    return drawing


def _thin(values: Sequence[float]) -> list[float]:
    step = max(1, len(values) // MAX_CURVE_POINTS)
    return [float(v) for v in values[::step]]


def _curve(curve: Curve, styles: Any) -> Any:
    """The force-time chart, or why there is none (a test with fewer than two samples)."""
    from reportlab.platypus import Paragraph

    if len(curve.t_s) < 2 or max(curve.t_s) <= min(curve.t_s):
        return Paragraph(f"No curve: the test has {len(curve.t_s)} sample(s).", styles["Normal"])
    t = _thin(curve.t_s)
    series: list[tuple[Sequence[float], Sequence[float], str]] = [(t, _thin(curve.total), "black")]
    if curve.sides is not None:
        series += [(t, _thin(curve.sides[0]), "blue"), (t, _thin(curve.sides[1]), "red")]
    return _chart(series, "time (s)", "force (N): total black, left blue, right red")


def test_report(test: dict[str, Any], analysis: dict[str, Any], curve: Curve) -> bytes:
    """A test on one page: who and when, the curve, metrics with units, asymmetry, flags."""
    if (analysis.get("params") or {}).get("test_type", "imtp") != "imtp":
        return jump_report(test, analysis, curve)
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    summary = analysis.get("summary") or {}
    result = analysis.get("result") or {}
    story: list[Any] = [
        Paragraph(f"IMTP test {test['id']}", styles["Title"]),
        Paragraph(
            f"Athlete: {_escape(test['athlete'] or 'none')} · Date: {test['started_at']} · "
            f"Device: {test['device_id']} · Source: {test['source'] or 'sensorhub'}",
            styles["Normal"],
        ),
        Spacer(0, 6),
    ]
    story.append(_curve(curve, styles))
    rows = [["Metric", "Value"]]
    rows += [[_LABELS[m], _fmt(summary.get(m), unit)] for m, unit in SUMMARY_UNITS.items()]
    rows.append(["Stronger side at peak", summary.get("asymmetry_side") or "n/a"])
    params = analysis.get("params") or {}
    rows.append(["Onset method", _method(params)])
    if result:
        rows.append(["Sample rate", f"{result['sample_rate_hz']:.0f} Hz"])
    story += [Spacer(0, 6), _table(rows), Spacer(0, 6), Paragraph("Flags", styles["Heading3"])]
    flags = result.get("flags") or []
    if analysis.get("error"):
        flags = [{"code": "analysis_error", "reason": analysis["error"]}]
    story += [
        Paragraph(f"<b>{f['code']}</b>: {_escape(f['reason'])}", styles["Normal"]) for f in flags
    ] or [Paragraph("none", styles["Normal"])]
    return _document(story, f"IMTP test {test['id']}")


#: A jump rep's rows in the PDF: the numbers docs/jumps.md puts first, then left vs right.
_JUMP_ROWS = (
    "jump_height_impulse_m",
    "jump_height_flight_m",
    "take_off_velocity_m_s",
    "time_to_take_off_s",
    "rsi_modified_m_s",
    "countermovement_depth_m",
    "braking_net_impulse_n_s",
    "propulsion_net_impulse_n_s",
    "propulsion_peak_power_w",
    "contact_time_s",
    "flight_time_s",
    "rsi_m_s",
    "mean_rsi_best_hops_m_s",
    "peak_landing_force_n",
    "time_to_stabilisation_s",
)


def jump_report(test: dict[str, Any], analysis: dict[str, Any], curve: Curve) -> bytes:
    """A jump test: who and when, the curve, each rep's headline numbers and sides, checks."""
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    result = analysis.get("result") or {}
    kind = (analysis.get("params") or {}).get("test_type", "jump")
    title = f"{kind} test {test['id']}"
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"Athlete: {_escape(test['athlete'] or 'none')} · Date: {test['started_at']} · "
            f"Device: {test['device_id']} · Method: docs/jumps.md (McMahon et al. 2018, "
            "Owen et al. 2014)",
            styles["Normal"],
        ),
        Spacer(0, 6),
        _curve(curve, styles),
    ]
    if analysis.get("error"):
        story.append(Paragraph(f"No analysis: {_escape(analysis['error'])}", styles["Normal"]))
    for rep in result.get("reps", []):
        story += [Spacer(0, 6), Paragraph(f"Rep {rep['index'] + 1}", styles["Heading3"])]
        rows = [["Metric", "Value"]]
        metrics = rep["metrics"]
        rows += [[name.replace("_", " "), _jump_value(name, metrics[name])]
                 for name in _JUMP_ROWS if metrics.get(name) is not None]  # fmt: skip
        for name, between in rep.get("asymmetry", {}).items():
            if name.endswith("net_impulse_n_s"):
                side = f" ({between['stronger']} stronger)" if between["stronger"] else ""
                rows.append([f"L/R {name.replace('_', ' ')}", f"{between['percent']:.1f} %{side}"])
        checks = [c["code"] for c in rep["checks"]] or ["no flags"]
        rows.append(["Checks", ", ".join(checks)])
        story.append(_table(rows))
    return _document(story, title)


def _jump_value(name: str, value: float) -> str:
    for suffix, unit, digits in (("_m_s", "m/s", 2), ("_n_s", "N·s", 1), ("_w", "W", 0),
                                 ("_n", "N", 0), ("_s", "s", 3), ("_m", "m", 3)):  # fmt: skip
        if name.endswith(suffix):
            return f"{value:.{digits}f} {unit}"
    return f"{value:.3f}"


def athlete_report(athlete: dict[str, Any], trends: Sequence[dict[str, Any]], period: str) -> bytes:
    """An athlete over a period: per metric, the sessions' values, the typical error with its
    source, the SWC, each change with its interval and flag, and what was left out."""
    from reportlab.platypus import Paragraph

    styles = _styles()
    story: list[Any] = [
        Paragraph(f"{athlete['kind']} history: {_escape(athlete['name'])}", styles["Heading1"]),
        Paragraph(
            f"Period: {period} · Groups: {', '.join(athlete['groups']) or 'none'}", styles["Normal"]
        ),
    ]
    for trend in trends:
        story += _trend_section(trend, styles)
    # The first (peak force, or the jump's ranking number) trend's list: the others add only
    # metrics a recording lacks.
    left_out = {item["test_id"]: item["reason"] for item in trends[0]["left_out"]}
    if left_out:
        shown = sorted(left_out.items())[:MAX_LEFT_OUT]
        lines = [f"test {test_id}: {_escape(reason)}" for test_id, reason in shown]
        if len(left_out) > MAX_LEFT_OUT:
            lines.append(f"and {len(left_out) - MAX_LEFT_OUT} more (see the trend API)")
        story += [
            Paragraph("Left out", styles["Heading3"]),
            Paragraph("<br/>".join(lines), styles["Normal"]),
        ]
    return _document(story, f"{athlete['kind']} history {athlete['name']}")


def _trend_section(trend: dict[str, Any], styles: Any) -> list[Any]:
    from reportlab.platypus import Paragraph

    unit, sessions = trend["unit"], trend["sessions"]
    title = (
        f"{_label(trend['metric'])} ({unit}, better: {trend['better'].replace('_', ' ')}), "
        f"method {trend['method']['label']}"
    )
    section: list[Any] = [Paragraph(title, styles["Heading4"])]
    if not sessions:
        return section + [Paragraph("no sessions in this period", styles["Normal"])]
    bests = [s["best"] for s in sessions]
    x = [float(i) for i in range(len(bests))]
    section.append(_chart([(x, bests, "black")], "session", unit, height=60, markers=True))
    section.append(Paragraph(_noise_text(trend), styles["Normal"]))
    changes = "; ".join(_change_text(s, unit) for s in sessions[-4:])
    section.append(Paragraph(f"Latest sessions: {changes}", styles["Normal"]))
    return section


def _noise_text(trend: dict[str, Any]) -> str:
    """The TE with its interval and where it came from, and the SWC with its source."""
    unit, te, swc = trend["unit"], trend["typical_error"], trend["swc"]
    if te["value"] is not None:
        low, high = te["interval"]
        size = f"{_fmt(te['value'], unit)} (90 % CI {_fmt(low, unit)} to {_fmt(high, unit)})"
    elif te["cv_pct"] is not None:
        size = f"CV {te['cv_pct']:g} %"
    else:
        size = "unknown"
    return (
        f"Typical error {size}, from {_escape(te['description'])}. Smallest worthwhile change "
        f"{_fmt(swc['value'], unit)} ({_escape(swc['source'])})."
    )


def _change_text(session: dict[str, Any], unit: str) -> str:
    """A session's value, its change with the 90 % interval and the chances beyond ±SWC."""
    text = f"{session['date']}: {_fmt(session['best'], unit)}"
    if session["change"] is None:
        return text + " (first)"
    if session["interval"] is None:
        return text + f" ({session['change']})"
    low, high = session["interval"]
    digits = _decimals(unit)
    text += (
        f", change {session['difference']:+.{digits}f} (90 % CI {low:+.{digits}f} to "
        f"{high:+.{digits}f}) "
        f"<b>{session['change'].replace('_', ' ')}</b>"
    )
    if session["p_above_swc"] is not None:
        text += (
            f", P(&gt; +SWC) {session['p_above_swc']:.0%}, "
            f"P(&lt; −SWC) {session['p_below_swc']:.0%}"
        )
    return text


def _label(metric: str) -> str:
    """An IMTP metric's label, or a jump metric's name in words (docs/jumps.md defines it)."""
    return _LABELS.get(metric, metric.replace("_", " "))


def _method(params: dict[str, Any]) -> str:
    from sensorhub.loadcell import method_label

    return method_label(params)


def _escape(text: str) -> str:
    """ReportLab paragraphs read a little XML: keep <, > and & as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
