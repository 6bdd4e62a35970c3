"""CSV that a spreadsheet opens as data: every cell we write passes ``safe_cell``.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets when the file is opened (OWASP, "CSV
Injection"), and a device id, a device timestamp, an athlete's name or a study label is text
that someone else chose. Such a cell gets a leading ``'``, as OWASP recommends, which the
spreadsheet shows as text. Numbers keep their sign: a cell that is a plain number (``-0.5``,
``+1e3``) is no formula and is written as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value``, or, for text a spreadsheet would run as a formula, the text behind ``'``."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` (``\\n`` line ends) whose every cell is made safe first."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
