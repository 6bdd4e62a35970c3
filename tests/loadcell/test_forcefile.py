"""Reading force-time CSV files: the fixture layouts, ours, and files that must be refused."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from sensorhub.errors import ValidationError
from sensorhub.loadcell import read_force_file, read_force_text
from tests.conftest import FIXTURES

IMTP_FIXTURES = FIXTURES / "imtp-processor"


def _columns(path: Path) -> list[list[float]]:
    """The file's numbers by column, read independently of the reader under test."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return [list(map(float, column)) for column in zip(*rows, strict=True)]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_generic_file_is_total_force_with_time_in_ms() -> None:
    path = IMTP_FIXTURES / "generic.csv"
    time_s, force = _columns(path)
    recording = read_force_file(path)
    assert recording.layout == "generic"
    assert recording.sample_count == 8300
    assert recording.left is None and recording.right is None
    np.testing.assert_array_equal(recording.total, force)
    np.testing.assert_allclose(recording.t_ms, np.asarray(time_s) * 1000.0)
    assert recording.t_ms[-1] == pytest.approx(8299.0)


def test_hawkin_file_keeps_sides_and_uses_combined_as_total() -> None:
    path = IMTP_FIXTURES / "hawkin.csv"
    _, left, right, combined = _columns(path)
    recording = read_force_file(path)
    assert recording.layout == "hawkin"
    assert recording.sample_count == 7800
    assert recording.left is not None and recording.right is not None
    np.testing.assert_array_equal(recording.left, left)
    np.testing.assert_array_equal(recording.right, right)
    np.testing.assert_array_equal(recording.total, combined)


def test_pasco_file_sums_right_and_left() -> None:
    path = IMTP_FIXTURES / "pasco_left_right.csv"
    _, right, left = _columns(path)
    recording = read_force_file(path)
    assert recording.layout == "pasco"
    assert recording.sample_count == 7900
    np.testing.assert_array_equal(recording.total, np.asarray(right) + np.asarray(left))
    assert recording.t_ms[1] == pytest.approx(1.0)


def test_pasco_columns_are_matched_by_name_not_position(tmp_path: Path) -> None:
    # The fixture's sides are identical, so a file with distinct sides proves the mapping.
    header = 'Time (s) Run #1,"Right, Ch 2 (N) Run #1","Left, Ch 1 (N) Run #1"\n'
    path = _write(tmp_path / "p.csv", header + "0.0,300,200\n0.001,310,210\n")
    recording = read_force_file(path)
    assert recording.right is not None and recording.left is not None
    assert list(recording.right) == [300.0, 310.0]
    assert list(recording.left) == [200.0, 210.0]
    assert list(recording.total) == [500.0, 520.0]


def test_our_own_csv_has_time_in_device_ms(tmp_path: Path) -> None:
    path = _write(tmp_path / "imtp_test.csv", "t,l,r\n123456,400.5,410.25\n123457,401,411\n\n")
    recording = read_force_file(path)
    assert recording.layout == "sensorhub"
    assert list(recording.t_ms) == [123456.0, 123457.0]
    assert list(recording.total) == [810.75, 812.0]


@pytest.mark.parametrize(
    "header",
    ["T,L,R", " t , l , r ", "TIME (S),FORCE (N)", "Time(s),Force(N)", "time (ms),force (n)"],
)
def test_headers_are_case_and_space_insensitive(tmp_path: Path, header: str) -> None:
    row = "1,2,3" if header.count(",") == 2 else "1,2"
    recording = read_force_file(_write(tmp_path / "h.csv", f"{header}\n{row}\n"))
    assert recording.sample_count == 1


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.csv", "Time (s),Force (N)\n0.5,800\n", encoding="utf-8-sig")
    recording = read_force_file(path)
    assert list(recording.t_ms) == [500.0]


@pytest.mark.parametrize(
    "body",
    [
        "1,2,3\r\n2,4,6\r\n",  # Windows line ends
        '"1","2","3"\n2,4,6\n',  # quoted cells, as spreadsheets export
        "1,2,3\n,,\n2,4,6\n \n",  # rows of empty cells and spaces are blank lines
        " 1 , 2 , 3 \n2,4,6",  # spaces around numbers, no final newline
    ],
)
def test_plain_and_spreadsheet_flavoured_rows_read_alike(tmp_path: Path, body: str) -> None:
    recording = read_force_file(_write(tmp_path / "flavour.csv", "t,l,r\n" + body))
    assert list(recording.t_ms) == [1.0, 2.0]
    assert list(recording.total) == [5.0, 10.0]


BAD_FILES = [
    ("empty", "", "the file is empty"),
    ("header only", "t,l,r\n", "no data rows"),
    ("unknown column", "t,l,r,x\n1,2,3,4\n", "unknown column 4 \\('x'\\)"),
    ("pounds", "Time (s),Force (lbf)\n0,1\n", "unknown column 2"),
    ("no time", "l,r\n1,2\n", "no time column"),
    ("one side", "t,l\n1,2\n", "only one of left and right"),
    ("time only", "t\n1\n", "no force column"),
    ("twice", "t,l,r,l\n1,2,3,4\n", "more than one left column"),
    ("text cell", "t,l,r\n1,2,3\n2,abc,3\n", "line 3, column 2 \\('l'\\): 'abc'"),
    ("empty cell", "t,l,r\n1,,3\n", "line 2, column 2"),
    ("nan cell", "t,l,r\n1,2,nan\n", "line 2, column 3 \\('r'\\): 'nan' is not a finite"),
    ("short row", "t,l,r\n1,2,3\n2,3\n", "line 3 has 2 values but the header has 3"),
    ("second run", "Time (s) Run #2,Force (N) Run #2\n0,1\n", "run #2"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_validation_errors_naming_the_problem(
    tmp_path: Path, case: str, text: str, message: str
) -> None:
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ValidationError, match=message) as caught:
        read_force_file(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read the file"):
        read_force_file(tmp_path / "nope.csv")


def test_a_binary_file_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(ValidationError, match="not a UTF-8 text file"):
        read_force_file(path)


def test_chronojump_force_sensor_file_with_decimal_commas(tmp_path: Path) -> None:
    # Chronojump writes `Time (micros);Force(N)`, integer µs from 0; before 2.0.3 the force
    # took the locale's decimal separator.
    path = tmp_path / "chronojump.csv"
    path.write_text("Time (micros);Force(N)\n0;1,25\n12500;2,5\n25000;-0,75\n")

    recording = read_force_file(path)

    assert recording.layout == "chronojump"
    assert recording.series
    assert recording.t_ms.tolist() == [0.0, 12.5, 25.0]
    assert recording.total.tolist() == [1.25, 2.5, -0.75]
    assert recording.left is None and recording.right is None


def test_semicolon_file_with_decimal_points_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "chronojump_2_0_3.csv"
    path.write_text("Time (micros);Force(N)\n0;1.25\n12500;2.5\n")
    assert read_force_text(path.read_text(), "x.csv").total.tolist() == [1.25, 2.5]


def test_text_reader_names_the_upload_in_errors() -> None:
    with pytest.raises(ValidationError, match=r"upload\.csv: line 3"):
        read_force_text("Time (micros);Force(N)\n0;1\n1;x\n", "upload.csv")
