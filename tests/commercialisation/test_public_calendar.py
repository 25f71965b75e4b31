"""A lodging's public calendar quotes only what the page shows: every duration of the day chosen,
and for the other days the shortest stay the engine accepts — the same arrival days as quoting
everything, whatever refuses a stay (a minimum stay, a file, a sale prohibition, the booking delay)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commercialisation.public.catalogue import lodging_calendar
from comptes.models import Provider
from comptes.scoping import scopes_disabled
from tests import factories

pytestmark = pytest.mark.django_db

NOW = factories.paris(2030, 6, 28, 10)
JULY = (date(2030, 7, 1), date(2030, 7, 31))


@pytest.fixture
def nightly(db):
    """Stays of 2 to 10 nights from every day of July 2030 (what prices by the night write), a
    provider minimum of 4 nights, a file on 10–13 July and a sale prohibition on 20–22 July."""
    seller = factories.make_seller(factories.make_office(slug="ariege"))
    with scopes_disabled():
        Provider.objects.filter(pk=seller.pk).update(min_stay_nights=4)
    lodging = factories.make_lodging(seller, name="Petit coin de paradis")
    for nights in range(2, 11):
        factories.make_stay_prices(
            lodging, start=JULY[0], end=JULY[1], nights=nights, price=f"{60 * nights}.00"
        )
    factories.make_booking(lodging, date(2030, 7, 10), date(2030, 7, 13))
    factories.make_prohibition(lodging, date(2030, 7, 20), date(2030, 7, 22))
    with scopes_disabled():
        lodging.refresh_from_db()
    return lodging


def test_the_month_view_has_the_arrival_days_of_quoting_every_stay(nightly):
    with time_machine.travel(NOW, tick=False), scopes_disabled():
        everything = lodging_calendar(nightly, *JULY)
        with CaptureQueriesContext(connection) as queries:
            month = lodging_calendar(nightly, *JULY, detailed={date(2030, 7, 2)})
    assert {day: entry.state for day, entry in month.items()} == {
        day: entry.state for day, entry in everything.items()
    }
    for day, entry in month.items():
        if day == date(2030, 7, 2):
            assert [d.nights for d in entry.durations] == [d.nights for d in everything[day].durations]
            assert [d.nights for d in entry.durations] == [4, 5, 6, 7, 8]  # the file on the 10th
        elif entry.durations:
            assert [d.nights for d in entry.durations] == [everything[day].durations[0].nights]
            assert entry.durations[0].quote.total == everything[day].durations[0].quote.total
    # 4 nights at least (the provider's minimum): the 2- and 3-night stays are refused, the day
    # is still an arrival day, at 240,00 € for its shortest stay.
    assert month[date(2030, 7, 15)].state == "arrival"
    assert month[date(2030, 7, 15)].durations[0].quote.total == 240
    assert month[date(2030, 7, 7)].state == "free"  # 3 nights before the file: too short
    assert month[date(2030, 7, 11)].state == "taken" and month[date(2030, 7, 21)].state == "closed"
    assert len(queries) <= 20


def test_only_the_lengths_asked_for(nightly):
    with time_machine.travel(NOW, tick=False), scopes_disabled():
        calendar = lodging_calendar(nightly, *JULY, lengths={7})
    arrivals = [day for day, entry in calendar.items() if entry.durations]
    assert all([d.nights for d in calendar[day].durations] == [7] for day in arrivals)
    assert date(2030, 7, 3) in arrivals and date(2030, 7, 4) not in arrivals  # 4 + 7 > the 10th
    assert calendar[date(2030, 7, 13)].durations[0].departure == date(2030, 7, 20)
    assert date(2030, 7, 14) not in arrivals  # would run into the prohibition
    assert calendar[date(2030, 7, 1)].durations and date(2030, 7, 1) + timedelta(days=7) <= date(2030, 7, 10)
