"""The house rules that keep the layout honest (STYLE.md items 3, 12 and 15)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES_WITH_ALL = [
    "sensorhub.api",
    "sensorhub.biometrics",
    "sensorhub.loadcell",
    "sensorhub.realtime",
    "sensorhub.storage",
]
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
