"""Service details not covered by the page tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from comptes.audit import history
from comptes.scoping import provider_scope
from reservations import services
from reservations.models import BookingStatus, BookingSupplement, SaleProhibition
from reservations.services import OwnerPrice
from tests import factories

pytestmark = pytest.mark.django_db

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)


def test_optional_supplements_chosen_online_are_added_with_the_engines_amounts(provider, lodging):
    animal = factories.offer_supplement(lodging, "Animal", "5.00", per_day=True, max_quantity=2)
    factories.offer_supplement(lodging, "Ménage", "50.00", mandatory=True, counts_toward_deposit=True)
    factories.price_for_stay(lodging, ARRIVAL, 7, "350.00")
    factories.price_for_stay(lodging, DEPARTURE, 7, "350.00")
    with provider_scope(provider):
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            occupants=factories.adults(provider, 2),
            supplements={animal.pk: 1},
            origin="internet",
            online=True,
            client_data={"last_name": "Dupont"},
        )
        lines = sorted(BookingSupplement.objects.filter(booking=booking).values_list("label", "amount"))
    assert lines == [("Animal", Decimal("35.00")), ("Ménage", Decimal("50.00"))]
    assert booking.total_amount == Decimal("435.00")
    assert booking.deposit_amount == Decimal("100.00")  # 25 % of (350,00 + 50,00)
    assert booking.origin == "internet"

    with pytest.raises(ValidationError) as error, provider_scope(provider):
        services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=DEPARTURE,
            departure=date(2030, 7, 20),
            occupants=factories.adults(provider, 2),
            supplements={animal.pk: 3},
            online=True,
            client_data={"last_name": "Dupont"},
        )
    assert list(error.value.message_dict) == ["supplements"]


def test_an_online_booking_has_no_price_but_the_engines(provider, lodging):
    """Public paths cannot give a price: without a grid price for the stay, nothing is booked."""
    with pytest.raises(ValidationError) as error, provider_scope(provider):
        services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            occupants=factories.adults(provider, 2),
            owner_price=OwnerPrice(Decimal("1.00")),  # ignored online
            origin="internet",
            online=True,
            client_data={"last_name": "Dupont"},
        )
    assert list(error.value.message_dict) == ["price"]


def test_changing_a_stay_recomputes_its_per_day_and_per_person_supplements(provider, lodging):
    animal = factories.offer_supplement(lodging, "Animal", "5.00", per_day=True, max_quantity=2)
    factories.offer_supplement(lodging, "Linge", "8.00", mandatory=True, per_person=True)
    with provider_scope(provider):
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            occupants=factories.adults(provider, 2),
            owner_price=OwnerPrice(Decimal("350.00")),
            supplements={animal.pk: 2},
            client_data={"last_name": "Dupont"},
        )
        stay = booking.stays.get()
        services.stay_update(
            stay=stay,
            arrival=ARRIVAL,
            departure=date(2030, 7, 10),  # 4 nights instead of 7
            occupants=factories.adults(provider, 3),
            lodging_price=Decimal("200.00"),
            discount=Decimal("0"),
        )
        lines = sorted(
            BookingSupplement.objects.filter(booking=booking).values_list("label", "quantity", "amount")
        )
        booking.refresh_from_db()
    assert lines == [("Animal", 2, Decimal("40.00")), ("Linge", 1, Decimal("24.00"))]
    assert booking.total_amount == Decimal("264.00")


def test_the_proposal_explains_a_missing_price_rather_than_the_capacity(provider, lodging):
    with provider_scope(provider):
        proposal = services.stay_price_proposal(
            lodging=lodging, arrival=ARRIVAL, nights=7, occupants=factories.adults(provider, 6)
        )
    assert proposal.price is None
    assert proposal.note == "Aucun tarif pour un séjour de 7 nuits à partir du 06/07/2030."
    factories.price_for_stay(lodging, ARRIVAL, 7, "350.00")
    with provider_scope(provider):
        proposal = services.stay_price_proposal(
            lodging=lodging, arrival=ARRIVAL, nights=7, occupants=factories.adults(provider, 6)
        )
    assert proposal.price == Decimal("350.00")  # a whole-lodging price, whatever the occupants


def test_an_overpaid_file_is_paid_with_a_negative_balance(provider, lodging):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    booking = factories.record_payment(booking, "300.00").booking
    with provider_scope(provider):
        booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID and booking.balance == Decimal("-50.00")


def test_prohibitions_have_a_history(provider, lodging):
    prohibition = factories.make_prohibition(lodging, ARRIVAL, DEPARTURE)
    with provider_scope(provider):
        services.sale_prohibition_remove(
            provider=provider, lodging=lodging, arrival=ARRIVAL, departure=DEPARTURE
        )
        assert not SaleProhibition.objects.exists()
        assert [entry.action for entry in history(prohibition)] == [
            "sale_prohibition.removed",
            "sale_prohibition.created",
        ]
