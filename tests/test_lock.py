"""The lock in requirements/ is what pyproject.toml allows, and make installs nothing else."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from scripts.lock_diff import pins
from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
# The Makefile's LOCK_EXTRAS.
LOCKED_EXTRAS = ["dev", "postgres", "mqtt", "redis", "research", "train"]


def ranges(extras: list[str]) -> list[Requirement]:
    project = PYPROJECT["project"]
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


@pytest.mark.parametrize(
    ("lock", "extras"), [("run.txt", []), ("dev.txt", LOCKED_EXTRAS)], ids=["run", "dev"]
)
def test_every_range_in_pyproject_is_pinned_within_it(lock: str, extras: list[str]) -> None:
    locked = {canonicalize_name(name): v for name, v in pins(REPO / "requirements" / lock).items()}
    for requirement in ranges(extras):
        versions = locked.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is in pyproject.toml but not in {lock}: make lock"
        outside = [v for v in versions if Version(v) not in requirement.specifier]
        assert not outside, f"{lock} pins {requirement.name} {outside}, outside {requirement}"


def test_every_pin_carries_a_hash() -> None:
    for lock in ("run.txt", "dev.txt"):
        entries = re.split(r"\n(?=\S)", (REPO / "requirements" / lock).read_text())
        pinned = [entry for entry in entries if "==" in entry.split("\n")[0]]
        assert pinned
        for entry in pinned:
            assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_makefile_installs_only_from_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "--require-hashes" in line or "--no-deps" in line, line
