"""A file's life with the manual's figures ("Le dossier de réservation du client", 4-1).

Total 255,00 € = lodging 250,00 + 5,00 of mandatory fees; deposit 25 % of the lodging → 62,50;
a 62,50 cheque confirms it, balance 192,50; 192,50 in cash makes it paid (soldé), balance 0,00.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from comptes.audit import history
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from reservations.models import Booking, BookingStatus, Payment, Stay
from tests import factories

pytestmark = pytest.mark.django_db

ARRIVAL = date(2019, 4, 27)  # a Saturday
DEPARTURE = date(2019, 5, 4)
CREATED = "2019-04-11 11:19"


@pytest.fixture
def priced_lodging(lodging):
    factories.price_for_stay(lodging, ARRIVAL, 7, "250.00")
    factories.offer_supplement(lodging, "Frais de dossier", "5.00", mandatory=True)
    return lodging


def create_through_the_three_steps(client, lodging, *, adults=2, price=None, discount=None, **contact):
    url = reverse("reservations:booking_create")
    step1 = {
        "step": "1",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
    }
    response = client.post(url, step1)
    assert response.status_code == 200
    assert "Étape 2" in response.content.decode()
    with provider_scope(lodging.provider):
        brackets = list(AgeBracket.objects.order_by("position"))
    proposed = response.context["price_form"].initial
    step2 = {
        **step1,
        "step": "2",
        **{f"occupants_{bracket.pk}": 0 for bracket in brackets},
        f"occupants_{brackets[0].pk}": adults,
        "price": price if price is not None else str(proposed["price"]).replace(".", ","),
        "discount": discount if discount is not None else str(proposed["discount"]).replace(".", ","),
    }
    response = client.post(url, step2)
    assert response.status_code == 200, response.content.decode()
    assert "Étape 3" in response.content.decode(), response.content.decode()
    step3 = {
        **step2,
        "step": "3",
        "existing_client": "",
        "last_name": "Dupont",
        "first_name": "Marie",
        **contact,
    }
    return client.post(url, step3)


def booking_of(provider) -> Booking:
    with provider_scope(provider):
        return Booking.objects.select_related("client").get()


@time_machine.travel(CREATED, tick=False)
def test_the_manuals_file_from_option_to_paid(owner_client, provider, priced_lodging):
    response = create_through_the_three_steps(
        owner_client, priced_lodging, postcode="09000", city="Arabaux", phone1="+33561023086"
    )
    booking = booking_of(provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})

    assert booking.number == 1
    assert booking.status == BookingStatus.OPTION
    assert booking.total_amount == Decimal("255.00")
    assert booking.deposit_percent == Decimal("25.00")
    assert booking.deposit_amount == Decimal("62.50")
    assert booking.paid_amount == Decimal("0.00")
    assert booking.deposit_due_date == date(2019, 4, 21)  # 10 days after the option
    assert booking.balance_due_date == ARRIVAL  # balance at arrival
    with provider_scope(provider):
        stay = Stay.objects.get(booking=booking)
        assert (stay.lodging_price, stay.discount) == (Decimal("250.00"), Decimal("0.00"))
        assert [(line.label, line.amount) for line in stay.supplements.all()] == [
            ("Frais de dossier", Decimal("5.00"))
        ]

    detail = owner_client.get(response["Location"]).content.decode()
    assert "11/04/2019 11:19 - (Dossier local)" in detail
    assert re.search(r"Montant total</dt><dd[^>]*>255,00\xa0€", detail)
    assert re.search(r"Acompte dû</dt><dd[^>]*>62,50\xa0€", detail)
    assert "Passer en statut confirmé" in detail

    # The add-payment form proposes the deposit; a 62,50 cheque confirms the file.
    payment_url = reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk})
    form = owner_client.get(payment_url).context["form"]
    assert form.initial["amount"] == Decimal("62.50")
    response = owner_client.post(
        payment_url, {"date": "2019-04-11", "mode": "cheque", "amount": "62,50", "note": ""}
    )
    assert response.status_code == 302
    booking = booking_of(provider)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.paid_amount == Decimal("62.50")
    assert booking.balance == Decimal("192.50")

    # The balance is proposed next; 192,50 in cash makes it paid.
    assert owner_client.get(payment_url).context["form"].initial["amount"] == Decimal("192.50")
    owner_client.post(payment_url, {"date": "2019-04-11", "mode": "especes", "amount": "192,50", "note": ""})
    booking = booking_of(provider)
    assert booking.status == BookingStatus.PAID
    assert booking.balance == Decimal("0.00")

    detail = owner_client.get(reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}))
    text = detail.content.decode()
    assert re.search(r"Solde</th><td class=\"num\">0,00\xa0€", text)
    assert "Soldé" in text
    with provider_scope(provider):
        actions = [entry.action for entry in history(booking)]
    assert actions == [
        "booking.status.changed",  # confirmed → paid
        "booking.payment.added",
        "booking.status.changed",  # option → confirmed
        "booking.payment.added",
        "booking.created",
    ]
    assert "Règlement ajouté : 62,50\xa0€ — Chèque — 11/04/2019" in text
    assert "Statut : Confirmé → Soldé" in text


def test_the_planning_shows_the_file_in_the_colour_of_its_status(owner_client, provider, priced_lodging):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE, price="250.00")
    url = reverse("reservations:planning") + f"?debut={(ARRIVAL - timedelta(days=3)).isoformat()}"

    def block():
        html = owner_client.get(url).content.decode()
        match = re.search(rf'<div class="pl-block pl-(\w+)[^"]*"[^>]*data-booking="{booking.pk}"', html)
        assert match, html
        label = re.search(
            rf'data-booking="{booking.pk}">\s*<span class="pl-block-label">([^<]*)</span>', html
        )
        return match.group(1), label.group(1)

    assert block() == ("option", f"DUPONT MARIE n°{booking.number}")
    factories.record_payment(booking, "62.50")
    assert block()[0] == "confirmed"
    factories.record_payment(booking, "192.50", mode="especes")
    assert block() == ("paid", f"✓ DUPONT MARIE n°{booking.number}")


def test_confirming_by_hand_and_receiving_the_contract(owner_client, provider, priced_lodging):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE)
    owner_client.post(reverse("reservations:booking_confirm", kwargs={"booking_pk": booking.pk}))
    owner_client.post(reverse("reservations:booking_contract", kwargs={"booking_pk": booking.pk}))
    booking = booking_of(provider)
    assert booking.status == BookingStatus.CONFIRMED and booking.confirmed_manually
    assert booking.contract_signed_at is not None
    # A payment later on does not undo the manual confirmation; deleting it keeps the file confirmed.
    payment = factories.record_payment(booking, "10.00")
    owner_client.post(
        reverse("reservations:payment_delete", kwargs={"booking_pk": booking.pk, "payment_pk": payment.pk})
    )
    assert booking_of(provider).status == BookingStatus.CONFIRMED


def test_deleting_the_only_payment_puts_the_file_back_in_option(owner_client, provider, priced_lodging):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE)
    payment = factories.record_payment(booking, "62.50")
    assert booking_of(provider).status == BookingStatus.CONFIRMED
    owner_client.post(
        reverse("reservations:payment_delete", kwargs={"booking_pk": booking.pk, "payment_pk": payment.pk})
    )
    booking = booking_of(provider)
    assert booking.status == BookingStatus.OPTION and booking.paid_amount == Decimal("0.00")


def test_editing_a_payment_and_a_refund(owner_client, provider, priced_lodging):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE)
    payment = factories.record_payment(booking, "255.00")
    assert booking_of(provider).status == BookingStatus.PAID
    edit = reverse("reservations:payment_edit", kwargs={"booking_pk": booking.pk, "payment_pk": payment.pk})
    owner_client.post(
        edit, {"date": "2019-04-12", "mode": "virement", "amount": "200,00", "note": "virement"}
    )
    booking = booking_of(provider)
    assert booking.status == BookingStatus.CONFIRMED and booking.balance == Decimal("55.00")
    owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2019-04-13", "mode": "virement", "amount": "20,00", "note": "geste commercial"},
    )
    booking = booking_of(provider)
    assert booking.paid_amount == Decimal("180.00") and booking.balance == Decimal("75.00")
    # The refund is edited as the amount given back.
    with provider_scope(provider):
        refund = Payment.objects.get(amount__lt=0)
    owner_client.post(
        reverse("reservations:payment_edit", kwargs={"booking_pk": booking.pk, "payment_pk": refund.pk}),
        {"date": "2019-04-13", "mode": "virement", "amount": "30,00", "note": "geste commercial"},
    )
    booking = booking_of(provider)
    assert booking.paid_amount == Decimal("170.00") and booking.balance == Decimal("85.00")


def test_cancel_keeps_the_number_frees_the_dates_and_takes_cancellation_fees(
    owner_client, provider, priced_lodging
):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE)
    factories.record_payment(booking, "62.50")
    response = owner_client.post(reverse("reservations:booking_cancel", kwargs={"booking_pk": booking.pk}))
    assert response.status_code == 302
    booking = booking_of(provider)
    assert booking.status == BookingStatus.CANCELLED and booking.number == 1
    with provider_scope(provider):
        assert not Stay.objects.filter(booking=booking, active=True).exists()
    assert booking.total_amount == Decimal("0.00")

    # Cancellation fees: a global supplement on the cancelled file.
    owner_client.post(
        reverse("reservations:supplement_create", kwargs={"booking_pk": booking.pk}),
        {"label": "Frais d’annulation", "unit_price": "30,00", "quantity": "1"},
    )
    booking = booking_of(provider)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.total_amount == Decimal("30.00") and booking.balance == Decimal("-32.50")

    # The dates are free again: a new file takes them, with the next number.
    again = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE, last_name="Martin")
    assert again.number == 2


def test_delete_frees_the_dates_and_the_number_is_never_reused(owner_client, provider, priced_lodging):
    booking = factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE)
    factories.record_payment(booking, "62.50")
    response = owner_client.post(reverse("reservations:booking_delete", kwargs={"booking_pk": booking.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("reservations:planning")
    with provider_scope(provider):
        assert not Booking.objects.exists() and not Stay.objects.exists() and not Payment.objects.exists()
    assert factories.make_booking(priced_lodging, ARRIVAL, DEPARTURE).number == 2


def test_an_existing_client_is_picked_again(owner_client, provider, priced_lodging):
    first = factories.make_booking(priced_lodging, ARRIVAL - timedelta(days=14), ARRIVAL - timedelta(days=7))
    options = owner_client.get(reverse("reservations:client_options"), {"q": "dup"}).content.decode()
    assert f'value="{first.client_id}"' in options and "Dupont Marie" in options
    response = create_through_the_three_steps(
        owner_client, priced_lodging, existing_client=str(first.client_id), last_name=""
    )
    assert response.status_code == 302
    with provider_scope(provider):
        assert Booking.objects.get(number=2).client_id == first.client_id


def test_a_stay_without_grid_price_asks_for_the_price(owner_client, provider, lodging):
    response = owner_client.post(
        reverse("reservations:booking_create"),
        {"step": "1", "lodging": lodging.pk, "arrival": "2019-06-01", "departure": "2019-06-04"},
    )
    text = response.content.decode()
    assert response.context["price_form"].initial["price"] is None
    assert "Aucun tarif pour un séjour de 3 nuits à partir du 01/06/2019." in text
    assert "Saisissez le prix du séjour." in text


def test_step_two_proposes_the_grid_price_again_when_the_occupants_change(owner_client, provider, lodging):
    with provider_scope(provider):
        adult, child = AgeBracket.objects.order_by("position")[:2]
    from tarifs.models import StayPrice, StayPriceBracket

    with provider_scope(provider):
        grid = StayPrice.objects.create(
            provider=provider, lodging=lodging, arrival=ARRIVAL, nights=7, mode=StayPrice.Mode.PER_PERSON
        )
        for bracket, amount in ((adult, "100.00"), (child, "50.00")):
            StayPriceBracket.objects.create(
                provider=provider,
                stay_price=grid,
                age_bracket=bracket,
                initial_price=Decimal(amount),
                sale_price=Decimal(amount),
            )
    data = {
        "step": "2",
        "recalc": "1",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
        f"occupants_{adult.pk}": "2",
        f"occupants_{child.pk}": "1",
        "price": "",
        "discount": "",
    }
    response = owner_client.post(
        reverse("reservations:booking_create"), data, headers={"HX-Request": "true", "HX-Target": "step-2"}
    )
    html = response.content.decode()
    assert re.search(r'name="price" value="250,00"', html), html  # 2 × 100,00 + 1 × 50,00
    assert 'id="step-2"' in html and "<html" not in html


def test_without_grid_price_the_typed_price_survives_a_change_of_occupants(owner_client, provider, lodging):
    with provider_scope(provider):
        adult = AgeBracket.objects.order_by("position").first()
    data = {
        "step": "2",
        "recalc": "1",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
        f"occupants_{adult.pk}": "3",
        "price": "320,00",
        "discount": "20,00",
    }
    html = owner_client.post(
        reverse("reservations:booking_create"), data, headers={"HX-Request": "true", "HX-Target": "step-2"}
    ).content.decode()
    assert 'name="price" value="320,00"' in html and 'name="discount" value="20,00"' in html
