"""Money on the file (issue #17, "Readable money"): an overpayment is accepted only after a visible
warning and then shows "Trop-perçu 100,00 € — à rembourser"; a refund is its own action
("Enregistrer un remboursement"), never a negative payment; a payment keeps its transaction reference.

The manual's file: lodging 350,00 + cleaning 50,00 = 400,00."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.audit import history
from comptes.scoping import provider_scope
from reservations.models import Booking, BookingStatus, Payment
from tests import factories
from tests.reservations.test_bad_input import error_next_to

pytestmark = pytest.mark.django_db

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)


@pytest.fixture
def booking(lodging):
    factories.offer_supplement(lodging, "Ménage", "50.00", mandatory=True)
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE, price="350.00")
    assert booking.total_amount == Decimal("400.00")
    return booking


def file_of(provider) -> Booking:
    with provider_scope(provider):
        return Booking.objects.get()


def balance_text(html: str) -> str:
    match = re.search(r'data-testid="balance">(.*?)</dd>', html, re.S)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def pay(client, booking, amount: str, **extra):
    return client.post(
        reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-01", "mode": "virement", "amount": amount, "note": "", **extra},
    )


def test_an_overpayment_is_refused_with_a_warning_then_accepted(owner_client, provider, booking):
    response = pay(owner_client, booking, "500,00", reference="VIR-2030-118")
    assert response.status_code == 200
    html = response.content.decode()
    assert error_next_to(html, "amount") == (
        "Ce règlement dépasse de 100,00\xa0€ le solde (400,00\xa0€) : le dossier afficherait un "
        "trop-perçu à rembourser. Cochez « Accepter le trop-perçu » pour l’enregistrer quand même."
    )
    # The box to accept it appears under the warning; nothing is saved yet.
    assert 'type="checkbox" name="overpayment_accepted"' in html
    with provider_scope(provider):
        assert not Payment.objects.exists()

    response = pay(owner_client, booking, "500,00", reference="VIR-2030-118", overpayment_accepted="on")
    assert response.status_code == 302
    booking = file_of(provider)
    assert booking.status == BookingStatus.PAID and booking.balance == Decimal("-100.00")
    with provider_scope(provider):
        assert Payment.objects.get().reference == "VIR-2030-118"
    page = owner_client.get(reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}))
    html = page.content.decode()
    assert balance_text(html) == "Trop-perçu 100,00\xa0€ — à rembourser"
    assert "VIR-2030-118" in html
    assert "Enregistrer un remboursement" in html


def test_a_refund_is_its_own_action_and_clears_the_overpayment(owner_client, provider, booking):
    factories.record_payment(booking, "500.00")
    form = owner_client.get(reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}))
    # The overpayment is proposed as the amount to give back.
    assert form.context["form"].initial["amount"] == Decimal("100.00")
    response = owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-02", "mode": "virement", "amount": "100,00", "reference": "RB-7", "note": ""},
    )
    assert response.status_code == 302
    booking = file_of(provider)
    assert booking.paid_amount == Decimal("400.00") and booking.balance == Decimal("0.00")
    assert booking.status == BookingStatus.PAID
    with provider_scope(provider):
        refund = Payment.objects.get(amount__lt=0)
        assert refund.amount == Decimal("-100.00") and refund.reference == "RB-7"
        assert [entry.action for entry in history(booking)][:1] == ["booking.refund.added"]
    html = owner_client.get(
        reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})
    ).content.decode()
    assert balance_text(html) == "0,00\xa0€"
    assert "(remboursement)" in html


def test_a_refund_of_a_confirmed_file_brings_the_balance_back(owner_client, provider, booking):
    factories.record_payment(booking, "150.00")
    owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-02", "mode": "cheque", "amount": "50", "note": ""},
    )
    booking = file_of(provider)
    assert booking.paid_amount == Decimal("100.00") and booking.balance == Decimal("300.00")
    assert booking.status == BookingStatus.CONFIRMED


def test_a_payment_is_never_negative(owner_client, provider, booking):
    response = pay(owner_client, booking, "-20,00")
    assert error_next_to(response.content.decode(), "amount") == (
        "Un règlement est un montant positif : enregistrez plutôt un remboursement."
    )
    with provider_scope(provider):
        assert not Payment.objects.exists()


def test_a_refund_needs_a_positive_amount(owner_client, provider, booking):
    factories.record_payment(booking, "100.00")
    response = owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-02", "mode": "cheque", "amount": "0", "note": ""},
    )
    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "amount")
    with provider_scope(provider):
        assert Payment.objects.count() == 1
