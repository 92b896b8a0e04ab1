"""Switching to a new build without making anyone wait for it.

When a publication sees a new build, the store it serves stays the old one while the new one is
opened and prepared (its name index, labels and statistics computed: see `web.app`) in a thread
of its own; the switch happens once the new one is ready. When nothing is served yet (a server
starting), the build is served as soon as it is open, and prepared in that thread meanwhile: a
request that needs a value before it is ready computes it, or waits for it, then. A build that
cannot be opened (a
damaged manifest, a base the server refuses) is logged once and not retried: the old build goes
on being served.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)


class Switch:
    def __init__(self, prepare: Callable[[object], None] | None = None):
        self.prepare = prepare or (lambda store: None)
        self.key: Hashable | None = None     # the build served
        self.store = None
        self._next: Hashable | None = None   # the build being prepared
        self._refused: set[Hashable] = set()
        self._lock = threading.Lock()

    def serve(self, key: Hashable, open_store: Callable[[], object]):
        """The store to answer with now, given that the live build is `key` (opened, if it
        comes to that, by `open_store`)."""
        if key == self.key or key in self._refused:
            return self.store
        with self._lock:
            if key == self.key:
                return self.store
            if self.store is None:   # nothing else to serve: this one, at once
                store = open_store()
                self.key, self.store = key, store
                self._aside(self._warm, store)
                return store
            if self._next != key and key not in self._refused:
                self._next = key
                self._aside(self._switch, key, open_store)
            return self.store

    @staticmethod
    def _aside(work: Callable, *args) -> None:
        threading.Thread(target=work, args=args, daemon=True, name="territoires-build").start()

    def _warm(self, store) -> None:
        try:
            self.prepare(store)
        except Exception as error:   # noqa: BLE001 — the requests that need it will say
            log.error("preparing the build served failed: %s", error)

    def _switch(self, key: Hashable, open_store: Callable[[], object]) -> None:
        try:
            store = open_store()
            self.prepare(store)
        except Exception as error:   # noqa: BLE001 — anything: the old build goes on
            log.error("the new build %s is not served: %s", key, error)
            with self._lock:
                self._refused.add(key)
                if self._next == key:
                    self._next = None
            return
        with self._lock:
            if self._next == key:
                self.key, self.store, self._next = key, store, None
