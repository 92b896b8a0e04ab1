"""Values computed once per build and held on the application: the vocabulary's labels, the
name index, the statistics… The last two builds' values are kept: the one served, and the one
being prepared to replace it (or the one it replaced, for requests still on it)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

KEPT = 2   # builds whose values are held


class PerBuild:
    def __init__(self):
        self._values: dict[Hashable, OrderedDict[tuple[str, str], object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, name: Hashable, store, compute: Callable):
        """`compute(store)`, once per build: the value depends on the build's data (its version)
        and on the base its IRIs are read under."""
        build = (store.version, store.base)
        held = self._values.get(name)
        if held is not None and build in held:
            return held[build]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:   # one computation at a time per value; the others wait for it
            held = self._values.setdefault(name, OrderedDict())
            if build not in held:
                held[build] = compute(store)
                while len(held) > KEPT:
                    held.popitem(last=False)
            return held[build]
