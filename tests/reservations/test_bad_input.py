"""Bad input: a clear message next to the field, and nothing saved."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes.models import AuditEntry
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from reservations import services
from reservations.models import Booking, BookingStatus, Client, Payment, SaleProhibition, Stay
from tests import factories

pytestmark = pytest.mark.django_db

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)


def error_next_to(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>([^<]*)</li>', html)
    assert match, f"no error next to {field}"
    return match.group(1)


def nothing_saved(provider):
    with provider_scope(provider):
        assert not Booking.objects.exists()
        assert not Stay.objects.exists()
        assert not Client.objects.exists()
        assert not AuditEntry.objects.exists()


def step(owner_client, **data):
    return owner_client.post(reverse("reservations:booking_create"), data).content.decode()


@pytest.mark.parametrize(
    ("departure", "message"),
    [
        ("2030-07-01", "La date de départ doit être après la date d’arrivée."),
        ("2030-07-06", "Un séjour dure au moins une nuit."),
    ],
)
def test_departure_before_arrival_or_zero_nights(owner_client, provider, lodging, departure, message):
    html = step(owner_client, step="1", lodging=lodging.pk, arrival="2030-07-06", departure=departure)
    assert error_next_to(html, "departure") == message
    assert "Étape 2" not in html
    # The same data sent straight to the last step is refused the same way.
    html = step(
        owner_client, step="3", lodging=lodging.pk, arrival="2030-07-06", departure=departure, last_name="X"
    )
    assert error_next_to(html, "departure") == message
    nothing_saved(provider)


def test_the_service_refuses_the_same_dates(provider, lodging):
    with pytest.raises(ValidationError) as error:
        factories.make_booking(lodging, ARRIVAL, ARRIVAL)
    assert error.value.message_dict == {"departure": ["Un séjour dure au moins une nuit."]}
    nothing_saved(provider)


def test_more_occupants_than_the_capacity(owner_client, provider, lodging):
    with provider_scope(provider):
        adult = AgeBracket.objects.order_by("position").first()
    html = step(
        owner_client,
        step="3",
        lodging=lodging.pk,
        arrival=ARRIVAL.isoformat(),
        departure=DEPARTURE.isoformat(),
        **{f"occupants_{adult.pk}": "5"},
        price="250,00",
        discount="0",
        last_name="Dupont",
    )
    assert error_next_to(html, f"occupants_{adult.pk}") == (
        "Cet hébergement accueille 4 personnes au maximum."
    )
    assert "Étape 2" in html and "Étape 3" not in html
    with pytest.raises(ValidationError) as error:
        factories.make_booking(lodging, ARRIVAL, DEPARTURE, persons=5)
    assert error.value.message_dict == {"occupants": ["Cet hébergement accueille 4 personnes au maximum."]}
    nothing_saved(provider)


def test_no_price_and_a_discount_larger_than_the_price(owner_client, provider, lodging):
    with provider_scope(provider):
        adult = AgeBracket.objects.order_by("position").first()
    base = {
        "step": "2",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
        f"occupants_{adult.pk}": "2",
    }
    html = step(owner_client, **base, price="", discount="")
    assert error_next_to(html, "price") == "Indiquez le prix du séjour."
    html = step(owner_client, **base, price="100,00", discount="150,00")
    assert error_next_to(html, "discount") == "La remise ne peut pas dépasser le prix."
    html = step(owner_client, **base, price="-5", discount="0")
    assert "id_price_error" in html
    nothing_saved(provider)


def test_dates_taken_by_a_prohibition_are_refused_at_step_one(owner_client, provider, lodging):
    factories.make_prohibition(lodging, date(2030, 7, 10), date(2030, 7, 20))
    html = step(
        owner_client,
        step="1",
        lodging=lodging.pk,
        arrival=ARRIVAL.isoformat(),
        departure=DEPARTURE.isoformat(),
    )
    assert error_next_to(html, "arrival") == (
        "Ces dates ne sont pas disponibles : elles chevauchent un autre séjour ou une interdiction de vente."
    )


def test_a_refund_larger_than_what_was_paid(owner_client, provider, lodging):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    factories.record_payment(booking, "62.50")
    response = owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-05-01", "mode": "virement", "amount": "100,00", "note": ""},
    )
    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "amount") == (
        "Un remboursement ne peut pas dépasser les règlements reçus (62,50\xa0€)."
    )
    with provider_scope(provider):
        assert Payment.objects.count() == 1
        booking = Booking.objects.get()
    assert booking.paid_amount == Decimal("62.50") and booking.status == BookingStatus.CONFIRMED


def test_a_payment_on_a_cancelled_file(owner_client, provider, lodging):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    factories.record_payment(booking, "62.50")
    with provider_scope(provider):
        services.booking_cancel(booking=booking)
    url = reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk})
    response = owner_client.post(url, {"date": "2030-05-01", "mode": "cheque", "amount": "50,00", "note": ""})
    assert error_next_to(response.content.decode(), "amount") == (
        "Ce dossier est annulé : vous ne pouvez plus y enregistrer de règlement, seulement un remboursement."
    )
    with provider_scope(provider):
        assert Payment.objects.count() == 1
    # Giving the deposit back is still possible.
    owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-05-01", "mode": "cheque", "amount": "62,50", "note": ""},
    )
    with provider_scope(provider):
        assert Booking.objects.get().paid_amount == Decimal("0.00")


@pytest.mark.parametrize("amount", ["0", "abc", ""])
def test_a_payment_without_a_valid_amount(owner_client, provider, lodging, amount):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    response = owner_client.post(
        reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-05-01", "mode": "cheque", "amount": amount},
    )
    assert "id_amount_error" in response.content.decode()
    with provider_scope(provider):
        assert not Payment.objects.exists()


def test_moving_a_stay_onto_another_one_is_refused_and_changes_nothing(owner_client, provider, lodging):
    first = factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    factories.make_booking(lodging, DEPARTURE, date(2030, 7, 20), last_name="Martin")
    with provider_scope(provider):
        stay = Stay.objects.get(booking=first)
        adult = AgeBracket.objects.order_by("position").first()
    response = owner_client.post(
        reverse("reservations:stay_edit", kwargs={"booking_pk": first.pk, "stay_pk": stay.pk}),
        {
            "arrival": "2030-07-08",
            "departure": "2030-07-15",
            f"occupants_{adult.pk}": "2",
            "price": "300,00",
            "discount": "0",
        },
    )
    assert error_next_to(response.content.decode(), "arrival") == "Ces dates ne sont plus disponibles."
    with provider_scope(provider):
        stay.refresh_from_db()
        assert (stay.arrival, stay.departure, stay.lodging_price) == (ARRIVAL, DEPARTURE, Decimal("250.00"))
        assert Booking.objects.get(pk=first.pk).total_amount == Decimal("250.00")


def test_a_prohibition_on_booked_days_is_refused(owner_client, provider, lodging):
    factories.make_booking(lodging, ARRIVAL, DEPARTURE)
    response = owner_client.post(
        reverse("reservations:prohibition_create"),
        {"lodging": lodging.pk, "arrival": "2030-07-10", "departure": "2030-07-15"},
    )
    assert error_next_to(response.content.decode(), "arrival") == "Ces dates ne sont plus disponibles."
    response = owner_client.post(
        reverse("reservations:prohibition_create"),
        {"lodging": lodging.pk, "arrival": "2030-07-15", "departure": "2030-07-10"},
    )
    assert (
        error_next_to(response.content.decode(), "departure")
        == "La date de fin doit être après la date de début."
    )
    with provider_scope(provider):
        assert not SaleProhibition.objects.exists()


def test_another_providers_lodging_is_not_a_choice(owner_client, provider, lodging, other_provider):
    foreign = factories.make_lodging(other_provider)
    html = step(
        owner_client,
        step="1",
        lodging=foreign.pk,
        arrival=ARRIVAL.isoformat(),
        departure=DEPARTURE.isoformat(),
    )
    assert "id_lodging_error" in html
    response = owner_client.post(
        reverse("reservations:prohibition_create"),
        {"lodging": foreign.pk, "arrival": "2030-07-10", "departure": "2030-07-15"},
    )
    assert "id_lodging_error" in response.content.decode()
    with provider_scope(other_provider):
        assert not Stay.objects.exists()
