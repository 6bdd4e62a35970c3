"""Force plates over Socket.IO, ours beside the bare relay (``bench.bare_relay``).

Throughput: 10 esps send batches of 50 as fast as they can while 5 dashboards watch; the
rate is samples delivered to every dashboard (and, for ours, committed) per second, from the
first send to the last dashboard's last ``data_complete``. Latency: one plate paced at
1 kHz, 5 dashboards, send → dashboard time of each batch's first sample.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import _servers
from bench._table import Result

DEVICES = 10
BATCH = 50
BATCHES = 200  # per device: 100,000 samples in all
DASHBOARDS = 5
RATE_HZ = 1000.0
PACED_BATCHES = 100  # 5 s at 1 kHz


def stream(url: str, devices: int, batches: int, rate: float | None) -> dict[str, Any]:
    viewers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench._viewer", url, str(devices)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(DASHBOARDS)
    ]
    for viewer in viewers:
        assert viewer.stdout is not None and viewer.stdout.readline().strip() == "ready"
    pacing = [str(rate)] if rate else []
    command = [sys.executable, "-m", "bench._esp", url, str(devices), str(BATCH), str(batches)]
    esp = json.loads(
        subprocess.run([*command, *pacing], capture_output=True, text=True, check=True).stdout
    )
    seen = [json.loads(viewer.communicate(timeout=120)[0]) for viewer in viewers]
    latencies = sorted(ms for s in seen for ms in s["latencies_ms"])
    return {
        "sent": esp["sent"],
        "stored": esp["stored"],
        "delivered": min(s["received"] for s in seen),  # the dashboard that got the fewest
        "per_s": esp["sent"] / (max(s["end"] for s in seen) - esp["start"]),
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
    }


def measure() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "servers.log"
        with (
            _servers.running(["-m", "bench.bare_relay"], log) as bare,
            _servers.running(_servers.ours(Path(tmp) / "data"), log, _servers.LIMITS_OFF) as server,
        ):
            bare_many = stream(bare.url, DEVICES, BATCHES, None)
            many = stream(server.url, DEVICES, BATCHES, None)
            bare_paced = stream(bare.url, 1, PACED_BATCHES, RATE_HZ)
            paced = stream(server.url, 1, PACED_BATCHES, RATE_HZ)
    complete = all(r["stored"] == r["delivered"] == r["sent"] for r in (many, paced))
    return [
        Result(
            f"plates: {DEVICES} esp × {BATCH}-sample batches, {DASHBOARDS} dashboards",
            many["per_s"],
            "samples/s",
            bare_many["per_s"],
            "≥ 0.9× bare",  # issue 26 (it was 0.67 before)
            complete and many["per_s"] >= 0.9 * bare_many["per_s"],
            _counts(many, bare_many),
        ),
        Result(
            f"plate at 1 kHz, {DASHBOARDS} dashboards: esp → dashboard p99",
            paced["p99_ms"],
            "ms",
            bare_paced["p99_ms"],
            "≤ bare + 2 ms",
            complete and paced["p99_ms"] <= bare_paced["p99_ms"] + 2.0,
            f"p50 {paced['p50_ms']:.1f} vs bare {bare_paced['p50_ms']:.1f} ms; "
            + _counts(paced, bare_paced),
        ),
    ]


def _counts(ours: dict[str, Any], bare: dict[str, Any]) -> str:
    return (
        f"sent {ours['sent']}, committed {ours['stored']}, each dashboard got "
        f"≥ {ours['delivered']} (bare: ≥ {bare['delivered']} of {bare['sent']})"
    )
