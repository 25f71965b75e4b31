"""The Redis cache falls back to another cache while Redis does not answer (one logged warning),
and is Redis again when it answers."""

from __future__ import annotations

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings

from common import cache_backends
from common.cache_backends import FallbackRedisCache
from tests.resilience.conftest import free_port


def test_a_redis_that_does_not_answer_falls_back_then_is_tried_again(caplog, monkeypatch):
    port = free_port()  # nothing listens there
    fallback = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback-test"}
    with override_settings(CACHES={"default": fallback, "fallback": fallback}):
        cache = FallbackRedisCache(
            f"redis://127.0.0.1:{port}/0",
            {"FALLBACK": "fallback", "OPTIONS": {"socket_connect_timeout": 0.5}},
        )
        with caplog.at_level(logging.WARNING, logger="common.cache_backends"):
            assert cache.add("lock", True, timeout=10) is True  # allauth's lock works
            assert cache.add("lock", True, timeout=10) is False  # … and still locks
            cache.set("counter", [1, 2], 60)
            assert cache.get("counter") == [1, 2]
            assert cache.get("missing", "default") == "default"
            cache.delete("lock")
            assert cache.add("lock", True) is True
        warnings = [record for record in caplog.records if "Redis cache unavailable" in record.message]
        assert len(warnings) == 1  # one warning per outage, not one per call
        from django.core.cache import caches

        assert isinstance(caches["fallback"], LocMemCache) and caches["fallback"].get("counter") == [1, 2]

        # Past the pause, Redis is asked again (and, still down, the fallback answers again).
        monkeypatch.setattr(cache_backends, "RETRY_AFTER", 0.0)
        cache._down_until = 1.0
        assert cache.get("counter") == [1, 2]


def test_without_fallback_a_redis_down_is_a_cache_miss():
    cache = FallbackRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5}}
    )
    assert cache.get("x", "default") == "default"
    assert cache.add("x", 1) is True
    cache.set("x", 1)
    assert cache.get_many(["x"]) == {}
