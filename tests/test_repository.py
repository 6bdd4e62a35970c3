"""The repository stands alone: nothing in it reaches outside, and its documents link inside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

SEARCHED = ["sensorhub", "tests", "docs", "bench", "firmware", "scripts"]
SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules"}
# Spelled in pieces so that this file does not match itself.
_SHARED = "sha" + "red"
# The folder beside the repository that held the design and the fixtures: `../<it>`, `<it>/fixtures`
# and friends, or a path built from it segment by segment (`parent / "<it>"`).
OUTSIDE = re.compile(
    rf"\.\./{_SHARED}\b"
    rf"|\b{_SHARED}/(?:fixtures|DESIGN|STYLE|RECIPES|seeds|hooks)\b"
    rf"|/\s*[\"']{_SHARED}[\"']"
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def text_files() -> Iterator[Path]:
    """Every text file a newcomer gets with the repository (binary files, e.g. .h5, are skipped)."""
    roots = [REPO / name for name in SEARCHED] + [p for p in REPO.iterdir() if p.is_file()]
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.is_file() and not SKIPPED_DIRS & set(path.parts) and is_text(path):
                yield path


def is_text(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    return True


def documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), FIXTURES / "README.md"]


def test_no_file_names_the_folder_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_search_would_find_the_old_spellings() -> None:
    # Guards the test above against a pattern that matches nothing.
    for spelling in [f"../{_SHARED}/x.md", f"{_SHARED}/fixtures/models/", f'parent / "{_SHARED}"']:
        assert OUTSIDE.search(spelling), spelling
    assert any(path.name == "test_repository.py" for path in text_files())


@pytest.mark.parametrize("document", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_in_documents_resolve_inside_the_repository(document: Path) -> None:
    targets = [
        link
        for link in MARKDOWN_LINK.findall(document.read_text(encoding="utf-8"))
        if "://" not in link and not link.startswith("/")
    ]
    for target in targets:
        resolved = (document.parent / target).resolve()
        assert resolved.is_relative_to(REPO), f"{target} leaves the repository"
        assert resolved.exists(), f"{target} does not exist"


def test_the_third_party_fixtures_keep_their_licence_beside_them() -> None:
    jumps = FIXTURES / "jumpmetrics"
    assert "MIT License" in (jumps / "LICENSE").read_text(encoding="utf-8")
    assert "Steven Hirsch" in (jumps / "LICENSE").read_text(encoding="utf-8")
    imtp = FIXTURES / "imtp-processor"
    assert "MIT License" in (imtp / "LICENSE").read_text(encoding="utf-8")
    assert sorted(p.name for p in imtp.glob("*.csv")) == [
        "generic.csv",
        "hawkin.csv",
        "pasco_left_right.csv",
    ]
