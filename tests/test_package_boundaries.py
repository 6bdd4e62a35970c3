"""The house rules that keep the layout honest (STYLE.md items 3, 12 and 15)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES_WITH_ALL = [
    "sensorhub.api",
    "sensorhub.biometrics",
    "sensorhub.devices",
    "sensorhub.loadcell",
    "sensorhub.realtime",
    "sensorhub.storage",
]
PACKAGE = Path(__file__).resolve().parents[1] / "sensorhub"
WEB_AND_DB = ("fastapi", "starlette", "socketio", "engineio", "sqlalchemy", "uvicorn")


@pytest.mark.parametrize("name", PACKAGES_WITH_ALL)
def test_all_is_sorted_and_names_real_public_objects(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert exported == sorted(exported)
    for symbol in exported:
        assert hasattr(package, symbol), f"{name}.__all__ names missing {symbol!r}"
    public = {n for n in vars(package) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(package, n)).__name__ == "module"}
    assert public - modules - {"annotations"} <= set(exported)


@pytest.mark.parametrize("domain", ["sensorhub.loadcell", "sensorhub.biometrics"])
def test_domain_packages_import_no_web_or_database_code(domain: str) -> None:
    # A fresh interpreter, so modules imported by other tests do not hide a leak.
    probe = f"import sys, {domain}; print(','.join(sorted(m for m in sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split(",")
    leaked = sorted({m.split(".")[0] for m in loaded} & set(WEB_AND_DB))
    assert leaked == [], f"{domain} pulls in {leaked}"


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_storage_talks_to_the_database() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "sqlalchemy" in imported_top_level_modules(path) and path.parent.name != "storage"
    ]
    assert offenders == []


def test_transports_stay_thin() -> None:
    # Handlers validate and call the hub; numbers and SQL happen in domain and storage code.
    heavy = {"sqlalchemy", "numpy"}
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_top_level_modules(path) & heavy)
        for folder in ("realtime", "api", "devices")
        for path in (PACKAGE / folder).glob("*.py")
        if imported_top_level_modules(path) & heavy
    }
    assert offenders == {}
