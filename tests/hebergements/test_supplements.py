"""Suppléments: mandatory / optional, French prices, the lodgings they apply to."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.scoping import provider_scope, scopes_disabled
from comptes.selectors import provider_settings
from hebergements.models import Supplement
from hebergements.selectors import supplements_for_lodging
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("hebergements:supplement_list")
CREATE = reverse("hebergements:supplement_create")


def supplement_data(lodgings, **overrides):
    data = {
        "mandatory": "True",
        "label": "Frais de ménage",
        "label_en": "Cleaning fee",
        "description": "Ménage de fin de séjour",
        "counts_toward_deposit": "False",
        "per_day": "False",
        "per_person": "False",
        "max_quantity": "1",
        "price": "50,00",
        "lodgings": [str(lodging.pk) for lodging in lodgings],
    }
    data.update(overrides)
    return data


def test_list_shows_mandatory_then_optional_with_the_two_add_buttons(owner_client, provider, lodging):
    factories.make_supplement(provider, label="Supplément animal", mandatory=False, price=Decimal("5"))
    factories.make_supplement(provider, label="Frais de dossier", lodgings=[lodging], price=Decimal("15"))
    html = owner_client.get(LIST).text
    assert html.index("Frais de dossier") < html.index("Supplément animal")
    assert "Obligatoire" in html and "Facultatif" in html and "15,00\xa0€" in html
    assert "+ Ajouter un supplément facultatif" in html and "+ Ajouter un supplément obligatoire" in html
    assert f"{CREATE}?obligatoire=1" in html


def test_adding_a_mandatory_cleaning_supplement_of_50_euros(owner_client, provider, lodging):
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    assert re.search(
        r'name="mandatory" value="True"[^>]*checked', owner_client.get(CREATE + "?obligatoire=1").text
    )
    assert re.search(r'name="mandatory" value="False"[^>]*checked', owner_client.get(CREATE).text)
    response = owner_client.post(CREATE, supplement_data([lodging]))
    assert response["Location"] == LIST
    with provider_scope(provider):
        supplement = Supplement.objects.get()
        assert supplement.price == Decimal("50.00")
        assert supplement.mandatory and not supplement.counts_toward_deposit
        assert list(supplement.lodgings.all()) == [lodging]
        assert list(supplements_for_lodging(lodging=lodging, mandatory=True)) == [supplement]
        assert list(supplements_for_lodging(lodging=other)) == []
    html = owner_client.get(LIST).text
    assert "Frais de ménage" in html and "50,00\xa0€" in html and "Petit coin de paradis" in html


def test_a_new_supplement_applies_to_no_lodging_until_ticked(owner_client, provider, lodging):
    """Issue #17 "No silent traps": nothing is ticked for the owner; the words follow the sales
    terms ("Mode de calcul de l'acompte", or "… des arrhes")."""
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    html = owner_client.get(CREATE).text
    for choice in (lodging, other):
        assert re.search(rf'name="lodgings" value="{choice.pk}"', html)
        assert not re.search(rf'name="lodgings" value="{choice.pk}"[^>]*checked', html)
    assert "Cochez les hébergements concernés" in html
    assert "Mode de calcul de l’acompte" in html and "arrhes" not in html
    with provider_scope(provider):
        settings = provider_settings(provider)
        settings.deposit_kind = "arrhes"
        settings.save()
    html = owner_client.get(CREATE).text
    assert "Mode de calcul des arrhes" in html and "Non compris dans les arrhes" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "-5,00"}, "price", "Le prix ne peut pas être négatif."),
        ({"price": ""}, "price", "Ce champ est obligatoire."),
        ({"price": "abc"}, "price", "Saisissez un nombre."),
        ({"label": ""}, "label", "Ce champ est obligatoire."),
        ({"max_quantity": "0"}, "max_quantity", "supérieure ou égale à 1"),
        ({"max_quantity": "100"}, "max_quantity", "inférieure ou égale à 99"),
    ],
)
def test_bad_supplement_input_is_refused_and_nothing_saved(owner_client, lodging, overrides, field, message):
    response = owner_client.post(CREATE, supplement_data([lodging], **overrides))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    with scopes_disabled():
        assert not Supplement.objects.exists()


def test_another_providers_lodging_cannot_be_chosen(owner_client, other_provider):
    theirs = factories.make_lodging(other_provider)
    response = owner_client.post(CREATE, supplement_data([theirs]))
    assert 'id="id_lodgings_error"' in response.text
    with scopes_disabled():
        assert not Supplement.objects.exists()


def test_edit_and_delete_a_supplement(owner_client, provider, lodging):
    supplement = factories.make_supplement(provider, lodgings=[lodging])
    url = reverse("hebergements:supplement_edit", kwargs={"supplement_pk": supplement.pk})
    assert "Frais de ménage" in owner_client.get(url).text
    data = supplement_data(
        [], label="Ménage de fin de séjour", price="60,50", mandatory="False", per_day="True"
    )
    assert owner_client.post(url, data)["Location"] == LIST
    with provider_scope(provider):
        supplement.refresh_from_db()
        assert (supplement.label, supplement.price, supplement.mandatory, supplement.per_day) == (
            "Ménage de fin de séjour",
            Decimal("60.50"),
            False,
            True,
        )
        assert not supplement.lodgings.exists()
    delete = reverse("hebergements:supplement_delete", kwargs={"supplement_pk": supplement.pk})
    assert "Supprimer le supplément « Ménage de fin de séjour » ?" in owner_client.get(delete).text
    assert owner_client.post(delete)["Location"] == LIST
    with scopes_disabled():
        assert not Supplement.objects.exists()
