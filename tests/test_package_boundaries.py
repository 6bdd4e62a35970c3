"""The house rules that keep the layout honest (STYLE.md items 3, 12 and 15)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from sensorhub import errors

PACKAGES_WITH_ALL = [
    "sensorhub.api",
    "sensorhub.athletes",
    "sensorhub.auth",
    "sensorhub.biometrics",
    "sensorhub.devices",
    "sensorhub.learning",
    "sensorhub.loadcell",
    "sensorhub.loadcell.jumps",
    "sensorhub.mqtt",
    "sensorhub.physio",
    "sensorhub.plates",
    "sensorhub.realtime",
    "sensorhub.signals",
    "sensorhub.storage",
    "sensorhub.studies",
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


@pytest.mark.parametrize(
    "domain", ["sensorhub.loadcell", "sensorhub.biometrics", "sensorhub.physio"]
)
def test_domain_packages_import_no_web_or_database_code(domain: str) -> None:
    # A fresh interpreter, so modules imported by other tests do not hide a leak.
    probe = f"import sys, {domain}; print(','.join(sorted(m for m in sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split(",")
    leaked = sorted({m.split(".")[0] for m in loaded} & set(WEB_AND_DB))
    assert leaked == [], f"{domain} pulls in {leaked}"


def test_the_server_starts_without_the_training_libraries() -> None:
    # scikit-learn and matplotlib (the [train] extra) load only when a model is trained.
    probe = "import sys, sensorhub.server; print(','.join(sorted(m for m in sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split(",")
    assert sorted({m.split(".")[0] for m in loaded} & {"sklearn", "matplotlib"}) == []


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


# The composition root: only these may import the server, and only __main__ the command line.
TOP_LAYER = {
    "sensorhub.server": {"sensorhub.cli", "sensorhub.__main__"},
    "sensorhub.cli": {"sensorhub.__main__"},
}
REPOSITORY = PACKAGE.parent


def module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every dotted name a file imports; ``from a import b`` counts as ``a`` and ``a.b``."""
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # A relative import (level n) starts from the n-th package up from this file.
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def private_owner(name: str) -> str | None:
    """``sensorhub.api._limits`` → ``sensorhub.api``: the package that may import it."""
    parts = name.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:index])
    return None


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def our_python_files() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(REPOSITORY / "bench").rglob("*.py")])


def test_no_module_imports_another_packages_private_modules() -> None:
    offenders = sorted(
        f"{module_name(path)} imports {name}"
        for path in our_python_files()
        for name in imported_modules(path)
        if name.startswith("sensorhub.")
        and (owner := private_owner(name)) is not None
        and not inside(module_name(path), owner)
    )
    assert offenders == []


def test_only_the_composition_root_imports_the_server_and_the_command_line() -> None:
    # devices/ → server was a cycle (the server imports devices); the demo is wired in cli.py.
    offenders = sorted(
        f"{module_name(path)} imports {name}"
        for path in our_python_files()
        for name in imported_modules(path)
        for top, allowed in TOP_LAYER.items()
        if inside(name, top) and module_name(path) not in allowed
    )
    assert offenders == []


def test_the_import_checks_see_private_imports() -> None:
    # Guards the checker itself: a rule that parses nothing would pass forever.
    assert imported_modules(PACKAGE / "api" / "__init__.py") >= {
        "sensorhub.api._errors",
        "sensorhub.api._errors.install_error_handlers",
    }
    assert private_owner("sensorhub.api._limits.RateLimit") == "sensorhub.api"
    assert private_owner("sensorhub.__version__") is None
    assert "sensorhub.server" in imported_modules(PACKAGE / "cli.py")


def constructed_names(path: Path) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def test_every_leaf_error_class_is_raised_somewhere() -> None:
    # A class nobody raises is a second, unused spelling of a status and code (413 and 429
    # were once written out by the limits middleware while their classes sat unused).
    def leaves(cls: type[errors.SensorhubError]) -> set[str]:
        # Only ours: a test module may subclass an error to provoke it.
        subclasses = [sub for sub in cls.__subclasses__() if sub.__module__.startswith("sensorhub")]
        return (
            {leaf for sub in subclasses for leaf in leaves(sub)} if subclasses else {cls.__name__}
        )

    constructed = {
        name
        for path in PACKAGE.rglob("*.py")
        if path.name != "errors.py"
        for name in constructed_names(path)
    }
    assert leaves(errors.SensorhubError) - constructed == set()
