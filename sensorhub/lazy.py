"""What the server imports when: modules loaded at their first use, and libraries it never uses
kept out.

SciPy's signal module alone is about a third of the server's import time, and only the wearable
signal windows need it: every server start (and every test that starts one) would pay for it.
"""

from __future__ import annotations

import gc
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


@contextmanager
def kept_for_good() -> Iterator[None]:
    """Within the block, Python's cyclic garbage collector does not run; afterwards every object
    made so far is frozen (``gc.freeze``): no later collection examines it again.

    For loading the server's modules, whose classes, functions, models and routes live as long
    as the process: ~300 collections ran while they loaded, a tenth of a start-up's CPU time
    (bench/README.md), and found ~700 of ~186,000 objects to free, which now stay; and every
    full collection later re-examined all of them while requests waited. ``gc.freeze``'s
    documentation gives this pattern: collection off while loading, then freeze.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
