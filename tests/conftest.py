"""Shared fixtures: real PostgreSQL (DATABASE_URL or the embedded server), real services."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from pytest_django.plugin import blocking_manager_key

from tests import factories


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and other cached state never leak from one test to the next."""
    cache.clear()
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
        from hebergements.reference import load_reference_data

        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
