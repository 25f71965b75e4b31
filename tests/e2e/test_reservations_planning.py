"""Browser flows of the planning and the booking files (manual: "Gérer au quotidien ses réservations").

* drag three free days → "Créer un dossier" through the three steps → a brown block; a payment turns
  it purple; paying the rest turns it green with ✓;
* drag free days → "Créer des interdictions de vente" → hatched; drag over them → allowed again;
* on a 375 px touch screen: tap a day, tap a file.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import ARTIFACTS, day

BROWN, PURPLE, GREEN = "rgb(139, 90, 43)", "rgb(107, 63, 160)", "rgb(37, 122, 75)"


@pytest.fixture
def owner(transactional_db):
    provider = factories.make_provider(
        number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_lodging(provider)
    return provider, lodging


def iso(offset: int) -> str:
    return day(offset).isoformat()


def drag(page, lodging, first: str, last: str):
    """Press on the day ``first`` of the lodging's Réservations row, move to ``last``, release."""
    row = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"]')
    start = row.locator(f'[data-day="{first}"]').bounding_box()
    end = row.locator(f'[data-day="{last}"]').bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def block_of(page, booking_number: int):
    return page.locator(".pl-block", has_text=f"n°{booking_number}")


def test_drag_three_days_create_a_file_and_pay_it(page, live_server, signed_in, owner):
    provider, lodging = owner
    arrival = day(3)
    factories.price_for_stay(lodging, arrival, 3, "250.00")
    factories.offer_supplement(lodging, "Frais de dossier", "5.00", mandatory=True)
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/planning/")
    expect(page.get_by_role("heading", name="Mon planning")).to_be_visible()

    drag(page, lodging, iso(3), iso(5))
    dialog = page.locator("#planning-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator(".pl-cell.is-selected")).to_have_count(3)
    expect(dialog).to_contain_text("(3 nuits)")
    dialog.get_by_role("link", name="Créer un dossier").click()

    # Step 1: the lodging and the dates come from the selection.
    expect(
        page.get_by_role("heading", name="Étape 1 : Choix de l’hébergement et des dates de séjour")
    ).to_be_visible()
    expect(page.get_by_label("Du")).to_have_value(iso(3))
    expect(page.get_by_label("au", exact=True)).to_have_value(iso(6))
    page.get_by_role("button", name="Valider").click()

    # Step 2: the price engine proposes the grid price; 2 adults.
    expect(page.get_by_role("heading", name="Étape 2 : Choix du prix de l’hébergement")).to_be_visible()
    expect(page.get_by_label("Prix", exact=True)).to_have_value("250,00")
    page.get_by_label("Adulte").fill("2")
    page.get_by_label("Adulte").press("Tab")
    expect(page.get_by_label("Prix", exact=True)).to_have_value("250,00")
    expect(page.get_by_text("Frais de dossier 5,00")).to_be_visible()
    page.get_by_role("button", name="Valider").click()

    # Step 3: the client; only the name is required.
    expect(page.get_by_role("heading", name="Étape 3 : Saisie des coordonnées du client")).to_be_visible()
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.locator("#id_last_name_error")).to_have_text("Indiquez le nom du client.")
    page.get_by_label("Nom", exact=True).fill("Dupont")
    page.get_by_label("Prénom").fill("Marie")
    page.get_by_role("button", name="Créer le dossier").click()

    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°1"))).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("Option")
    expect(page.get_by_test_id("total")).to_have_text("255,00\xa0€")
    expect(page.get_by_test_id("deposit-due")).to_have_text("62,50\xa0€")

    # The planning shows a brown block with the client and the number.
    page.get_by_role("link", name="Voir sur le planning").click()
    block = block_of(page, 1)
    expect(block).to_contain_text("DUPONT MARIE n°1")
    expect(block).to_have_css("background-color", BROWN)
    block.hover()
    expect(block.get_by_role("link", name="Accéder au dossier n°1")).to_be_visible()
    block.get_by_role("link", name="Accéder au dossier n°1").click()

    # A payment of the deposit: confirmed, purple.
    page.get_by_role("link", name="+ Ajouter un règlement").click()
    expect(page.get_by_label("Montant")).to_have_value("62,50")
    page.get_by_label("Mode de paiement").select_option(label="Chèque")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmé")
    expect(page.get_by_test_id("balance")).to_have_text("192,50\xa0€")
    page.get_by_role("link", name="Voir sur le planning").click()
    expect(block_of(page, 1)).to_have_css("background-color", PURPLE)

    # The rest in cash: paid, green with ✓.
    block_of(page, 1).hover()
    block_of(page, 1).get_by_role("link", name="Accéder au dossier n°1").click()
    page.get_by_role("link", name="+ Ajouter un règlement").click()
    expect(page.get_by_label("Montant")).to_have_value("192,50")
    page.get_by_label("Mode de paiement").select_option(label="Espèces")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Soldé")
    expect(page.get_by_test_id("balance")).to_have_text("0,00\xa0€")
    page.get_by_role("link", name="Voir sur le planning").click()
    expect(block_of(page, 1)).to_have_css("background-color", GREEN)
    expect(block_of(page, 1)).to_contain_text("✓ DUPONT MARIE n°1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planning-paid-file.png"), full_page=True)


def test_create_and_remove_a_sale_prohibition_by_drag(page, live_server, signed_in, owner):
    provider, lodging = owner
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/planning/")
    cells = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"]')

    drag(page, lodging, iso(2), iso(5))
    dialog = page.locator("#planning-dialog")
    expect(dialog.get_by_role("heading", name="Créer des interdictions de vente")).to_be_visible()
    dialog.get_by_role("button", name="Appliquer").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".pl-block.pl-prohibition")).to_have_count(1)
    for offset in range(2, 6):
        expect(cells.locator(f'[data-day="{iso(offset)}"]')).to_have_attribute("data-state", "prohibited")
    expect(cells.locator(f'[data-day="{iso(6)}"]')).to_have_attribute("data-state", "free")

    # Drag over two of the hatched days: sale is allowed again on them only.
    drag(page, lodging, iso(4), iso(5))
    expect(dialog.get_by_role("heading", name="Autoriser à nouveau la vente")).to_be_visible()
    dialog.get_by_role("button", name="Appliquer").click()
    expect(dialog).to_be_hidden()
    expect(cells.locator(f'[data-day="{iso(4)}"]')).to_have_attribute("data-state", "free")
    expect(cells.locator(f'[data-day="{iso(3)}"]')).to_have_attribute("data-state", "prohibited")

    # And on the rest.
    drag(page, lodging, iso(2), iso(3))
    dialog.get_by_role("button", name="Appliquer").click()
    expect(page.locator(".pl-block.pl-prohibition")).to_have_count(0)
    expect(cells.locator(f'[data-day="{iso(2)}"]')).to_have_attribute("data-state", "free")


def test_dates_taken_meanwhile_are_refused_in_the_dialog(page, live_server, signed_in, owner):
    provider, lodging = owner
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/planning/")
    drag(page, lodging, iso(2), iso(4))
    dialog = page.locator("#planning-dialog")
    expect(dialog.get_by_role("button", name="Appliquer")).to_be_visible()
    # Someone books one of those nights in the meantime.
    factories.make_booking(
        lodging,
        day(3),
        day(4),
        last_name="Martin",
    )
    dialog.get_by_role("button", name="Appliquer").click()
    expect(dialog.locator("#id_arrival_error")).to_have_text("Ces dates ne sont plus disponibles.")


def test_on_a_phone_a_tap_selects_a_day_and_shows_a_file(new_context, live_server, signed_in, owner):
    provider, lodging = owner
    booking = factories.make_booking(lodging, day(1), day(3))
    factories.record_payment(booking, "20.00")
    context = new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    signed_in("dupont.marie@test.com", context=context)
    page = context.new_page()
    page.goto(f"{live_server.url}/planning/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    cell = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"] [data-day="{iso(5)}"]')
    cell.scroll_into_view_if_needed()
    cell.tap()
    dialog = page.locator("#planning-dialog")
    expect(dialog.get_by_role("link", name="Créer un dossier")).to_be_visible()
    expect(dialog).to_contain_text("(1 nuit)")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()

    block = block_of(page, booking.number)
    block.scroll_into_view_if_needed()
    block.tap()
    link = block.get_by_role("link", name=f"Accéder au dossier n°{booking.number}")
    expect(link).to_be_visible()
    link.tap()
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmé")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
