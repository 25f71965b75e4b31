"""Lodgings with stock ("Hébergement avec stock : Oui / 3 unités"): at most N active stays a night,
counted by ``reservations.availability`` under the lodging's lock, on every path."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.scoping import provider_scope, scopes_disabled
from reservations import availability, services
from reservations.models import Booking, Stay
from reservations.planning import build_planning
from tests import factories
from tests.concurrency import UNAVAILABLE, race

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)


def rooms(provider, units: int = 3, **fields):
    fields.setdefault("name", "Chambres du Moulin")
    return factories.make_lodging(provider, has_stock=True, stock_units=units, **fields)


@pytest.mark.django_db
def test_three_identical_rooms_take_three_overlapping_files_and_refuse_a_fourth(provider):
    lodging = rooms(provider)
    for index in range(3):
        factories.make_booking(
            lodging, ARRIVAL + timedelta(days=index), DEPARTURE, last_name=f"Client {index}"
        )
    with pytest.raises(ValidationError) as error:
        factories.make_booking(lodging, date(2030, 7, 10), date(2030, 7, 15), last_name="Trop")
    assert error.value.message_dict == {"arrival": [UNAVAILABLE]}
    # The night before the third arrival still has a unit; after the departures, every unit.
    factories.make_booking(lodging, date(2030, 7, 4), date(2030, 7, 8), last_name="Avant")
    factories.make_booking(lodging, DEPARTURE, date(2030, 7, 20), last_name="Après")
    with provider_scope(provider):
        free = availability.free_units([lodging], date(2030, 7, 4), date(2030, 7, 14))[lodging.pk]
    assert [free[date(2030, 7, day)] for day in range(4, 14)] == [2, 2, 1, 0, 0, 0, 0, 0, 0, 2]


@pytest.mark.django_db
def test_a_sale_prohibition_closes_every_unit_unless_the_owner_gives_a_number(provider):
    lodging = rooms(provider)
    factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    with provider_scope(provider), pytest.raises(ValidationError) as error:
        services.sale_prohibition_create(
            provider=provider, lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE
        )
    assert error.value.message_dict == {"arrival": [UNAVAILABLE]}
    with provider_scope(provider):
        services.sale_prohibition_create(
            provider=provider, lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE, units=1
        )
        free = availability.free_units([lodging], ARRIVAL, DEPARTURE)[lodging.pk]
        assert set(free.values()) == {1}
        with pytest.raises(ValidationError) as error:
            services.sale_prohibition_create(
                provider=provider, lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE, units=4
            )
        assert list(error.value.message_dict) == ["units"]
    factories.make_booking(lodging, ARRIVAL, DEPARTURE, last_name="Dernière")
    with pytest.raises(ValidationError):
        factories.make_booking(lodging, ARRIVAL, DEPARTURE, last_name="Refusée")
    # Every unit of a free week.
    factories.make_prohibition(lodging, date(2030, 8, 1), date(2030, 8, 8))
    with pytest.raises(ValidationError):
        factories.make_booking(lodging, date(2030, 8, 2), date(2030, 8, 4))


@pytest.mark.django_db
def test_an_imported_block_takes_one_unit_and_never_refuses_a_write(provider):
    from commercialisation.models import ImportedBlock

    lodging = rooms(provider, units=2)
    feed = factories.make_ical_feed(lodging)
    with provider_scope(provider):
        ImportedBlock.objects.create(
            provider=provider,
            lodging=lodging,
            feed=feed,
            uid="airbnb-1",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            summary="Reserved",
        )
        assert set(availability.free_units([lodging], ARRIVAL, DEPARTURE)[lodging.pk].values()) == {1}
        assert availability.stay_is_sellable(lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE)
    factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    with provider_scope(provider):
        assert set(availability.free_units([lodging], ARRIVAL, DEPARTURE)[lodging.pk].values()) == {0}
        assert not availability.stay_is_sellable(lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE)
    # The owner may still book the last unit of the back office (a conflict to show, not a refusal).
    factories.make_booking(lodging, ARRIVAL, DEPARTURE, last_name="Martin")


@pytest.mark.django_db
def test_the_planning_shows_free_units_and_stacks_the_files(
    owner_client, provider, django_assert_max_num_queries
):
    lodging = rooms(provider)
    factories.make_booking(lodging, ARRIVAL, DEPARTURE, last_name="Durand")
    factories.make_booking(lodging, date(2030, 7, 8), date(2030, 7, 10), last_name="Martin")
    with provider_scope(provider):
        services.sale_prohibition_create(
            provider=provider, lodging=lodging, arrival=date(2030, 7, 9), departure=DEPARTURE, units=1
        )
        planning = build_planning(start=ARRIVAL, days=21, today=ARRIVAL)
    row = planning.lodgings[0]
    assert row.with_stock and row.lanes == 3
    by_day = {cell.day: cell for cell in row.cells}
    assert [by_day[date(2030, 7, day)].free for day in (6, 8, 9, 10, 13)] == [2, 1, 0, 1, 3]
    assert [by_day[date(2030, 7, day)].state for day in (6, 9, 13)] == ["partial", "booked", "free"]
    response = owner_client.get(reverse("reservations:planning"), {"debut": ARRIVAL.isoformat()})
    html = response.content.decode()
    assert "Unités libres" in html and ">2/3<" in html and ">0/3<" in html
    assert "Interdiction de vente (1 unité)" in html
    with CaptureQueriesContext(connection) as before:
        owner_client.get(reverse("reservations:planning"), {"debut": ARRIVAL.isoformat()})
    for index in range(3):  # the same queries whatever the number of files and lodgings
        factories.make_booking(lodging, date(2030, 7, 14 + index), date(2030, 7, 18), last_name=f"N{index}")
        factories.make_booking(rooms(provider, name=f"Chambre {index}"), ARRIVAL, DEPARTURE)
    with django_assert_max_num_queries(len(before.captured_queries)):
        owner_client.get(reverse("reservations:planning"), {"debut": ARRIVAL.isoformat()})


@pytest.mark.django_db
def test_partial_days_can_be_selected_to_book_another_unit(owner_client, provider):
    lodging = rooms(provider)
    factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    response = owner_client.get(
        reverse("reservations:planning_selection"),
        {"lodging": lodging.pk, "arrival": ARRIVAL.isoformat(), "departure": DEPARTURE.isoformat()},
    )
    assert response.context["state"] == "free"
    assert "Unités fermées" in response.content.decode()  # the prohibition form asks how many


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("units", "winners"), [(3, 3), (1, 1)])
def test_twenty_concurrent_bookings_of_the_same_nights_fill_the_units_exactly(units, winners):
    provider = factories.make_provider(number=92760 + units)
    lodging = rooms(provider, units=units) if units > 1 else factories.make_lodging(provider)
    adults = factories.adults(provider)

    def attempt(index: int):
        with provider_scope(provider):
            services.booking_create(
                provider=provider,
                lodging=lodging,
                arrival=ARRIVAL,
                departure=DEPARTURE,
                occupants=adults,
                owner_price=services.OwnerPrice(Decimal("250.00")),
                client_data={"last_name": f"Client {index}"},
            )

    outcomes = race(20, attempt)
    assert sorted(outcomes) == ["ok"] * winners + ["refused"] * (20 - winners), outcomes
    with scopes_disabled():
        assert Booking.objects.filter(provider=provider).count() == winners
        assert sorted(Booking.objects.filter(provider=provider).values_list("number", flat=True)) == list(
            range(1, winners + 1)
        )  # no number lost to a refused booking
        assert Stay.objects.filter(lodging=lodging, active=True).count() == winners
