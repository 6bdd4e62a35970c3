"""What the server imports when: modules loaded at their first use, and libraries it never uses
kept out.

SciPy's signal module alone is about a third of the server's import time, and only the wearable
signal windows need it: every server start (and every test that starts one) would pay for it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, loaded at its first attribute access (the recipe of importlib's docs)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


@contextmanager
def absent(names: Iterable[str]) -> Iterator[None]:
    """Within the block, importing any of ``names`` (not yet imported) fails as if it were not
    installed; afterwards they import as usual.

    For a library that imports optional ones whenever they are installed, as python-socketio
    does its clients: it takes its own "not installed" branch. A None in ``sys.modules`` is
    the import system's own way to say so (it raises ModuleNotFoundError).
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
