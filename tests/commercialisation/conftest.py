from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.commercialisation.feedserver import FeedServer

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2024, 5, 1, 10, 0, tzinfo=PARIS)  # "1 mai 2024 - 14 juin 2024" in the manual's planning


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
