"""Build tests/fixtures/schemas/vN.sqlite: a database of every schema version ever released,
made by the code that released it (``python -m scripts.schema_fixtures``; run it again after
adding a migration).

For each commit that changed the migrations or the schema, that commit's ``_schema.py`` and
``_migrations.py`` are loaded from git as they were and their ``migrate`` makes a fresh SQLite
file. Only the main line counts (``--first-parent``: what was released, not a branch's steps
on the way), and a version's last commit there whose steps are the current ones makes that
version's fixture. (Version 4 never stood alone on the main line: its fixture was made from
its branch's last commit, and is kept.) Every table gets one row so
that upgrading it is tested with data.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    create_engine,
    insert,
)

from sensorhub.storage._migrations import STEPS

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "schemas"
MIGRATIONS = "sensorhub/storage/_migrations.py"
SCHEMA = "sensorhub/storage/_schema.py"


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    current = [step.__name__ for step in STEPS]
    made: set[int] = set()
    for commit in _commits():
        with tempfile.TemporaryDirectory() as scratch:
            schema, migrations = _load(commit, Path(scratch))
            names = [step.__name__ for step in migrations.STEPS]
            version = len(names)
            if version in made or names != current[:version]:
                continue
            target = FIXTURES / f"v{version}.sqlite"
            target.unlink(missing_ok=True)
            engine = create_engine(f"sqlite:///{target}")
            migrations.migrate(engine)
            _one_row_each(engine, schema.metadata)
            engine.dispose()
            made.add(version)
            print(f"v{version}: {target.relative_to(REPO)} from {commit}")


def _commits() -> list[str]:
    log = ["git", "-C", str(REPO), "log", "--first-parent", "--format=%H"]  # newest first
    done = subprocess.run(
        [*log, "--", MIGRATIONS, SCHEMA], check=True, capture_output=True, text=True
    )
    return done.stdout.split()


def _load(commit: str, scratch: Path) -> tuple[Any, Any]:
    """That commit's schema and migrations as modules of their own (not the package's)."""
    schema_name, migrations_name = f"_schema_{commit[:8]}", f"_migrations_{commit[:8]}"
    schema = _module(schema_name, _show(commit, SCHEMA), scratch)
    source = _show(commit, MIGRATIONS).replace("sensorhub.storage._schema", schema_name)
    return schema, _module(migrations_name, source, scratch)


def _show(commit: str, path: str) -> str:
    show = ["git", "-C", str(REPO), "show", f"{commit}:{path}"]
    return subprocess.run(show, check=True, capture_output=True, text=True).stdout


def _module(name: str, source: str, scratch: Path) -> ModuleType:
    file = scratch / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _one_row_each(engine: Any, metadata: MetaData) -> None:
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name == "schema_info":
                continue
            row = {
                column.name: _value(column.type)
                for column in table.columns
                if not (column.nullable or column.server_default is not None) or column.primary_key
            }
            conn.execute(insert(table), row)


def _value(column_type: Any) -> Any:
    """A value of the column's type; ids are 1, so foreign keys find their row."""
    for kind, value in (
        (Boolean, False),
        (Integer, 1),
        (Float, 1.0),
        (LargeBinary, b"\x00" * 8),
        (String, "a"),
        (Text, "a"),
    ):
        if isinstance(column_type, kind):
            return value
    raise TypeError(f"no fixture value for {column_type!r}")


if __name__ == "__main__":
    main()
