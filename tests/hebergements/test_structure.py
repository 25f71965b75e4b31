"""Votre structure d'accueil: name, descriptions in French and English."""

import pytest
from django.urls import reverse

from comptes.scoping import provider_scope
from hebergements.models import Structure

pytestmark = pytest.mark.django_db

URL = reverse("hebergements:structure")


def test_the_structure_is_created_with_the_provider_and_edited(owner_client, provider):
    html = owner_client.get(URL).text
    assert "Votre structure d’accueil" in html and 'name="description_en"' in html
    response = owner_client.post(
        URL,
        {
            "name": "Hébergement - Place de marché",
            "description_fr": "Trois maisons au pied du château de Foix.",
            "description_en": "Three houses below Foix castle.",
        },
    )
    assert response["Location"] == URL
    with provider_scope(provider):
        structure = Structure.objects.get()
    assert structure.description_fr == "Trois maisons au pied du château de Foix."
    assert structure.description_en == "Three houses below Foix castle."
    assert "Votre structure d’accueil est enregistrée." in owner_client.get(URL).text


def test_the_menu_entries_of_the_section_are_live(owner_client):
    html = owner_client.get(URL).text
    sidebar = html[html.index('id="sidebar"') : html.index("</nav>")]
    for name in ("structure", "lodging_list", "supplement_list", "age_bracket_list"):
        assert f'href="{reverse(f"hebergements:{name}")}"' in sidebar
    assert 'aria-current="page"' in sidebar
