"""PARAMÈTRES > Tranches d'âge: defaults, add, edit, overlaps refused, delete unless used, reorder."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from hebergements.selectors import age_bracket_for_age
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("hebergements:age_bracket_list")
CREATE = reverse("hebergements:age_bracket_create")


def labels(provider):
    with provider_scope(provider):
        return [(b.label_fr, b.age_min, b.age_max) for b in AgeBracket.objects.order_by("position")]


def test_a_new_provider_has_adulte_enfant_bebe(owner_client, provider):
    assert labels(provider) == [("Adulte", 17, 100), ("Enfant", 3, 16), ("Bébé", 0, 2)]
    html = owner_client.get(LIST).text
    assert html.index("Adulte") < html.index("Enfant") < html.index("Bébé")
    assert "(17 à 100 ans)" in html and "+ Ajouter une tranche d’âge" in html
    with provider_scope(provider):
        assert age_bracket_for_age(age=16).label_fr == "Enfant"
        assert age_bracket_for_age(age=17).label_fr == "Adulte"


def test_overlapping_ranges_are_refused_with_the_clashing_bracket_named(owner_client, provider):
    response = owner_client.post(
        CREATE, {"label_fr": "Senior", "label_en": "Senior", "age_min": "65", "age_max": "100"}
    )
    assert response.status_code == 200
    assert 'id="id_age_min_error"' in response.text
    assert "Les âges de 65 à 100 chevauchent la tranche « Adulte » (17 à 100 ans)." in response.text
    assert len(labels(provider)) == 3


def test_shrink_adulte_then_add_senior(owner_client, provider):
    adulte = factories.age_brackets(provider)["Adulte"]
    edit = reverse("hebergements:age_bracket_edit", kwargs={"age_bracket_pk": adulte.pk})
    assert "Édition de la tranche d’âge" in owner_client.get(edit).text
    owner_client.post(edit, {"label_fr": "Adulte", "label_en": "Adult", "age_min": "17", "age_max": "64"})
    response = owner_client.post(
        CREATE, {"label_fr": "Senior", "label_en": "", "age_min": "65", "age_max": "100"}
    )
    assert response["Location"] == LIST
    assert labels(provider) == [("Adulte", 17, 64), ("Enfant", 3, 16), ("Bébé", 0, 2), ("Senior", 65, 100)]


def test_min_above_max_and_missing_label_are_refused(owner_client, provider):
    response = owner_client.post(CREATE, {"label_fr": "", "age_min": "12", "age_max": "5"})
    assert 'id="id_age_max_error"' in response.text
    assert "L’âge maxi. doit être au moins égal à l’âge mini." in response.text
    assert 'id="id_label_fr_error"' in response.text
    response = owner_client.post(CREATE, {"label_fr": "Vieux", "age_min": "101", "age_max": "150"})
    assert 'id="id_age_max_error"' in response.text
    assert len(labels(provider)) == 3


def test_the_database_refuses_an_overlap_even_without_the_service(provider):
    with provider_scope(provider), pytest.raises(IntegrityError), transaction.atomic():
        AgeBracket.objects.create(provider=provider, label_fr="Ado", age_min=12, age_max=18)


def test_brackets_of_two_providers_do_not_clash(provider, other_provider):
    assert len(factories.age_brackets(other_provider)) == 3  # same ranges, other provider


def test_delete_an_unused_bracket(owner_client, provider):
    bebe = factories.age_brackets(provider)["Bébé"]
    url = reverse("hebergements:age_bracket_delete", kwargs={"age_bracket_pk": bebe.pk})
    assert "Supprimer la tranche d’âge « Bébé » ?" in owner_client.get(url).text
    assert owner_client.post(url)["Location"] == LIST
    assert [label for label, *_ in labels(provider)] == ["Adulte", "Enfant"]


def test_a_bracket_used_by_a_price_cannot_be_deleted(owner_client, provider, lodging):
    from tarifs.models import StayPrice, StayPriceBracket

    enfant = factories.age_brackets(provider)["Enfant"]
    with provider_scope(provider):
        price = StayPrice.objects.create(
            provider=provider, lodging=lodging, arrival=date(2020, 3, 7), nights=2, mode="per_person"
        )
        StayPriceBracket.objects.create(
            provider=provider,
            stay_price=price,
            age_bracket=enfant,
            initial_price=Decimal("20.00"),
            sale_price=Decimal("20.00"),
        )
    url = reverse("hebergements:age_bracket_delete", kwargs={"age_bracket_pk": enfant.pk})
    response = owner_client.post(url, follow=True)
    assert "« Enfant » est utilisée par des tarifs : elle ne peut pas être supprimée." in response.text
    assert "Enfant" in [label for label, *_ in labels(provider)]


def test_a_bracket_used_by_a_booking_cannot_be_deleted(owner_client, provider, lodging):
    from reservations.models import Booking, Client, Stay, StayOccupant

    adulte = factories.age_brackets(provider)["Adulte"]
    with provider_scope(provider):
        client = Client.objects.create(provider=provider, last_name="Durand")
        booking = Booking.objects.create(provider=provider, number=1, client=client)
        stay = Stay.objects.create(
            provider=provider,
            lodging=lodging,
            booking=booking,
            arrival=date(2024, 6, 8),
            departure=date(2024, 6, 15),
        )
        StayOccupant.objects.create(provider=provider, stay=stay, age_bracket=adulte, count=2)
    url = reverse("hebergements:age_bracket_delete", kwargs={"age_bracket_pk": adulte.pk})
    response = owner_client.post(url, follow=True)
    assert "« Adulte » est utilisée par des réservations : elle ne peut pas être supprimée." in response.text
    assert "Adulte" in [label for label, *_ in labels(provider)]


def test_reorder_with_htmx_returns_the_list_fragment(owner_client, provider):
    bebe = factories.age_brackets(provider)["Bébé"]
    url = reverse("hebergements:age_bracket_move", kwargs={"age_bracket_pk": bebe.pk})
    response = owner_client.post(url, {"direction": "up"}, headers={"HX-Request": "true"})
    assert 'id="age-brackets"' in response.text and "<html" not in response.text
    assert [label for label, *_ in labels(provider)] == ["Adulte", "Bébé", "Enfant"]
    assert owner_client.post(url, {"direction": "up"})["Location"] == LIST
    assert owner_client.post(url, {"direction": "up"})["Location"] == LIST  # already first: stays first
    assert [label for label, *_ in labels(provider)] == ["Bébé", "Adulte", "Enfant"]
