"""Selectors the planning and the dashboard call."""

from __future__ import annotations

from datetime import date

import pytest

from commercialisation import selectors, services
from commercialisation.models import ImportedBlock, Platform
from comptes.scoping import provider_scope
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def block(feed, uid, arrival, departure, kind="reservation", summary="Reserved"):
    """An imported block written as a sync writes it: the row, then the lodging's conflict flags."""
    with provider_scope(feed.provider):
        created = ImportedBlock.objects.create(
            provider=feed.provider,
            lodging=feed.lodging,
            feed=feed,
            uid=uid,
            kind=kind,
            summary=summary,
            arrival=arrival,
            departure=departure,
        )
        services.conflicts_refresh(lodging=feed.lodging)
        return created


def test_imported_blocks_per_lodging_in_one_query(provider, django_assert_num_queries):
    lodgings = [factories.make_lodging(provider, name=f"Gîte {i}") for i in range(5)]
    for i, lodging in enumerate(lodgings):
        airbnb = factories.make_ical_feed(lodging, name="Airbnb", platform=Platform.AIRBNB)
        booking = factories.make_ical_feed(lodging, name="Booking.com", platform=Platform.BOOKING)
        block(airbnb, "r1", date(2024, 5, 8), date(2024, 5, 12))
        block(
            booking,
            "m1",
            date(2024, 5, 20),
            date(2024, 5, 25),
            kind="unavailable",
            summary="CLOSED - Not available",
        )
        block(airbnb, "old", date(2024, 3, 1), date(2024, 3, 5))  # outside the window
        if i == 0:
            factories.make_booking_stay(lodging, date(2024, 5, 11), date(2024, 5, 14))
    with provider_scope(provider), django_assert_num_queries(1):
        result = selectors.imported_blocks(lodgings, date(2024, 5, 1), date(2024, 6, 1))
    assert set(result) == {lodging.pk for lodging in lodgings}
    first = result[lodgings[0].pk]
    assert [(b.arrival, b.departure, b.platform, b.kind, b.conflict) for b in first] == [
        (date(2024, 5, 8), date(2024, 5, 12), "airbnb", "reservation", True),
        (date(2024, 5, 20), date(2024, 5, 25), "booking", "unavailable", False),
    ]
    assert first[0].platform_label == "Airbnb" and first[0].platform == "airbnb"
    assert first[0].conflict_booking_number is not None and first[0].nights == 4
    assert [b.conflict for b in result[lodgings[1].pk]] == [False, False]
    with provider_scope(provider), django_assert_num_queries(0):
        assert selectors.imported_blocks([], date(2024, 5, 1), date(2024, 6, 1)) == {}


def test_open_conflicts_are_the_providers_own_and_not_over(provider, other_provider):
    lodging = factories.make_lodging(provider)
    feed = factories.make_ical_feed(lodging)
    factories.make_booking_stay(lodging, date(2024, 4, 20), date(2024, 4, 25))
    factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    block(feed, "over", date(2024, 4, 22), date(2024, 4, 24))  # ended: not open any more
    block(feed, "open", date(2024, 5, 10), date(2024, 5, 13))
    foreign = factories.make_lodging(other_provider)
    factories.make_booking_stay(foreign, date(2024, 5, 8), date(2024, 5, 12))
    block(factories.make_ical_feed(foreign), "theirs", date(2024, 5, 10), date(2024, 5, 13))
    with provider_scope(provider):
        conflicts = selectors.open_conflicts(provider)
    assert [(c.arrival, c.lodging_name) for c in conflicts] == [(date(2024, 5, 10), "Petit coin de paradis")]


def test_conflict_flags_follow_the_booking_files(provider):
    from reservations import services as booking_services

    lodging = factories.make_lodging(provider)
    feed = factories.make_ical_feed(lodging)
    airbnb = block(feed, "r1", date(2024, 5, 10), date(2024, 5, 13))
    with provider_scope(provider):
        assert selectors.open_conflicts(provider) == []
    stay = factories.make_booking_stay(lodging, date(2024, 5, 12), date(2024, 5, 15))
    with provider_scope(provider):
        conflicts = selectors.open_conflicts(provider)
        assert [(c.pk, c.conflict_booking_id) for c in conflicts] == [(airbnb.pk, stay.booking_id)]
        booking_services.booking_cancel(booking=stay.booking)
        assert selectors.open_conflicts(provider) == []


def test_with_stock_a_platform_reservation_conflicts_only_when_the_units_run_out(provider):
    rooms = factories.make_lodging(provider, name="Chambres", has_stock=True, stock_units=2)
    feed = factories.make_ical_feed(rooms)
    block(feed, "r1", date(2024, 5, 10), date(2024, 5, 13))
    factories.make_booking_stay(rooms, date(2024, 5, 10), date(2024, 5, 13), client_name="Un")
    with provider_scope(provider):
        assert selectors.open_conflicts(provider) == []  # one room each
    second = factories.make_booking_stay(rooms, date(2024, 5, 12), date(2024, 5, 14), client_name="Deux")
    with provider_scope(provider):
        conflicts = selectors.open_conflicts(provider)
    assert [c.conflict_booking_number for c in conflicts] == [1]  # the first file on the full night
    assert second.booking.number == 2
