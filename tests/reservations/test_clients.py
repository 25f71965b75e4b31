"""The client file ("fichier clients"): list, search, card, merging duplicates by e-mail, export."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from comptes.audit import history
from comptes.models import AuditEntry
from comptes.scoping import provider_scope, scopes_disabled
from reservations.models import Booking, Client
from reservations.services.clients import client_merge_duplicates
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("reservations:client_list")


def detail(client) -> str:
    return reverse("reservations:client_detail", kwargs={"client_pk": client.pk})


def merge(client) -> str:
    return reverse("reservations:client_merge", kwargs={"client_pk": client.pk})


@pytest.fixture
def twins(provider, lodging):
    """Marie Dupont typed three times (same e-mail, different case), and Paul Martin."""
    first = factories.make_file(
        lodging, date(2024, 4, 27), 7, last_name="Dupont", first_name="Marie", email="marie@example.com"
    )
    second = factories.make_file(
        lodging,
        date(2024, 6, 1),
        3,
        last_name="Dupont",
        first_name="",
        email="Marie@Example.com",
        phone1="0561023086",
        city="Arabaux",
        optin=True,
    )
    third = factories.make_file(lodging, date(2024, 7, 1), 3, last_name="DUPONT", email="marie@example.com")
    other = factories.make_file(lodging, date(2024, 8, 1), 3, last_name="Martin", first_name="Paul")
    return first, second, third, other


def test_list_shows_clients_files_and_duplicates(owner_client, twins):
    response = owner_client.get(LIST)
    assert response.status_code == 200
    rows = {client.pk: client for client in response.context["page"].object_list}
    first, second, third, other = (booking.client for booking in twins)
    assert rows[first.pk].files == 1 and rows[first.pk].duplicates == 2
    assert rows[other.pk].duplicates is None
    html = response.text
    assert "Fichier clients" in html and "4 clients" in html and "2 doublons" in html
    assert f'href="{detail(first)}"' in html
    assert len(owner_client.get(LIST, {"q": "martin"}).context["page"].object_list) == 1
    assert len(owner_client.get(LIST, {"q": "0561023086"}).context["page"].object_list) == 1
    assert len(owner_client.get(LIST, {"q": "arabaux"}).context["page"].object_list) == 1


def test_the_sidebar_names_the_client_file_after_departures(owner_client):
    html = owner_client.get(reverse("reservations:dashboard")).text
    sidebar = html[html.index('id="sidebar"') : html.index("</nav>")]
    assert sidebar.index("Départs") < sidebar.index(f'href="{LIST}"') < sidebar.index("Votre structure")


def test_card_lists_files_and_duplicates(owner_client, twins):
    first = twins[0].client
    response = owner_client.get(detail(first))
    assert response.status_code == 200
    assert [b.number for b in response.context["bookings"]] == [1]
    assert [c.pk for c in response.context["duplicates"]] == [twins[1].client_id, twins[2].client_id]
    assert "Doublons (même e-mail)" in response.text
    assert "Fusionner les 2 doublons dans cette fiche" in response.text


def test_merge_moves_the_files_in_one_transaction_with_an_audit_entry(owner_client, provider, twins):
    first = twins[0].client
    response = owner_client.post(merge(first))
    assert response.status_code == 302 and response["Location"] == detail(first)
    with provider_scope(provider):
        assert Client.objects.filter(email__iexact="marie@example.com").count() == 1
        kept = Client.objects.get(pk=first.pk)
        assert sorted(Booking.objects.filter(client=kept).values_list("number", flat=True)) == [1, 2, 3]
        # empty fields completed from the duplicates; the opt-in given once is kept
        assert (kept.first_name, kept.phone1, kept.city, kept.optin) == (
            "Marie",
            "0561023086",
            "Arabaux",
            True,
        )
        entry = history(kept).get(action="client.merged")
        assert entry.data["files"] == [2, 3] and len(entry.data["merged"]) == 2
        assert entry.user == factories.owner_of(provider)
        assert [e.action for e in history(Booking.objects.get(number=2))][0] == "booking.client.changed"
        assert Booking.objects.get(number=4).client.last_name == "Martin"  # untouched
    html = owner_client.get(detail(first)).text
    assert "2 doublons fusionnés dans cette fiche — 2 dossiers rattachés." in html
    assert "Fusion : DUPONT Marie, Dupont — dossiers n°2, n°3" in html


def test_merge_with_nothing_to_merge_says_so_and_changes_nothing(owner_client, provider, lodging, twins):
    other = twins[3].client
    response = owner_client.post(merge(other), follow=True)
    assert "Ce client n’a pas d’e-mail : il n’y a pas de doublon à chercher." in response.text
    lone = factories.make_file(lodging, date(2024, 9, 1), 2, email="seul@example.com")
    response = owner_client.post(merge(lone.client), follow=True)
    assert "Aucun autre client n’a l’e-mail seul@example.com." in response.text
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="client.merged").exists()
    assert owner_client.get(merge(lone.client)).status_code == 302  # GET: back to the card


def test_merge_never_touches_another_providers_clients(provider, twins, other_provider):
    foreign_lodging = factories.make_lodging(other_provider)
    foreign = factories.make_file(foreign_lodging, date(2024, 4, 27), 3, email="marie@example.com")
    with provider_scope(provider):
        cards, files = client_merge_duplicates(client=twins[0].client)
    assert (cards, files) == (2, 2)
    with scopes_disabled():
        assert Client.objects.filter(pk=foreign.client_id).exists()
        assert Booking.objects.get(pk=foreign.pk).client_id == foreign.client_id


def test_a_failed_merge_saves_nothing(provider, twins):
    """A client made invalid (name emptied by hand in the database) stops the merge: nothing moved."""
    first = twins[0].client
    with provider_scope(provider):
        Client.objects.filter(pk=first.pk).update(last_name="")
        first.refresh_from_db()
        with pytest.raises(ValidationError):
            client_merge_duplicates(client=first)
        assert Client.objects.filter(email__iexact="marie@example.com").count() == 3
        assert Booking.objects.filter(client=first).count() == 1


def test_export_of_the_client_file(owner_client, twins):
    response = owner_client.get(reverse("reservations:client_export"), {"q": "dupont"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="clients-')
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nom", "Prénom", "Société")
    assert rows[0][-4:] == ("Opt-in", "Nombre de dossiers", "Dernier dossier", "Client depuis le")
    data = [row for row in rows[1:] if row and row[0] and row[0] != "Nombre de clients"]
    assert len(data) == 3 and rows[-1][:2] == ("Nombre de clients", 3)
    second = next(row for row in data if row[9] == "0561023086")
    assert (second[7], second[12], second[13], second[14]) == ("Arabaux", "Marie@Example.com", "Oui", 1)
