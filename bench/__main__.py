"""``make bench``: every scenario, ours beside its baseline in the same run, as one table.

``python -m bench [SUITE ...] [--json PATH]``; the run is also saved as JSON (default
``bench-results/<time>.json``) for comparing commits. The machine may be shared and noisy:
ratios from one run are the point; run twice before concluding anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench import forceplate, imtp, ingest, model, scale, signals, startup
from bench._table import Result, format_table, save_json

SUITES: dict[str, Callable[[], list[Result]]] = {
    "ingest": ingest.measure,
    "forceplate": forceplate.measure,
    "imtp": imtp.measure,
    "startup": startup.measure,
    "model": model.measure,
    "signals": signals.measure,
    # Not in the default run: it needs PostgreSQL, Redis and nginx (bench/README.md).
    "scale": scale.measure,
}
DEFAULT_SUITES = ("ingest", "forceplate", "imtp", "startup", "model")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=", ".join(SUITES))
    parser.add_argument("--json", type=Path, help="where to save the results as JSON")
    args = parser.parse_args()
    if unknown := set(args.suites) - set(SUITES):
        parser.error(f"unknown suite {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}")
    results: list[Result] = []
    for name, measure in SUITES.items():
        if name in (args.suites or DEFAULT_SUITES):
            print(f"running {name} …", file=sys.stderr, flush=True)
            results += measure()
    print(format_table(results))
    print(f"\nsaved {save_json(results, args.json)}", file=sys.stderr)


if __name__ == "__main__":
    main()
