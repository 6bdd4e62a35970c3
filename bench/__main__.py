"""``make bench``: run every benchmark and print one table.

The machine is shared and noisy: read the numbers as an order of magnitude, run twice before
comparing, and never turn them into test assertions.
"""

from __future__ import annotations

import os
import platform
import sys

from bench import forceplate, imtp, ingest, model
from bench._table import Row, format_table

SUITES = {
    "model": model.measure,
    "imtp": imtp.measure,
    "ingest": ingest.measure,
    "forceplate": forceplate.measure,
}


def main(selected: list[str]) -> None:
    rows: list[Row] = []
    for name, measure in SUITES.items():
        if not selected or name in selected:
            print(f"running {name} …", file=sys.stderr, flush=True)
            rows += measure()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    print(format_table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
