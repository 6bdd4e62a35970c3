"""Test CSV files: the seed's name, header and values, unique names within a second, and
finding and deleting a file only inside the folder."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sensorhub.storage import TestFiles


def test_name_header_and_values_as_received(tmp_path: Path) -> None:
    started = time.mktime((2025, 8, 22, 10, 25, 24, 0, 0, -1))
    name = TestFiles(tmp_path).write(started, [(0, 100, 200.5), (1, -3.25, 1e-07)])
    assert name == "imtp_test_20250822_102524.csv"
    assert (tmp_path / name).read_text() == "t,l,r\n0,100,200.5\n1,-3.25,1e-07\n"


def test_tests_started_in_the_same_second_get_suffixes(tmp_path: Path) -> None:
    started = time.time()
    files = TestFiles(tmp_path)
    names = [files.write(started, [(0, 1, 1)]) for _ in range(3)]
    stem = names[0].removesuffix(".csv")
    assert names == [f"{stem}.csv", f"{stem}_2.csv", f"{stem}_3.csv"]


def test_concurrent_writers_never_share_a_file(tmp_path: Path) -> None:
    started = time.time()
    files = TestFiles(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(lambda i: files.write(started, [(i, i, i)]), range(16)))
    assert len(set(names)) == 16
    assert all(re.fullmatch(r"imtp_test_\d{8}_\d{6}(_\d+)?\.csv", n) for n in names)
    first_rows = [(tmp_path / n).read_text().splitlines()[1] for n in names]
    # Each file holds its own writer's sample: nobody overwrote anybody.
    assert sorted(int(row.split(",")[0]) for row in first_rows) == list(range(16))


def test_find_returns_a_written_file_and_delete_removes_it(tmp_path: Path) -> None:
    files = TestFiles(tmp_path)
    name = files.write(time.time(), [(0, 1, 2)])
    assert files.find(name) == tmp_path / name
    files.delete(name)
    assert files.find(name) is None
    assert not (tmp_path / name).exists()


def test_find_and_delete_never_leave_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("t,l,r\n")
    files = TestFiles(tmp_path / "tests")
    for name in ("../outside.csv", str(outside), None, ""):
        assert files.find(name) is None
        files.delete(name)
    assert outside.exists()
