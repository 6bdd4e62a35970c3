"""Where a server's time goes, from a py-spy raw (collapsed) profile: ``python -m bench.profile
FILE [--seconds S --rate R]`` prints each thread's share and, per thread, the layers its
samples fall in (each sample goes to the innermost frame that belongs to a known layer).

Record with ``py-spy record --pid PID --format raw --threads -r R -d S -o FILE``
(bench/README.md); with ``--seconds`` and ``--rate`` the shares become % of wall time.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

# (layer, substrings of a frame's "function (file:line)" text), checked in this order.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting (select/poll)", ("select (selectors.py", "poll (selectors.py", ".select (")),
    ("JSON encode/decode", ("json/", "orjson", "fastapi/encoders.py", "jsonable_encoder")),
    ("pydantic validation/serialisation", ("pydantic",)),
    ("middleware", ("starlette/middleware", "fastapi/_body_limit", "fastapi/telemetry",
                    "sensorhub/api/_limits", "sensorhub/ratelimit", "fastapi/middleware")),
    ("FastAPI routing + dependencies", ("fastapi/routing", "fastapi/dependencies",
                                        "fastapi/applications")),
    ("Starlette routing/request/response", ("starlette/",)),
    ("Socket.IO broadcast", ("socketio/", "engineio/", "sensorhub/realtime")),
    ("storage: SQLAlchemy + sqlite3", ("sqlalchemy/", "sqlite3", "psycopg")),
    ("storage: our writer", ("sensorhub/storage",)),
    ("stress model + NumPy", ("sensorhub/biometrics", "numpy/", "h5py")),
    ("uvicorn + httptools", ("uvicorn/", "httptools", "websockets/", "h11")),
    ("asyncio scheduling", ("asyncio/",)),
    ("sensorhub, other", ("sensorhub/",)),
)  # fmt: skip
_THREAD = re.compile(r"^thread \(\d+\): ([^;]*);?")


def layer(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, needles in LAYERS:
            if any(needle in frame for needle in needles):
                return name
    return "other"


def summarize(path: Path, wall_samples: float | None) -> str:
    threads: Counter[str] = Counter()
    layers: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        match = _THREAD.match(stack)
        thread = match.group(1) if match else "?"
        thread = "asyncio worker threads" if thread.startswith("asyncio_") else thread
        count = int(count_text)
        threads[thread] += count
        layers[thread][layer(stack.split(";"))] += count
    total = sum(threads.values())
    lines = [f"{total} samples"]
    for thread, count in threads.most_common():
        share = count / wall_samples if wall_samples else count / total
        scale = "of wall time" if wall_samples else "of samples"
        lines.append(f"\n{thread}: {100 * share:.0f} % {scale}")
        for name, n in layers[thread].most_common():
            lines.append(f"  {100 * n / count:5.1f} %  {name}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--seconds", type=float, help="py-spy's --duration")
    parser.add_argument("--rate", type=float, help="py-spy's --rate (samples/s)")
    args = parser.parse_args()
    wall = args.seconds * args.rate if args.seconds and args.rate else None
    print(summarize(args.file, wall))


if __name__ == "__main__":
    main()
