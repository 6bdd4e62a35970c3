"""Where the CPU of ``POST /api/sensor-data`` goes: CPU µs per request, parts stubbed in turn.

    .venv/bin/python -m bench.layers [--seconds 5] [--connections 32]

Each server runs in its own process under ``wrk``; its CPU time (``/proc/PID/stat`` utime +
stime, and per thread from ``/proc/PID/task``) is read before and after the run and divided by
the requests answered. Layers, each adding to the one before:

- ``bare``: the bare FastAPI app (``bench.bare_app``), the framework's own cost;
- ``hub``: ours with the hub's ingest stubbed (HTTP layers, validation, the JSON reply);
- ``model``: + the stress model and derived values, storage stubbed (ids handed out, nothing
  committed) and the broadcast;
- ``commit``: + the commit: the whole server as it runs.

Run it, not ``make bench``, to ask where the time goes; the numbers are whole-process CPU, so
they hold on a shared machine better than req/s, but still read the load average beside them.
"""

from __future__ import annotations

import argparse
import itertools
import os
import runpy
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench import _servers, _wrk

LAYERS = ("bare", "hub", "model", "commit")
_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(stat_path: Path) -> int:
    # The command name (field 2) may hold spaces: fields are counted after its ")".
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def _thread_ticks(pid: int) -> Counter[str]:
    """CPU ticks of the event loop's thread (the main one) and of all the others."""
    ticks: Counter[str] = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = "loop" if task.name == str(pid) else "other threads"
            ticks[name] += _cpu_ticks(task / "stat")
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return ticks


def _measure(layer: str, seconds: float, connections: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        arguments = (
            ["-m", "bench.bare_app"]
            if layer == "bare"
            else ["-m", "bench.layers", "--stub", layer, *_servers.ours(Path(tmp))[2:]]
        )
        with _servers.running(arguments, log, _servers.LIMITS_OFF) as server:
            url = server.url + "/api/sensor-data"
            _wrk.post(url, connections=connections, seconds=1)  # warm up
            pid = server.process.pid
            before = _thread_ticks(pid)
            load = _wrk.post(url, connections=connections, seconds=seconds)
            after = _thread_ticks(pid)
    answered = load.requests - load.non_2xx
    per_request = {
        name: (after[name] - before[name]) / _TICKS_PER_S * 1e6 / answered for name in after
    }
    total = sum(per_request.values())
    threads = ", ".join(f"{n} {us:.0f}" for n, us in sorted(per_request.items()) if us >= 1)
    return (
        f"{layer:7} {total:6.0f} µs/request  {load.per_s:7.0f} req/s  "
        f"p50 {load.p50_ms:.2f} ms  non-2xx {load.non_2xx}  threads: {threads}"
    )


def _stub(layer: str) -> None:
    """Replace what lies beyond ``layer`` in this process (the server about to start)."""
    from sensorhub.hub import Hub

    ids = itertools.count(1)

    if layer == "hub":
        from sensorhub.biometrics.readings import ProcessedReading, Reading
        from sensorhub.contracts import reading_payload
        from sensorhub.types import JSONDict

        async def ingest_readings(self: Hub, readings: Sequence[Reading]) -> list[JSONDict]:
            return [reading_payload(_stubbed(reading, next(ids))) for reading in readings]

        def _stubbed(r: Reading, id_: int) -> ProcessedReading:
            return ProcessedReading(
                r.device_id, 0.0, r.device_timestamp, r.bvp, r.temperature, r.acc_x, r.acc_y,
                r.acc_z, 0.0, 0.0, "Calm", "stub", id_,
            )  # fmt: skip

        Hub.ingest_readings = ingest_readings  # type: ignore[method-assign]
    elif layer == "model":
        from sensorhub.biometrics.readings import ProcessedReading
        from sensorhub.storage import ReadingStore

        async def add(
            self: ReadingStore, rows: Sequence[ProcessedReading]
        ) -> list[ProcessedReading]:
            return [row._replace(id=next(ids)) for row in rows]

        ReadingStore.add = add  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.layers", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--layers", nargs="*", choices=LAYERS, default=list(LAYERS))
    # Internal: run the server with ``layer`` stubbed; the rest is ``sensorhub``'s command line.
    parser.add_argument("--stub", choices=LAYERS[1:], help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.stub is not None:
        _stub(args.stub)
        sys.argv = ["sensorhub", *rest]
        runpy.run_module("sensorhub", run_name="__main__", alter_sys=True)  # python -m sensorhub
        return
    print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    for layer in args.layers:
        print(_measure(layer, args.seconds, args.connections), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
