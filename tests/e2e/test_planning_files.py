"""Browser flows of issue #17 items 8 and 9: from the planning, an imported Airbnb reservation →
"Créer le dossier" → the file (dates and name prefilled, origin Airbnb), listed in "Arrivées" with
its "Site internet"; then, on a phone (375 px), the file's accompanying guests and formula
(Clévacances "Détail d'une réservation")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from comptes.scoping import provider_scope
from tests import factories
from tests.commercialisation.test_ical_selectors import block
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day


@pytest.fixture
def owner(transactional_db):
    provider = factories.make_provider(
        number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_lodging(provider)
    feed = factories.make_ical_feed(lodging, name="Airbnb", platform="airbnb")
    reservation = block(feed, "hm-1", day(3), day(6), summary="Reserved - Ossipian")
    return provider, lodging, reservation


def test_an_imported_reservation_becomes_a_file_listed_in_arrivals(page, live_server, signed_in, owner):
    provider, lodging, reservation = owner
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/planning/")
    legend = page.locator(".planning-legend")
    expect(legend).to_contain_text("Airbnb")

    imported = page.locator(".pl-block.pl-imported", has_text="Reserved - Ossipian")
    imported.click()
    imported.get_by_role("link", name="Créer le dossier").click()

    expect(page.get_by_role("heading", name="Créer le dossier d’une réservation Airbnb")).to_be_visible()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Ossipian")
    expect(page.get_by_test_id("block-summary")).to_contain_text(day(3).strftime("%d/%m/%Y"))
    expect(page.get_by_test_id("block-summary")).to_contain_text(day(6).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.locator("#id_amount_error")).to_have_text(
        "Indiquez le montant de la réservation sur la plateforme."
    )
    page.get_by_label("Montant de la réservation sur la plateforme").fill("412,50")
    page.get_by_role("button", name="Créer le dossier").click()

    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmé")
    expect(page.get_by_test_id("booking-website")).to_have_text("Airbnb")
    expect(page.get_by_test_id("booking-type")).to_have_text("Réservation")
    expect(page.get_by_test_id("total")).to_have_text("412,50 €")

    page.goto(f"{live_server.url}/arrivees/?jour={day(3).isoformat()}")
    row = page.get_by_test_id("bookings").locator("tbody tr").first
    expect(row).to_contain_text("OSSIPIAN")
    expect(row.get_by_test_id("website")).to_have_text("Airbnb")
    expect(page.get_by_role("columnheader", name="Site internet")).to_be_visible()

    page.goto(f"{live_server.url}/planning/")
    expect(page.locator(".pl-block.pl-imported")).to_have_count(0)
    expect(page.locator(".pl-block", has_text="OSSIPIAN")).to_be_visible()


def test_on_a_phone_the_file_gets_its_accompanying_guests_and_formula(
    new_context, live_server, signed_in, owner
):
    provider, lodging, _reservation = owner
    booking = factories.make_booking(lodging, day(10), day(15), persons=3, last_name="Dupond")
    from reservations.services import formula_create

    with provider_scope(provider):
        formula_create(provider=provider, name="Pension complète")
    context = new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    signed_in("dupont.marie@test.com", context=context)
    page = context.new_page()
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")
    expect(page.get_by_test_id("booking-type")).to_have_text("Pré-réservation")

    companions = page.locator("#companions")
    companions.get_by_role("link", name="+ Ajouter un accompagnant").click()
    companions.get_by_label("Nom").fill("Dupond Lucie")
    companions.get_by_label("Âge").fill("130")
    companions.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#companions #id_age_error")).to_have_text("Indiquez un âge entre 0 et 120.")
    page.locator("#companions").get_by_label("Âge").fill("41")
    page.locator("#companions").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("companions")).to_contain_text("Dupond Lucie")
    expect(page.get_by_test_id("companions")).to_contain_text("41 ans")

    page.get_by_test_id("booking-formula").get_by_role("link", name="Modifier").click()
    page.get_by_label("Formule").select_option(label="Pension complète")
    page.get_by_test_id("booking-formula").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("booking-formula")).to_contain_text("Pension complète")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    accessible(page, "the file with its accompanying guests and formula", widths=((375, 740),))
