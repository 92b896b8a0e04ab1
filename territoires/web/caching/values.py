"""Values computed once per build and held on the application: the vocabulary's labels, the
name index, the statistics… A new build computes them afresh; only the live build's are kept."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class PerBuild:
    def __init__(self):
        self._values: dict[Hashable, tuple[tuple[str, str], object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, name: Hashable, store, compute: Callable):
        """`compute(store)`, once per build: the value depends on the build's data (its version)
        and on the base its IRIs are read under."""
        build = (store.version, store.base)
        held = self._values.get(name)
        if held is not None and held[0] == build:
            return held[1]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:   # one computation at a time per value; the others wait for it
            held = self._values.get(name)
            if held is None or held[0] != build:
                held = self._values[name] = (build, compute(store))
            return held[1]
