"""Measurements taken inside the page: page weight (Resource Timing) and frame rate (rAF).

Results are printed and merged into test-artifacts/web/metrics.json for the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Page

# Every request the page made, from the Resource Timing API (a fresh context: empty cache).
PAGE_WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const entries = [nav, ...performance.getEntriesByType("resource")];
  const kind = (url) => url.includes("/static/vendor/") ? "vendor"
    : url.includes("/static/") || url === nav.name ? "own"
    : url.includes("/api/") ? "api" : "other";
  const sum = {};
  for (const e of entries) {
    const k = kind(e.name);
    sum[k] ??= { requests: 0, transfer_bytes: 0, decoded_bytes: 0 };
    sum[k].requests += 1;
    sum[k].transfer_bytes += e.transferSize;
    sum[k].decoded_bytes += e.decodedBodySize;
  }
  const none = { requests: 0, transfer_bytes: 0, decoded_bytes: 0 };
  const page = ["own", "vendor"].map((k) => sum[k] ?? none);
  return {
    requests: page[0].requests + page[1].requests,
    transfer_bytes: page[0].transfer_bytes + page[1].transfer_bytes,
    decoded_bytes: page[0].decoded_bytes + page[1].decoded_bytes,
    by_kind: sum,
    load_ms: Math.round(nav.loadEventEnd - nav.startTime),
  };
}"""

# Animation frames the browser delivered, and the chart's redraws and render time, over a
# window of live data; long tasks (> 50 ms) would mean visible jank.
FRAME_RATE_JS = """async (windowMs) => {
  const { chart, buffer } = globalThis.sensorhub;
  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
  observer.observe({ type: "longtask" });
  const start = {
    redraws: chart.stats.redraws, renderMs: chart.stats.renderMs, samples: buffer.received,
  };
  const t0 = performance.now();
  let frames = 0;
  await new Promise((done) => {
    const tick = (now) => { frames++; now - t0 < windowMs ? requestAnimationFrame(tick) : done(); };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  const s = (performance.now() - t0) / 1000;
  const redraws = chart.stats.redraws - start.redraws;
  const renderMs = chart.stats.renderMs - start.renderMs;
  return {
    window_s: +s.toFixed(2),
    samples_per_s: Math.round((buffer.received - start.samples) / s),
    animation_frames_per_s: +(frames / s).toFixed(1),
    chart_redraws_per_s: +(redraws / s).toFixed(1),
    render_ms_per_s: +(renderMs / s).toFixed(1),
    render_ms_per_redraw: redraws ? +(renderMs / redraws).toFixed(2) : null,
    points_drawn: Number(chart.container.dataset.points),
    long_tasks: longTasks.length,
  };
}"""


async def page_weight(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(PAGE_WEIGHT_JS)
    return result


async def frame_rate(page: Page, window_ms: int = 2000) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(FRAME_RATE_JS, window_ms)
    return result


def record(artifacts: Path, name: str, values: dict[str, Any]) -> None:
    """Merge ``values`` under ``name`` into metrics.json and print them (pytest -s shows it)."""
    artifacts.mkdir(parents=True, exist_ok=True)
    path = artifacts / "metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {}
    metrics[name] = values
    path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    print(f"\n[web metrics] {name}: {json.dumps(values, sort_keys=True)}")
