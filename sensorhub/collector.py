"""Python's cyclic garbage collector, set for a long-running server (bench/README.md,
"Issue 26, second pass").

Loading the server makes ~186,000 objects (modules, classes, pydantic schemas, routes) that live
as long as the process. While they load, ~300 collections ran and freed ~700 of them: a tenth
of a start-up's CPU. Once serving, every full collection walked them all again: under the
batch load the collector took 2.8 s of every 10 on the event loop. So collection is off while
they load, then they are frozen (``gc.freeze``; its documentation gives this pattern), and the
young generation is collected every ``YOUNG_THRESHOLD`` net allocations instead of 700:
reference counting frees most of a request's objects long before, so each collection finds
about the same few live objects, far less often. The ~700 objects start-up left as cyclic
garbage stay.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000


@contextmanager
def kept_for_good() -> Iterator[None]:
    """For loading what lives as long as the process: no collection within the block; then
    what it made is frozen, and the collector is set for serving (``YOUNG_THRESHOLD``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
        if enabled:
            gc.enable()
