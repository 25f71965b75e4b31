"""A Redis cache that degrades instead of breaking: while Redis is unreachable, every operation goes
to a fallback cache (the database cache on the same PostgreSQL, shared by all processes, so the
login rate limits still hold), with one logged warning per outage. Redis is tried again after a
short pause (``RETRY_AFTER`` seconds); when it answers, the cache is Redis again.

Settings::

    "default": {"BACKEND": "common.cache_backends.FallbackRedisCache", "LOCATION": "redis://…",
                "FALLBACK": "database", "OPTIONS": {"socket_connect_timeout": 1}},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "…"},
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Seconds during which a Redis that just failed is not asked again (no request waits on it).
RETRY_AFTER = 5.0

_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        self._fallback_alias = params.pop("FALLBACK", None)
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _fallback(self):
        return caches[self._fallback_alias] if self._fallback_alias else None

    def _redis_down(self, operation: str, error: BaseException) -> None:
        with self._lock:
            first = self._down_until == 0.0
            self._down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning(
                "Redis cache unavailable (%s: %s): using the %s cache meanwhile",
                operation,
                error,
                self._fallback_alias or "no",
            )

    def _call(self, operation: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except RedisError as error:
                self._redis_down(operation, error)
            else:
                if self._down_until:
                    with self._lock:
                        self._down_until = 0.0
                    logger.warning("Redis cache available again")
                return result
        fallback = self._fallback()
        if fallback is not None:
            return getattr(fallback, operation)(*args, **kwargs)
        if operation == "get":
            return kwargs.get("default", args[1] if len(args) > 1 else None)
        return _FAIL_OPEN.get(operation)


#: What an operation answers with no cache at all (no fallback configured): a miss.
_FAIL_OPEN = {"add": True, "get_many": {}, "has_key": False, "delete": False, "touch": False, "incr": 1}


def _delegate(operation: str):
    def method(self, *args, **kwargs):
        return self._call(operation, *args, **kwargs)

    functools.update_wrapper(method, getattr(RedisCache, operation))
    return method


for _operation in _OPERATIONS:
    setattr(FallbackRedisCache, _operation, _delegate(_operation))
