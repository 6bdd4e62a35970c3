"""Print the packages whose pinned version differs between two lock files.

    python -m scripts.lock_diff requirements/dev.txt .venv-upgrade/newest.txt

`make upgrade-check` prints this before running the suite on the newer versions, so a failure
can be traced to the release that caused it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(\s*;\s*([^\\]+))?")


def pins(path: Path) -> dict[str, set[str]]:
    """Each package's pinned versions (a universal lock may pin one per Python version)."""
    found: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found.setdefault(match[1].lower(), set()).add(match[2])
    return found


def main(locked: str, newest: str) -> int:
    old, new = pins(Path(locked)), pins(Path(newest))
    changed = [
        f"  {name}: {', '.join(sorted(old.get(name, {'-'})))} -> {', '.join(sorted(new[name]))}"
        for name in sorted(new)
        if not new[name] <= old.get(name, set())
    ]
    print(f"{len(changed)} of {len(new)} packages differ from {locked}:")
    print("\n".join(changed) if changed else "  (none)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
