from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import factories
from tests.commercialisation.feedserver import FeedServer

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2024, 5, 1, 10, 0, tzinfo=PARIS)  # "1 mai 2024 - 14 juin 2024" in the manual's planning
GUESTS_NOW = datetime(2030, 6, 1, 10, 0, tzinfo=PARIS)  # the guests' side: a month before July's weeks


@pytest.fixture
def feed_server(settings):
    """A real HTTP server on 127.0.0.1; the test setting lets the safe fetcher reach loopback."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    settings.OUTBOUND_DEADLINE_SECONDS = 3
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def frozen_today():
    """Today is Wednesday 1 May 2024 (Paris); the clock still ticks."""
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


# --- the guests' side: a marketplace, a provider selling on it, its lodging priced for July --------


@pytest.fixture
def guests_today():
    """Today is 1 June 2030, 10:00 (Paris), the clock stopped (``pytestmark`` of the guests' tests)."""
    with time_machine.travel(GUESTS_NOW, tick=False):
        yield


@pytest.fixture
def office():
    return factories.make_office(slug="ariege")


@pytest.fixture
def seller(office):
    """A provider of ``office`` in production, selling online."""
    return factories.make_seller(office)


@pytest.fixture
def paradis(seller):
    """ "Petit coin de paradis": 7-night stays from every Saturday of July and August 2030 at 350 €."""
    return factories.make_priced_lodging(seller)
