"""Empatica E4 session exports (the E4 connect / E4 manager CSV layout), read and written.

Each channel file holds the start time (Unix seconds, UTC) on its first row, the sampling rate
(Hz) on its second, then one sample per row: ``BVP.csv`` (64 Hz, the photoplethysmograph's
units), ``TEMP.csv`` (4 Hz, °C), ``ACC.csv`` (32 Hz, three columns x, y, z in 1/64 g, as the
E4's ±2 g accelerometer reports them). ``tags.csv`` has one Unix time per row: each press of
the wristband's button. Source: Empatica's support page "E4 data - BVP, EDA, TEMP, ACC, HR,
IBI, tags" (the file formats), and the WESAD data set's E4 files (Schmidt et al. 2018), which
follow it. Other E4 files (EDA, HR, IBI) are not read: sensorhub derives HR and IBI itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensorhub.physio.batch import ACC, BVP, TEMPERATURE
from sensorhub.physio.bvp import FloatArray

# The E4 reports acceleration in 1/64 g (±2 g in 8 bits, "ACC.csv").
ACC_UNITS_PER_G = 64.0
FILES = {BVP: "BVP.csv", TEMPERATURE: "TEMP.csv", ACC: "ACC.csv"}
TAGS_FILE = "tags.csv"


class E4FormatError(ValueError):
    """Raised when an E4 file does not have the layout above; the message names the file."""


@dataclass(frozen=True, slots=True, eq=False)
class E4Channel:
    """One channel: its first sample's Unix time, its rate, its samples (ACC: (n, 3) in g)."""

    start_s: float
    hz: float
    values: FloatArray

    def end_s(self) -> float:
        return self.start_s + len(self.values) / self.hz


@dataclass(frozen=True, slots=True, eq=False)
class E4Recording:
    channels: dict[str, E4Channel]
    tags: list[float]  # Unix seconds

    def start_s(self) -> float:
        return min(c.start_s for c in self.channels.values())

    def end_s(self) -> float:
        return max(c.end_s() for c in self.channels.values())


def parse_e4(texts: dict[str, str]) -> E4Recording:
    """The recording in ``texts`` (file name → content); BVP, TEMP, ACC each optional, but at
    least one; tags optional."""
    channels = {
        name: _parse_channel(file, texts[file], ACC if name == ACC else None)
        for name, file in FILES.items()
        if file in texts
    }
    if not channels:
        raise E4FormatError(f"files: none of {', '.join(FILES.values())} given")
    tags = _numbers(TAGS_FILE, texts.get(TAGS_FILE, "").splitlines())
    return E4Recording(channels, sorted(tags))


def read_e4_dir(directory: Path) -> E4Recording:
    names = (*FILES.values(), TAGS_FILE)
    return parse_e4({n: (directory / n).read_text() for n in names if (directory / n).is_file()})


def _parse_channel(file: str, text: str, kind: str | None) -> E4Channel:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 3:
        raise E4FormatError(f"{file}: needs the start time, the rate and at least one sample")
    start = _numbers(file, [lines[0]])[0]
    hz = _numbers(file, [lines[1]])[0]
    if not hz > 0:
        raise E4FormatError(f"{file}: the rate on row 2 must be positive, not {hz:g}")
    rows = [_numbers(file, [line]) for line in lines[2:]]
    width = 3 if kind == ACC else 1
    if any(len(row) != width for row in rows):
        raise E4FormatError(f"{file}: every sample row must have {width} column(s)")
    values = np.array(rows, dtype=np.float64)
    values = values / ACC_UNITS_PER_G if kind == ACC else values[:, 0]
    return E4Channel(start, hz, values)


def _numbers(file: str, lines: list[str]) -> list[float]:
    out = []
    for number, line in enumerate(lines, start=1):
        for cell in line.split(","):
            try:
                value = float(cell)
            except ValueError:
                raise E4FormatError(f"{file}: {cell.strip()!r} is not a number") from None
            if not np.isfinite(value):
                raise E4FormatError(f"{file}: row {number} is not finite")
            out.append(value)
    return out


def e4_texts(recording: E4Recording) -> dict[str, str]:
    """The E4 files of ``recording`` by name (acceleration rounded to the E4's 1/64 g)."""
    texts = {}
    for name, channel in recording.channels.items():
        width = 3 if name == ACC else 1
        head = [",".join([f"{value:.6f}"] * width) for value in (channel.start_s, channel.hz)]
        if name == ACC:
            units = np.rint(channel.values * ACC_UNITS_PER_G).astype(int)
            body = [",".join(str(v) for v in row) for row in units.tolist()]
        else:
            body = [repr(v) for v in channel.values.tolist()]
        texts[FILES[name]] = "\n".join(head + body) + "\n"
    texts[TAGS_FILE] = "".join(f"{t:.6f}\n" for t in recording.tags)
    return texts


def write_e4_dir(recording: E4Recording, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in e4_texts(recording).items():
        (directory / name).write_text(text)
