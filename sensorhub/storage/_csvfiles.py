"""Test CSV files: ``imtp_test_YYYYMMDD_HHMMSS.csv``, header ``t,l,r``, values as received.

``TestFiles`` is their one owner: it writes them when a test is saved, finds them for a
download and deletes them with their test.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from sensorhub.loadcell.session import Sample

MAX_SAME_SECOND = 1000


def csv_lines(samples: Iterable[Sample]) -> Iterable[str]:
    """The file's text, line by line; numbers keep the form they arrived in (ints stay ints)."""
    yield "t,l,r\n"
    for t, left, right in samples:
        yield f"{t!r},{left!r},{right!r}\n"


class TestFiles:
    """The CSV files of saved tests, all in ``directory``, each named by the test's record."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, started_at: float, samples: Iterable[Sample]) -> str:
        """Write a new file named after the (local) start time; returns its name.

        The name is claimed with an exclusive create, so two tests finishing at once can
        never write the same file: the second gets ``_2``, then ``_3`` …
        """
        stem = "imtp_test_" + time.strftime("%Y%m%d_%H%M%S", time.localtime(started_at))
        self.directory.mkdir(parents=True, exist_ok=True)
        for n in range(1, MAX_SAME_SECOND + 1):
            name = f"{stem}.csv" if n == 1 else f"{stem}_{n}.csv"
            try:
                with (self.directory / name).open("x", encoding="utf-8", newline="") as file:
                    file.writelines(csv_lines(samples))
                return name
            except FileExistsError:
                continue
        raise FileExistsError(f"more than {MAX_SAME_SECOND} test files named {stem}*")

    def find(self, name: str | None) -> Path | None:
        """The file called ``name`` if it exists (a running test has none yet)."""
        if not name or Path(name).name != name:  # a bare name, never a path elsewhere
            return None
        path = self.directory / name
        return path if path.is_file() else None

    def delete(self, name: str | None) -> None:
        if path := self.find(name):
            path.unlink(missing_ok=True)
