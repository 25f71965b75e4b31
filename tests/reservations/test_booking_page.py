"""The file page's parts: deposit, reminders, client, lodging, global supplements, notes, history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.audit import history
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from reservations.models import Booking, BookingSupplement, Stay
from tests import factories

pytestmark = pytest.mark.django_db

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)
HTMX = {"HX-Request": "true", "HX-Target": "booking-body"}


@pytest.fixture
def booking(lodging):
    return factories.make_booking(lodging, ARRIVAL, DEPARTURE)


def url(name, booking, **kwargs):
    return reverse(f"reservations:{name}", kwargs={"booking_pk": booking.pk, **kwargs})


def reload(booking) -> Booking:
    with provider_scope(booking.provider):
        return Booking.objects.select_related("client").get(pk=booking.pk)


def actions(booking) -> list[str]:
    with provider_scope(booking.provider):
        return [entry.action for entry in history(booking)]


def test_the_six_parts_and_the_actions(owner_client, booking):
    html = owner_client.get(url("booking_detail", booking)).content.decode()
    for title in (
        "Informations générales",
        "Client",
        "Hébergement - Petit coin de paradis",
        "Suppléments globaux",
        "Note",
        "Note interne",
        "Annuler le dossier",
        "Supprimer le dossier",
        "Confirmer la réception",
        "Passer en statut confirmé",
        "Relance du paiement de l’acompte",
        "À l’arrivée",
        "Historique",
    ):
        assert title in html, title


def test_edit_forms_open_in_place_with_htmx(owner_client, booking):
    response = owner_client.get(url("booking_deposit", booking), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="booking-body"') and "<html" not in html
    assert 'name="deposit_percent"' in html and 'value="25,00"' in html
    # Without htmx, the same URL is a whole page with the form open.
    assert "<html" in owner_client.get(url("booking_deposit", booking)).content.decode()


def test_deposit_percentage_changes_the_deposit_due(owner_client, booking):
    response = owner_client.post(
        url("booking_deposit", booking), {"deposit_percent": "30,00", "deposit_kind": "arrhes"}, headers=HTMX
    )
    assert response.status_code == 200 and 'id="booking-body"' in response.content.decode()
    booking = reload(booking)
    assert booking.deposit_percent == Decimal("30.00") and booking.deposit_kind == "arrhes"
    assert booking.deposit_amount == Decimal("75.00")
    assert "booking.deposit.changed" in actions(booking)
    response = owner_client.post(
        url("booking_deposit", booking), {"deposit_percent": "120", "deposit_kind": "arrhes"}
    )
    assert "id_deposit_percent_error" in response.content.decode()
    assert reload(booking).deposit_percent == Decimal("30.00")


def test_reminder_dates(owner_client, booking):
    owner_client.post(
        url("booking_reminders", booking),
        {"deposit_due_date": "2030-05-01", "balance_due_date": "2030-06-06"},
    )
    booking = reload(booking)
    assert (booking.deposit_due_date, booking.balance_due_date) == (date(2030, 5, 1), date(2030, 6, 6))
    assert "booking.reminders.changed" in actions(booking)


def test_notes(owner_client, booking):
    owner_client.post(url("booking_note", booking), {"text": "Arrivée vers 18 h."})
    owner_client.post(url("booking_internal_note", booking), {"text": "Client fidèle."})
    booking = reload(booking)
    assert (booking.note, booking.internal_note) == ("Arrivée vers 18 h.", "Client fidèle.")
    html = owner_client.get(url("booking_detail", booking)).content.decode()
    assert "Arrivée vers 18 h." in html and "Client fidèle." in html


def test_client_details(owner_client, booking):
    response = owner_client.post(url("booking_client", booking), {"last_name": "", "country": "France"})
    assert "Indiquez le nom du client." in response.content.decode()
    owner_client.post(
        url("booking_client", booking),
        {"last_name": "Dupont", "first_name": "Marie", "city": "Foix", "email": "marie@example.com"},
    )
    client = reload(booking).client
    assert (client.city, client.email) == ("Foix", "marie@example.com")
    assert "booking.client.changed" in actions(booking)


def test_changing_the_stay_recomputes_the_file(owner_client, provider, booking):
    with provider_scope(provider):
        stay = Stay.objects.get(booking=booking)
        adult = AgeBracket.objects.order_by("position").first()
    owner_client.post(
        url("stay_edit", booking, stay_pk=stay.pk),
        {
            "arrival": "2030-07-07",
            "departure": "2030-07-14",
            f"occupants_{adult.pk}": "3",
            "price": "300,00",
            "discount": "20,00",
        },
    )
    booking = reload(booking)
    assert booking.total_amount == Decimal("280.00") and booking.deposit_amount == Decimal("70.00")
    assert booking.balance_due_date == date(2030, 7, 7)  # "at arrival" follows the arrival
    with provider_scope(provider):
        stay.refresh_from_db()
        assert (stay.arrival, stay.departure) == (date(2030, 7, 7), date(2030, 7, 14))
        assert [(o.age_bracket_id, o.count) for o in stay.occupants.all()] == [(adult.pk, 3)]
    assert "booking.stay.changed" in actions(booking)


def test_global_supplements_add_and_delete(owner_client, provider, booking):
    owner_client.post(
        url("supplement_create", booking),
        {"label": "Location de draps", "unit_price": "12,50", "quantity": "2", "counts_toward_deposit": "on"},
    )
    booking = reload(booking)
    assert booking.total_amount == Decimal("275.00")
    assert booking.deposit_amount == Decimal("68.75")  # 25 % of (250,00 + 25,00)
    with provider_scope(provider):
        line = BookingSupplement.objects.get(booking=booking, stay__isnull=True)
    html = owner_client.get(url("supplement_delete", booking, booking_supplement_pk=line.pk)).content.decode()
    assert "Supprimer ce supplément ?" in html
    owner_client.post(url("supplement_delete", booking, booking_supplement_pk=line.pk))
    assert reload(booking).total_amount == Decimal("250.00")
    assert actions(booking)[:2] == ["booking.supplement.deleted", "booking.supplement.added"]


def test_cancel_and_delete_ask_first(owner_client, booking):
    html = owner_client.get(url("booking_cancel", booking)).content.decode()
    assert "Annuler le dossier ? Il est conservé avec le statut « Annulé »" in html
    html = owner_client.get(url("booking_delete", booking)).content.decode()
    assert "Supprimer définitivement le dossier ?" in html
    assert reload(booking).status == "option"


def test_deleting_with_htmx_redirects_the_browser_to_the_planning(owner_client, provider, booking):
    response = owner_client.post(url("booking_delete", booking), headers=HTMX)
    assert response["HX-Redirect"] == reverse("reservations:planning")
    with provider_scope(provider):
        assert not Booking.objects.exists()
