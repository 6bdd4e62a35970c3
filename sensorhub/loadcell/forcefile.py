"""Reading force-time CSV files: ours and the layouts other IMTP tools export.

Layouts, told apart by the header (case and spacing do not matter):

=========  =====================================================  ==================================
layout     header                                                 notes
=========  =====================================================  ==================================
sensorhub  ``t,l,r``                                              t is the device clock in ms
generic    ``Time (s),Force (N)``                                 total force only
hawkin     ``Time (s),Left (N),Right (N),Combined (N)``           total = Combined
pasco      ``Time (s) Run #1,"Right, Ch 2 (N) Run #1",…``         one run; total = Right + Left
chronojump ``Time (micros);Force(N)``                             see below
=========  =====================================================  ==================================

Chronojump's force sensor (one load cell, HX711-class boards, ~80–90 Hz) writes ``;``-separated
rows of integer µs from the first sample and the force in N; before Chronojump 2.0.3 the force
had the decimal separator of the computer's locale, so ``12,5`` is read as 12.5 in any
``;``-separated file. Its load cell hangs in series with the bar: it measures the pull, not the
ground reaction, so such a recording is ``series`` (analysed against its resting baseline).

Columns are matched by meaning, not position, so a PASCO file with Left before Right reads the
same. Time in seconds or µs becomes ms. Anything else raises `ValidationError` naming the file and,
for bad cells, the line and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ValidationError

FloatArray = npt.NDArray[np.float64]

_RUN_SUFFIX = re.compile(r"\s*run\s*#\s*(\d+)$")
# Role of a column (after lower-casing, dropping a PASCO run suffix, tidying spaces) and the
# factor that turns its values into ms (time) or N (forces).
_COLUMN_ROLES: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"t"), "time", 1.0),
    (re.compile(r"time \(ms\)"), "time", 1.0),
    (re.compile(r"time \(s\)"), "time", 1000.0),
    (re.compile(r"time \((micros|us|µs)\)"), "time", 0.001),
    (re.compile(r"l|left\b.*\(n\)"), "left", 1.0),
    (re.compile(r"r|right\b.*\(n\)"), "right", 1.0),
    (re.compile(r"(force|combined|total|fz)\b.*\(n\)"), "total", 1.0),
)


@dataclass(frozen=True, slots=True, eq=False)
class ForceRecording:
    """One recording: time in ms and force in N; left/right are None for total-only files."""

    path: Path
    layout: str
    t_ms: FloatArray
    left: FloatArray | None
    right: FloatArray | None
    total: FloatArray

    @property
    def sample_count(self) -> int:
        return int(self.t_ms.size)

    @property
    def series(self) -> bool:
        """A load cell in series with the bar (no body weight in the signal)."""
        return self.layout == "chronojump"


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    name: str  # as written, for messages
    key: str  # normalised: lower case, single spaces, "name (unit)", no run suffix
    role: str
    scale: float
    pasco: bool


def read_force_file(path: str | PathLike[str]) -> ForceRecording:
    """Read a force-time CSV in any layout above; raises `ValidationError` naming the problem."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _read(path, handle)
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: not a UTF-8 text file ({exc.reason})") from exc
    except csv.Error as exc:
        raise ValidationError(f"{path}: not a readable CSV file ({exc})") from exc


def read_force_text(text: str, name: str) -> ForceRecording:
    """``read_force_file`` for text already in memory (an upload); ``name`` names it in errors."""
    try:
        return _read(Path(name), io.StringIO(text.removeprefix("\ufeff"), newline=""))
    except csv.Error as exc:
        raise ValidationError(f"{name}: not a readable CSV file ({exc})") from exc


def _read(path: Path, handle: TextIO) -> ForceRecording:
    first = handle.readline()
    delimiter = ";" if ";" in first else ","
    header = next(csv.reader([first], delimiter=delimiter), None)
    if header is None or not any(cell.strip() for cell in header):
        raise ValidationError(f"{path}: the file is empty (expected a header such as t,l,r)")
    columns = _columns(path, header)
    text = handle.read()
    if delimiter == ";":  # the decimal comma of older Chronojump files and many locales
        text = text.replace(",", ".")
    values = _values(path, text, columns, delimiter)
    by_role = {column.role: values[:, i] * column.scale for i, column in enumerate(columns)}
    left, right = by_role.get("left"), by_role.get("right")
    total = by_role.get("total")
    if total is None:
        assert left is not None and right is not None  # _columns guarantees a usable set
        total = left + right
    return ForceRecording(path, _layout(columns), by_role["time"], left, right, total)


def _columns(path: Path, header: list[str]) -> list[_Column]:
    columns = [_column(path, i, name, header) for i, name in enumerate(header)]
    roles = [column.role for column in columns]
    for role in set(roles):
        if roles.count(role) > 1:
            raise ValidationError(f"{path}: the header has more than one {role} column")
    present = set(roles)
    if "time" not in present:
        raise ValidationError(f"{path}: the header has no time column ({_header_text(header)})")
    if ("left" in present) != ("right" in present):
        raise ValidationError(f"{path}: the header has only one of left and right force")
    if not present & {"left", "total"}:
        raise ValidationError(f"{path}: the header has no force column ({_header_text(header)})")
    return columns


def _column(path: Path, index: int, raw: str, header: list[str]) -> _Column:
    key = _normalise(raw)
    run = _RUN_SUFFIX.search(key)
    if run is not None:
        if run.group(1) != "1":
            raise ValidationError(
                f"{path}: column {index + 1} ({raw.strip()!r}) is from run #{run.group(1)}; "
                "only single-run (Run #1) PASCO exports are supported"
            )
        key = key[: run.start()]
    for pattern, role, scale in _COLUMN_ROLES:
        if pattern.fullmatch(key):
            return _Column(index, raw.strip(), key, role, scale, pasco=run is not None)
    raise ValidationError(
        f"{path}: unknown column {index + 1} ({raw.strip()!r}) in header {_header_text(header)}; "
        "expected t,l,r or Time (s) with Force/Left/Right/Combined (N)"
    )


def _normalise(name: str) -> str:
    """'  Time(s)  Run #1' -> 'time (s) run #1': exports differ in case and spacing only."""
    spaced = re.sub(r"\s*\(\s*", " (", name.strip().lower())
    return " ".join(spaced.split())


def _header_text(header: list[str]) -> str:
    return ",".join(cell.strip() for cell in header)


def _values(path: Path, text: str, columns: list[_Column], delimiter: str) -> FloatArray:
    """The data rows' numbers, in header order.

    NumPy's parser reads a plain table at once; a table it refuses (quoted cells, a row of
    empty cells, a cell that is not a finite number, a short row) is read again row by row
    to name the problem.
    """
    if text.strip():  # else loadtxt warns; the slow path says "no data rows"
        try:
            table = np.loadtxt(
                io.StringIO(text, newline=None), delimiter=delimiter, comments=None, ndmin=2
            )
            if table.shape[1] == len(columns) and np.isfinite(table).all():
                return np.asarray(table, dtype=np.float64)
        except ValueError:
            pass
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _values_row_by_row(path, rows, columns)


def _values_row_by_row(path: Path, rows: Iterator[list[str]], columns: list[_Column]) -> FloatArray:
    data: list[list[float]] = []
    for line, row in enumerate(rows, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue  # blank lines (often one at the end) carry no sample
        if len(row) != len(columns):
            raise ValidationError(
                f"{path}: line {line} has {len(row)} values but the header has {len(columns)}"
            )
        data.append([_number(path, line, column, row[column.index]) for column in columns])
    if not data:
        raise ValidationError(f"{path}: the file has a header but no data rows")
    return np.asarray(data, dtype=np.float64)


def _number(path: Path, line: int, column: _Column, cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValidationError(
            f"{path}: line {line}, column {column.index + 1} ({column.name!r}): "
            f"{cell.strip()!r} is not a finite number"
        )
    return value


def _layout(columns: list[_Column]) -> str:
    roles = {column.role for column in columns}
    if any(column.pasco for column in columns):
        return "pasco"
    if any(column.key == "t" for column in columns):
        return "sensorhub"
    if any(column.role == "time" and column.scale < 1 for column in columns):
        return "chronojump"
    if "left" in roles:
        return "hawkin" if "total" in roles else "left_right"
    return "generic"
