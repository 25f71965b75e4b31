"""The project's own uses of the cache, failing open: a cache that is down (Redis stopped) makes
them compute again, with a logged warning — never an error page."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception as error:  # noqa: BLE001 - any cache failure: compute again
        logger.warning("Cache unavailable (get %s): %s", key, error)
        return default


def cache_set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as error:  # noqa: BLE001
        logger.warning("Cache unavailable (set %s): %s", key, error)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as error:  # noqa: BLE001
        logger.warning("Cache unavailable (delete %s): %s", key, error)


class ProcessLRU:
    """A small least-recently-used cache in this process's memory, bounded by entries and bytes.

    Only for values keyed by something that changes whenever they would (a version number): then
    each process (or node) holding its own copy is safe, and nothing needs invalidating. Thread
    safe. ``entries`` 0 disables it (every ``get`` misses)."""

    def __init__(self, *, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def set(self, key: Hashable, value: Any, *, size: int) -> None:
        if self.entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while len(self._data) > self.entries or self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)
