"""Browser flows of the dashboard, the files list and the top-bar search (manual: "Piloter son
activité à travers le tableau de bord", "Dossiers", "3- Réservation en ligne").

* a phone booking typed on the dashboard appears in "Dernières réservations" and on the planning;
* the top bar finds a file by the client's name (one match opens it) or by its number;
* the files list searches, and exports to Excel; on a 375 px phone the pages never scroll sideways.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import day

BROWN = "rgb(139, 90, 43)"


@pytest.fixture
def owner(transactional_db):
    provider = factories.make_provider(
        number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_lodging(provider)
    return provider, lodging


def iso(offset: int) -> str:
    return day(offset).isoformat()


def test_phone_booking_appears_in_latest_bookings_and_on_the_planning(page, live_server, signed_in, owner):
    _provider, lodging = owner
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")
    latest = page.get_by_test_id("latest-bookings")
    expect(latest).to_contain_text("Dernières réservations (0 aujourd’hui)")
    expect(latest).to_contain_text("Pas d’élément à afficher pour l’instant !")

    form = page.locator("#phone-booking")
    form.get_by_role("button", name="+ Ajouter la réservation").click()
    expect(page.locator("#id_phone-client_name_error")).to_have_text("Indiquez le nom du client.")

    form.get_by_label("Nom du client").fill("Ossipian")
    form.get_by_label("Hébergement").select_option(label="Petit coin de paradis")
    form.get_by_label("Du", exact=True).fill(iso(2))
    form.get_by_label("au", exact=True).fill(iso(5))
    form.get_by_label("Prix").fill("255,00")
    form.get_by_role("button", name="+ Ajouter la réservation").click()

    expect(page.locator(".message-success")).to_contain_text("Le dossier n°1 est créé, en option.")
    expect(page.get_by_test_id("today-count")).to_have_text("Aujourd’hui, 1 réservation a été réalisée.")
    expect(latest).to_contain_text("Dernières réservations (1 aujourd’hui)")
    expect(latest.get_by_role("row", name=re.compile("Ossipian"))).to_contain_text("Petit coin de paradis")
    expect(page.get_by_test_id("next-arrivals")).to_contain_text("Ossipian")
    expect(page.get_by_test_id("activity-revenue")).to_have_text("255,00\xa0€")

    page.locator("#sidebar").get_by_role("link", name="Planning").click()
    block = page.locator(".pl-block", has_text="n°1")
    expect(block).to_contain_text("OSSIPIAN")
    expect(block).to_have_css("background-color", BROWN)

    # Back on the dashboard: its link opens the file, a phone booking.
    page.goto(f"{live_server.url}/tableau-de-bord/")
    latest.get_by_role("link", name="Ossipian").click()
    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°1"))).to_be_visible()
    expect(page.locator("#informations")).to_contain_text("Réservation par téléphone")


def test_top_bar_finds_a_file_by_client_name_or_number(page, live_server, signed_in, owner):
    _provider, lodging = owner
    arrival = day(10)
    factories.make_file(lodging, arrival, 3, last_name="Kiourtzidou", first_name="Anna")
    factories.make_file(lodging, arrival + timedelta(days=5), 3, last_name="Ossipian", first_name="Léa")
    factories.make_file(lodging, arrival + timedelta(days=10), 3, last_name="Ossipian", first_name="Marc")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    search = page.get_by_role("searchbox", name="N° dossier / Nom client")
    search.fill("kiourtzidou")
    search.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°1"))).to_be_visible()
    expect(page.locator("#client")).to_contain_text("KIOURTZIDOU Anna")

    search = page.get_by_role("searchbox", name="N° dossier / Nom client")
    search.fill("Ossipian")
    search.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("2 dossiers correspondent.")
    page.get_by_role("link", name="Visualiser le dossier n°2").click()
    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°2"))).to_be_visible()

    search = page.get_by_role("searchbox", name="N° dossier / Nom client")
    search.fill("3")
    search.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°3"))).to_be_visible()

    search = page.get_by_role("searchbox", name="N° dossier / Nom client")
    search.fill("131")
    search.press("Enter")
    expect(page.get_by_test_id("search-message")).to_have_text("Il n’y a pas de dossier n°131.")


def test_alert_icon_leads_to_an_online_booking(page, live_server, signed_in, owner):
    """The third way to reach a file booked online: the alert icon of the top bar."""
    _provider, lodging = owner
    arrival = day(10)
    factories.make_file(lodging, arrival, 3, last_name="Dupont", origin="local")
    factories.make_file(lodging, arrival + timedelta(days=5), 3, last_name="Ossipian", origin="internet")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    expect(page.get_by_test_id("alert-count")).to_have_text("1")
    page.get_by_role("link", name="Alertes").click()
    expect(page.get_by_role("heading", name="1 réservation en ligne à finaliser")).to_be_visible()
    page.get_by_role("link", name="Visualiser le dossier n°2").click()
    expect(page.locator("#client")).to_contain_text("OSSIPIAN")
    page.get_by_role("link", name="Voir sur le planning").click()
    expect(page.locator(".pl-block", has_text="n°2")).to_contain_text("OSSIPIAN")


def test_files_list_search_export_and_phone_layout(page, live_server, signed_in, owner, tmp_path):
    _provider, lodging = owner
    arrival = day(10)
    first = factories.make_file(lodging, arrival, 7, price="350.00", last_name="Dupont")
    factories.record_payment(first, "87.50")
    factories.make_file(lodging, arrival + timedelta(days=7), 3, price="200.00", last_name="Martin")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.locator("#sidebar").get_by_role("link", name="Dossiers").click()
    expect(page.get_by_test_id("result-count")).to_have_text("2 dossiers")
    page.get_by_label("Solde du dossier").select_option(label="Non soldé")
    page.get_by_label("Statut du dossier").select_option(label="Confirmé")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 dossier")
    expect(page.get_by_test_id("bookings")).to_contain_text("DUPONT Marie")

    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "N° dossier" and rows[0][7] == "Règlements"
    assert rows[1][0] == 1 and rows[1][14] == 350 and rows[1][15] == 87.5
    assert rows[1][7].endswith(": 87,50\xa0€ (Chèque)")

    page.get_by_label("Arrivée entre le").fill(iso(20))
    page.get_by_label("et le", exact=True).fill(iso(5))
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator("#id_arrival_to_error")).to_have_text(
        "La fin de la période doit être après son début."
    )

    page.set_viewport_size({"width": 375, "height": 740})
    for path_ in ("/tableau-de-bord/", "/dossiers/", "/arrivees/", "/clients/"):
        page.goto(f"{live_server.url}{path_}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path_
