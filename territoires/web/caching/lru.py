"""A thread-safe LRU bounded by the total size of its values: asking for the same document or
answer again costs a dictionary lookup, and memory stays bounded however many are asked."""

from __future__ import annotations

import threading
from collections import OrderedDict


class ByteLRU:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[bytes, int]] = OrderedDict()  # value, its weight
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def fits(self, size: int) -> bool:
        """Whether a value of `size` bytes would be kept (one huge value would evict the rest)."""
        return 0 < self.max_bytes and size <= self.max_bytes // 8

    def put(self, key: tuple, value) -> None:
        """Keep `value` (anything with a length in bytes) under `key`, if it fits."""
        if not self.fits(len(value)):
            return
        # The key counts too: varied queries make keys as large as their small answers.
        weight = len(value) + len(repr(key))
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= old[1] if old is not None else 0
            self._items[key] = (value, weight)
            self._size += weight
            while self._size > self.max_bytes:
                _, (_, evicted) = self._items.popitem(last=False)
                self._size -= evicted
