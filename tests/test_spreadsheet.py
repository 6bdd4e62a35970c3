"""Every CSV cell we write is safe to open in a spreadsheet (OWASP "CSV Injection", issue 19)."""

from __future__ import annotations

import io

import pytest

from sensorhub.spreadsheet import CsvWriter, safe_cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1-1", "@SUM(1)", "\t=1+1",
     "\r=1", "-", "+"],
)  # fmt: skip
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-0.5", "+1e3", "-12", ".5", "plate-1", "2026-01-05", "", 3, -2.5, None]
)
def test_numbers_and_plain_text_are_written_as_they_are(value: object) -> None:
    assert safe_cell(value) == value


def test_the_writer_makes_every_cell_safe() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(["name", "value"])
    writer.writerows([["=1+1", -1.5], ["ok", "@x"]])
    assert out.getvalue() == "name,value\n'=1+1,-1.5\nok,'@x\n"
