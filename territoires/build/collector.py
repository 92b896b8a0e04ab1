"""The cyclic garbage collector, paused while graphs are mapped, validated and built.

The mapped graphs are a million objects that live until the build ends, and each collection
visited them all: 5.5 s of a 14 s mapping of the whole data (measured with `gc.callbacks`).
They make almost no cycles (the build's peak memory was the same without the collector), and
reference counting still frees everything else. Taken up again, the collector first visits every
object allocated meanwhile (1.5 s after a whole build), so a process that ends with its build
leaves it paused (`cli.run`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collector() -> Iterator[None]:
    """No cyclic collection inside; the collector as it was afterwards (pauses nest)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
