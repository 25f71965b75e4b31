"""Shared fixtures: real PostgreSQL (DATABASE_URL or the embedded server), real services.

The suite runs in parallel (``make test``: pytest-xdist). Each worker has its own test database,
cache and Redis key prefix (``openpro.settings_test``) and media folder (below); nothing a test
writes is shared with another worker.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from tests import factories


def clear_cache() -> None:
    """Empty this worker's cache. On Redis, ``cache.clear()`` is FLUSHDB, which would also drop the
    keys of the other workers (and of any other run on the same server): delete our prefix only."""
    for backend in caches.all():
        if isinstance(backend, RedisCache):
            client = backend._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.unlink(*keys[start : start + 1000])
        else:
            backend.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and other cached state never leak from one test to the next."""
    clear_cache()
    yield


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_removed_at_the_end():
    yield
    clear_cache()


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files (and the private storage's exports) of the whole session go to this worker's
    own temporary folders (a test may still point ``settings.MEDIA_ROOT`` at its own ``tmp_path``)."""
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"), PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private")
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """The live server's request threads can leave an idle connection behind them; close such
    sessions before pytest-django drops the test database (DROP DATABASE refuses while in use)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def provider(db):
    return factories.make_provider(
        number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )


@pytest.fixture
def other_provider(db):
    return factories.make_provider(number=47184, email="autre@example.com", last_name="Martin")


@pytest.fixture
def owner_client(client, provider):
    client.force_login(factories.owner_of(provider))
    return client


@pytest.fixture
def lodging(provider):
    return factories.make_lodging(provider)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, browser) ends with a flush of every table, reference
    catalogues included: load them again, as the migrations did, before the next test."""
    yield
    if nextitem is None:  # the last test: the test database is already gone
        return
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or (marker is not None and marker.kwargs.get("transaction")):
        with item.config.stash[blocking_manager_key].unblock():
            _reference_data_reload()


SNAPSHOT_SCHEMA = "test_reference_snapshot"
_snapshot_tables: list[str] | None = None


def _reference_data_reload() -> None:
    """``hebergements.reference.load_reference_data`` decides what the catalogues are. The first
    time, it runs and the tables it filled are copied aside (a schema of this worker's test
    database that no flush touches); afterwards those copies are put back in SQL, which is several
    times faster than the loader (35 000 communes)."""
    global _snapshot_tables
    if _snapshot_tables is None:
        from hebergements.reference import load_reference_data
        from tarifs.models import TouristTaxBound, TouristTaxLaw
        from tarifs.reference import load_tourist_tax_scales

        before = _non_empty_tables()
        load_reference_data()
        load_tourist_tax_scales(TouristTaxLaw, TouristTaxBound)
        _snapshot_tables = sorted(_non_empty_tables() - before)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SNAPSHOT_SCHEMA}")
            for table in _snapshot_tables:
                name = connection.ops.quote_name(table)
                cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT_SCHEMA}.{name}")
                cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{name} AS TABLE {name}")
        return
    # Foreign keys are deferred to the commit: the tables go back in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _snapshot_tables:
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"INSERT INTO {name} SELECT * FROM {SNAPSHOT_SCHEMA}.{name}"  # noqa: S608 - our table names
                f" WHERE NOT EXISTS (SELECT 1 FROM {name})"
            )


def _non_empty_tables() -> set[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        filled = set()
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                filled.add(table)
        return filled
