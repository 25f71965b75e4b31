"""The project's own uses of the cache, failing open: a cache that is down (Redis stopped) makes
them compute again, with a logged warning — never an error page."""

from __future__ import annotations

import logging
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
