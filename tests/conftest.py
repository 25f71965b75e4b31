"""Shared fixtures: real PostgreSQL (DATABASE_URL or the embedded server), real services.

The suite runs in parallel (``make test``: pytest-xdist). Each worker has its own test database,
cache and Redis key prefix (``openpro.settings_test``) and media folder (below); nothing a test
writes is shared with another worker.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

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


# --- the test databases -----------------------------------------------------------------------
# Migrating a database (35 000 communes among the data) is the longest step of a worker's start.
# Under xdist the first worker migrates one template database and every worker clones it
# (CREATE DATABASE … TEMPLATE: under a second), instead of each worker migrating its own at the
# same time on the same cores. A run in one process (or with --reuse-db) does what pytest-django
# does. The template is dropped when the run ends (and replaced if a crashed run left one).


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # this process: the controller of an xdist run, or alone
        config.openpro_run_dir = Path(tempfile.mkdtemp(prefix="openpro-tests-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist hook (controller side): each worker learns the folder of this run's template lock."""
    node.workerinput["openpro_run_dir"] = str(node.config.openpro_run_dir)


def _xdist_run_dir(config) -> Path | None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return Path(workerinput["openpro_run_dir"])
    return getattr(config, "openpro_run_dir", None)


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _template_name(test_name: str) -> str:
    return f"{test_name}_template"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,  # pytest-django's: the worker's suffix in the test database's name
):
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run_dir = _xdist_run_dir(request.config)
    verbosity = request.config.option.verbose
    if worker is None or run_dir is None or (django_db_keepdb and not django_db_createdb):
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=verbosity, interactive=False, keepdb=django_db_keepdb and not django_db_createdb
            )
        yield
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)
        return

    conn = connections["default"]
    creation = conn.creation
    original_name = conn.settings_dict["NAME"]
    worker_db = creation._get_test_db_name()  # test_<name>_gw0 (pytest-django added the suffix)
    template = _template_name(worker_db.removesuffix(f"_{worker}"))
    quote = conn.ops.quote_name
    with django_db_blocker.unblock(), _file_lock(run_dir / "template.lock"):
        ready = run_dir / "template.ready"
        if not ready.exists():
            test_settings = conn.settings_dict["TEST"]
            worker_test_name, test_settings["NAME"] = test_settings.get("NAME"), template
            creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            conn.close()
            test_settings["NAME"] = worker_test_name
            conn.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = original_name
            ready.write_text(template)
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker_db)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(worker_db)} TEMPLATE {quote(template)}")
    conn.close()
    conn.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = worker_db
    yield
    with django_db_blocker.unblock():
        creation.destroy_test_db(old_database_name=original_name, verbosity=0)


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the template its workers cloned."""
    run_dir = _xdist_run_dir(session.config)
    if run_dir is None or hasattr(session.config, "workerinput") or not run_dir.exists():
        return
    ready = run_dir / "template.ready"
    if ready.exists():
        from django.db import connections

        with session.config.stash[blocking_manager_key].unblock():
            conn = connections["default"]
            with conn.creation._nodb_cursor() as cursor:
                cursor.execute(
                    f"DROP DATABASE IF EXISTS {conn.ops.quote_name(ready.read_text())} WITH (FORCE)"
                )
    for path in run_dir.iterdir():
        path.unlink()
    run_dir.rmdir()


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
