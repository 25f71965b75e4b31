"""Issue #17 item 9, the Clévacances "Détail d'une réservation" (manual 002): the formula chosen
from a list the owner keeps ("Pension Complète"), the accompanying guests (name, age), the type
"Pré-Réservation" / "Réservation" read from the status; and "Créer un blocage propriétaire", the
Clévacances name of a sale prohibition, on a Clévacances-labelled lodging only."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes.audit import history
from comptes.scoping import provider_scope
from hebergements.models import Classification
from reservations import services
from reservations.history import describe
from reservations.models import Booking, Companion, Formula
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(lodging):
    # "Date de réservation : 31/12/2010 … 07MS01731 Pension Complète 31-12-2010 05-01-2011"
    return factories.make_booking(lodging, date(2030, 12, 31), date(2031, 1, 5), price="12.00", persons=3)


def file_url(booking) -> str:
    return reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})


# --- formulas ---------------------------------------------------------------------------------------


def test_the_owner_keeps_a_list_of_formulas(owner_client, provider):
    url = reverse("reservations:formula_list")
    assert owner_client.post(url, {"name": "  Pension   complète "}).status_code == 302
    response = owner_client.post(url, {"name": "PENSION COMPLÈTE"})
    assert response.context["form"].errors["name"] == ["Vous avez déjà une formule de ce nom."]
    response = owner_client.post(url, {"name": ""})
    assert response.context["form"].errors["name"] == ["Donnez le nom de la formule."]
    with provider_scope(provider):
        assert list(Formula.objects.values_list("name", flat=True)) == ["Pension complète"]
    assert "Pension complète" in owner_client.get(url).content.decode()


def test_a_formula_is_chosen_on_the_file_and_shown(owner_client, provider, booking):
    with provider_scope(provider):
        formula = services.formula_create(provider=provider, name="Pension Complète")
    url = reverse("reservations:booking_formula", kwargs={"booking_pk": booking.pk})
    assert owner_client.post(url, {"formula": formula.pk}).status_code == 302
    html = owner_client.get(file_url(booking)).content.decode()
    assert re.search(r'data-testid="booking-formula">Pension Complète', html)
    with provider_scope(provider):
        booking.refresh_from_db()
        assert booking.formula == formula
        assert "Formule : — → Pension Complète" in [describe(e) for e in history(booking)]


def test_another_providers_formula_cannot_be_chosen(owner_client, provider, other_provider, booking):
    with provider_scope(other_provider):
        foreign = services.formula_create(provider=other_provider, name="Demi-pension")
    url = reverse("reservations:booking_formula", kwargs={"booking_pk": booking.pk})
    response = owner_client.post(url, {"formula": foreign.pk})
    assert response.status_code == 200 and "formula" in response.context["form"].errors
    with provider_scope(provider):
        assert Booking.objects.get(pk=booking.pk).formula is None


def test_a_formula_in_use_is_not_deleted_silently(owner_client, provider, booking):
    with provider_scope(provider):
        used = services.formula_create(provider=provider, name="Pension complète")
        unused = services.formula_create(provider=provider, name="Demi-pension")
        services.booking_set_formula(booking=booking, formula=used)
    page = owner_client.get(reverse("reservations:formula_delete", kwargs={"formula_pk": used.pk}))
    assert "est utilisée par 1 dossier" in page.content.decode()
    response = owner_client.post(
        reverse("reservations:formula_delete", kwargs={"formula_pk": used.pk}), follow=True
    )
    assert "Cette formule est utilisée par 1 dossier" in response.content.decode()
    owner_client.post(reverse("reservations:formula_delete", kwargs={"formula_pk": unused.pk}))
    with provider_scope(provider):
        assert list(Formula.objects.values_list("name", flat=True)) == ["Pension complète"]
        with pytest.raises(ValidationError):
            services.formula_delete(formula=used)


def test_a_formula_is_renamed(owner_client, provider, booking):
    with provider_scope(provider):
        formula = services.formula_create(provider=provider, name="Pension")
        services.booking_set_formula(booking=booking, formula=formula)
    owner_client.post(
        reverse("reservations:formula_edit", kwargs={"formula_pk": formula.pk}), {"name": "Pension complète"}
    )
    assert "Pension complète" in owner_client.get(file_url(booking)).content.decode()


# --- accompanying guests ------------------------------------------------------------------------------


def test_accompanying_guests_are_added_with_their_age(owner_client, provider, booking):
    url = reverse("reservations:companion_create", kwargs={"booking_pk": booking.pk})
    assert owner_client.post(url, {"name": "Dupond Lucie", "age": "41"}).status_code == 302
    assert owner_client.post(url, {"name": "Dupond Hugo", "age": "0"}).status_code == 302
    html = owner_client.get(file_url(booking)).content.decode()
    table = re.search(r'data-testid="companions">(.*?)</table>', html, re.S).group(1)
    assert "Dupond Lucie" in table and "41 ans" in table and "0 an" in table
    with provider_scope(provider):
        assert list(Companion.objects.values_list("name", "age")) == [
            ("Dupond Lucie", 41),
            ("Dupond Hugo", 0),
        ]
        sentences = [describe(e) for e in history(booking)]
    assert "Accompagnant ajouté : Dupond Lucie, 41 ans" in sentences


@pytest.mark.parametrize(
    ("age", "message"),
    [
        ("121", "Indiquez un âge entre 0 et 120."),
        ("-1", "Indiquez un âge entre 0 et 120."),
        ("deux", "Saisissez un nombre entier."),
    ],
)
def test_a_wrong_age_is_refused_next_to_the_field(owner_client, provider, booking, age, message):
    url = reverse("reservations:companion_create", kwargs={"booking_pk": booking.pk})
    response = owner_client.post(url, {"name": "Dupond Lucie", "age": age})
    assert response.status_code == 200
    assert response.context["form"].errors["age"] == [message]
    with provider_scope(provider):
        assert not Companion.objects.exists()


def test_the_client_and_the_guests_are_at_most_the_files_occupants(owner_client, provider, booking):
    with provider_scope(provider):
        services.companion_add(booking=booking, name="Lucie", age=41)
        services.companion_add(booking=booking, name="Hugo", age=9)
        with pytest.raises(ValidationError) as error:
            services.companion_add(booking=booking, name="Léa", age=7)
    assert "3 personnes" in error.value.message_dict["name"][0]
    response = owner_client.post(
        reverse("reservations:companion_create", kwargs={"booking_pk": booking.pk}), {"name": "Léa"}
    )
    assert "3 personnes, client compris" in response.context["form"].errors["name"][0]
    with provider_scope(provider):
        assert Companion.objects.count() == 2
        with pytest.raises(ValidationError):
            services.companion_add(booking=booking, name="  ", age=None)


def test_an_accompanying_guest_is_deleted_after_confirmation(owner_client, provider, booking):
    with provider_scope(provider):
        companion = services.companion_add(booking=booking, name="Lucie", age=41)
    url = reverse(
        "reservations:companion_delete", kwargs={"booking_pk": booking.pk, "companion_pk": companion.pk}
    )
    assert "Supprimer cet accompagnant ?" in owner_client.get(url).content.decode()
    owner_client.post(url)
    with provider_scope(provider):
        assert not Companion.objects.exists()


# --- the type, read from the status -------------------------------------------------------------------


def test_the_type_is_pre_booking_in_option_and_booking_once_confirmed(owner_client, provider, booking):
    html = owner_client.get(file_url(booking)).content.decode()
    assert re.search(r'data-testid="booking-type">Pré-réservation<', html)
    with provider_scope(provider):
        services.booking_confirm(booking=booking)
    html = owner_client.get(file_url(booking)).content.decode()
    assert re.search(r'data-testid="booking-type">Réservation<', html)
    factories.cancel(booking)
    assert 'data-testid="booking-type"' not in owner_client.get(file_url(booking)).content.decode()


# --- "Créer un blocage propriétaire" ------------------------------------------------------------------


def test_a_clevacances_lodging_has_owner_blocks_others_sale_prohibitions(owner_client, provider, lodging):
    labelled = factories.make_lodging(provider, name="07MS01731", classification=Classification.CLEVACANCES)
    selection = reverse("reservations:planning_selection")
    days = {"arrival": "2030-01-03", "departure": "2030-01-05"}
    html = owner_client.get(selection, {"lodging": labelled.pk, **days}).content.decode()
    assert "Créer un blocage propriétaire" in html and "Créer des interdictions de vente" not in html
    html = owner_client.get(selection, {"lodging": lodging.pk, **days}).content.decode()
    assert "Créer des interdictions de vente" in html and "blocage propriétaire" not in html

    factories.make_prohibition(labelled, date(2030, 1, 3), date(2030, 1, 5))
    factories.make_prohibition(lodging, date(2030, 1, 3), date(2030, 1, 5))
    planning = owner_client.get(reverse("reservations:planning"), {"debut": "2030-01-01"}).content.decode()
    labels = re.findall(
        r'class="pl-block pl-prohibition[^"]*"[^>]*>\s*<span class="pl-block-label">([^<]+)<', planning
    )
    assert sorted(labels) == ["Blocage propriétaire", "Interdiction de vente"]
    legend = re.search(r'<ul class="planning-legend".*?</ul>', planning, re.S).group(0)
    assert "Blocage propriétaire" in legend and "Interdiction de vente" in legend

    response = owner_client.post(
        reverse("reservations:prohibition_create"),
        {"lodging": labelled.pk, "arrival": "2030-02-03", "departure": "2030-02-05"},
        follow=True,
    )
    assert "Le blocage propriétaire est enregistré." in response.content.decode()
