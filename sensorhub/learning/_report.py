"""The training report: one self-contained HTML page (plots inline as SVG, nothing fetched)
saved beside the model. Plots with matplotlib (the ``[train]`` extra), imported only here."""

from __future__ import annotations

import html
import io
from typing import Any


def _svg(figure: Any) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg") :]


def _plots(evaluation: dict[str, Any]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib.figure import Figure

    roc = Figure(figsize=(4, 4))
    ax = roc.add_subplot()
    ax.plot(evaluation["roc"]["fpr"], evaluation["roc"]["tpr"], label="held-out participants")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, pooled LOPO")
    ax.legend(loc="lower right")

    people = evaluation["per_participant"]
    bars = Figure(figsize=(5, 4))
    ax = bars.add_subplot()
    names = list(people)
    ax.bar(names, [people[n]["balanced_accuracy"] or 0.0 for n in names])
    ax.axhline(0.5, linestyle="--", color="grey")
    ax.set(ylim=(0, 1), ylabel="balanced accuracy", title="Each participant, held out")

    confusion = Figure(figsize=(4, 4))
    ax = confusion.add_subplot()
    matrix = evaluation["pooled"]["confusion"]
    ax.imshow(matrix, cmap="Blues")
    darkest = max(max(row) for row in matrix)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            colour = "white" if count > darkest / 2 else "black"  # readable on either shade
            ax.text(j, i, str(count), ha="center", va="center", color=colour)
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["calm", "stress"],
           yticklabels=["calm", "stress"], xlabel="predicted", ylabel="true",
           title="Confusion, pooled LOPO")  # fmt: skip
    return [_svg(f) for f in (roc, bars, confusion)]


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def report_html(meta: dict[str, Any]) -> str:
    e = meta["evaluation"]
    rows = "".join(
        f"<tr><td>{html.escape(p)}</td><td>{s['windows']}</td>"
        f"<td>{_figure(s['balanced_accuracy'])}</td><td>{_figure(s['f1'])}</td>"
        f"<td>{_figure(s['roc_auc'])}</td></tr>"
        for p, s in e["per_participant"].items()
    )
    pooled, mixed = e["pooled"], e["not_held_out"]
    warning = (
        f'<p class="warning">Trained on {e["participants"]} participants, fewer than '
        f"{e['min_participants']}: these figures say little about a new person.</p>"
        if e["too_few_participants"]
        else ""
    )
    plots = "".join(f"<figure>{svg}</figure>" for svg in _plots(e))
    title = f"{html.escape(meta['name'])}@v{meta['version']}"
    held_out = (
        f"balanced accuracy <b>{_figure(pooled['balanced_accuracy'])}</b>, "
        f"F1 <b>{_figure(pooled['f1'])}</b>, ROC AUC <b>{_figure(pooled['roc_auc'])}</b>"
    )
    inflated = (
        f"balanced accuracy {_figure(mixed['balanced_accuracy'])}, "
        f"F1 {_figure(mixed['f1'])}, ROC AUC {_figure(mixed['roc_auc'])}"
    )
    relative = "yes" if meta["relative_to_baseline"] else "no"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style>{_STYLE}</style></head><body>
<h1>Window stress model {title}</h1>
<p>Target: <b>{html.escape(meta["target"])}</b>; features ({len(meta["features"])}):
{html.escape(", ".join(meta["features"]))}; relative to each participant's baseline:
<b>{relative}</b>; sessions {meta["sessions"]}; {meta["windows"]} windows;
standardised logistic regression (scikit-learn).</p>
{warning}
<h2>Leave one participant out</h2>
<p>Pooled over every held-out participant: {held_out}.</p>
<table><tr><th>participant</th><th>windows</th><th>balanced accuracy</th><th>F1</th>
<th>ROC AUC</th></tr>
{rows}</table>
<p>Not holding participants out (5-fold over windows, for comparison only): {inflated}.
The difference is how much testing on people the model has seen flatters it.</p>
{plots}
</body></html>
"""


_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:70em}"
    "td,th{padding:.2em .8em;text-align:right}"
    ".warning{background:#fff3cd;padding:.6em;border-left:4px solid #c90}"
    "figure{display:inline-block;margin:0 1em}figure svg{width:22em;height:auto}"
)
