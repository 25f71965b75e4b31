"""No double booking, ever: the exclusion constraint, the services' answers, and real concurrency."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import AgeBracket
from reservations import services
from reservations.models import Booking, SaleProhibition, Stay
from reservations.services import OwnerPrice
from tests import factories
from tests.concurrency import race

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)
UNAVAILABLE = "Ces dates ne sont plus disponibles."


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_even_without_the_services(provider, lodging):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    with provider_scope(provider), pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            provider=provider,
            lodging=lodging,
            kind=Stay.Kind.PROHIBITION,
            arrival=date(2030, 7, 12),
            departure=date(2030, 7, 14),
        )
    # Departure day = next arrival day is allowed, before and after.
    factories.make_booking(lodging, DEPARTURE, date(2030, 7, 20))
    factories.make_prohibition(lodging, date(2030, 7, 1), ARRIVAL)
    # A cancelled file's stay no longer counts.
    with provider_scope(provider):
        services.booking_cancel(booking=booking)
    factories.make_booking(lodging, ARRIVAL, DEPARTURE, last_name="Martin")


@pytest.mark.django_db
def test_another_lodging_is_not_concerned(provider, lodging):
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    factories.make_booking(other, ARRIVAL, DEPARTURE)


@pytest.mark.django_db
def test_the_service_answers_the_overlap_next_to_the_dates(provider, lodging):
    factories.make_prohibition(lodging, date(2030, 7, 10), date(2030, 7, 15))
    with pytest.raises(ValidationError) as error:
        factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    assert error.value.message_dict == {"arrival": [UNAVAILABLE]}
    with provider_scope(provider):
        assert not Booking.objects.exists()
        assert provider.__class__.objects.get(pk=provider.pk).booking_counter == 0  # rolled back too


@pytest.mark.django_db(transaction=True)
def test_twenty_owners_book_the_same_dates_at_once_exactly_one_wins():
    """20 threads post the last step of "Créer un dossier" for the same lodging and dates at the same
    moment, each with its own database connection: one file is created, the 19 others see the
    dates-no-longer-available error next to the dates, nobody gets a 500."""
    provider = factories.make_provider(number=92750, email="dupont.marie@test.com")
    lodging = factories.make_lodging(provider)
    owner = factories.owner_of(provider)
    with provider_scope(provider):
        brackets = list(AgeBracket.objects.order_by("position"))
    data = {
        "step": "3",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
        **{f"occupants_{bracket.pk}": "0" for bracket in brackets},
        f"occupants_{brackets[0].pk}": "2",
        "price": "250,00",
        "discount": "0,00",
        "existing_client": "",
        "last_name": "Dupont",
    }
    clients = []
    for _index in range(20):
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        clients.append(client)
    start = threading.Barrier(len(clients))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def book(client: Client, index: int):
        try:
            start.wait()
            response = client.post(
                reverse("reservations:booking_create"), {**data, "first_name": f"Client {index}"}
            )
            with lock:
                results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(client, i)) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _body in results)
    assert len(results) == 20
    assert statuses.count(302) == 1, statuses
    assert statuses.count(200) == 19, statuses
    for status, body in results:
        if status == 200:
            assert UNAVAILABLE in body
            assert 'id="id_arrival_error"' in body
    with scopes_disabled():
        assert Booking.objects.count() == 1
        assert Stay.objects.filter(lodging=lodging, active=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_calling_the_service_at_once_exactly_one_wins():
    """The same race one layer down, with no form check before: only the database guard stands
    between the 20 threads and a double booking."""
    provider = factories.make_provider(number=92752)
    lodging = factories.make_lodging(provider)
    adults = factories.adults(provider)

    def attempt(index: int):
        with provider_scope(provider):
            services.booking_create(
                provider=provider,
                lodging=lodging,
                arrival=ARRIVAL,
                departure=DEPARTURE,
                occupants=adults,
                owner_price=OwnerPrice(Decimal("250.00")),
                client_data={"last_name": f"Client {index}"},
            )

    outcomes = race(20, attempt)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 19, outcomes
    with scopes_disabled():
        assert Booking.objects.filter(provider=provider).count() == 1
        assert list(Booking.objects.filter(provider=provider).values_list("number", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_bookings_and_sale_prohibitions_racing_for_the_same_nights():
    provider = factories.make_provider(number=92751)
    lodging = factories.make_lodging(provider)
    adults = factories.adults(provider)

    def attempt(index: int):
        with provider_scope(provider):
            if index % 2:
                services.sale_prohibition_create(
                    provider=provider, lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE
                )
            else:
                services.booking_create(
                    provider=provider,
                    lodging=lodging,
                    arrival=ARRIVAL,
                    departure=DEPARTURE,
                    occupants=adults,
                    owner_price=OwnerPrice(Decimal("250.00")),
                    client_data={"last_name": f"Client {index}"},
                )

    outcomes = race(12, attempt)
    # Prohibitions merge with each other, so either one file wins (and every prohibition is
    # refused), or the prohibitions win (and every file is refused).
    with scopes_disabled():
        active = list(Stay.objects.filter(lodging=lodging, active=True).values_list("kind", flat=True))
    assert len(active) == 1, (active, outcomes)
    assert set(outcomes) <= {"ok", "refused"}, outcomes
    if active == [Stay.Kind.BOOKING]:
        assert outcomes.count("ok") == 1
    else:
        with scopes_disabled():
            assert not Booking.objects.exists()
            prohibition = SaleProhibition.objects.get()
        assert (prohibition.arrival, prohibition.departure) == (ARRIVAL, DEPARTURE)
