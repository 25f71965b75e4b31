"""On a phone (375 × 812, issue #17 "Phone"): the planning with a sale prohibition, an imported
Airbnb block and a long client name stays inside the screen (document width = viewport), the
"Créer un dossier / interdictions" dialog opens fully visible; the file page's tables fit or scroll
inside their own box; the compact view's day cells are large enough to tap (≥ 32 px). axe-core
checks every page on the way (tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commercialisation.models import ImportedBlock
from comptes.scoping import provider_scope
from tests import factories
from tests.e2e.conftest import day

PHONE = {"width": 375, "height": 812}
LONG_NAME = "De La Tour d’Auvergne-Lauraguais-Montmorency"


@pytest.fixture
def busy_planning(transactional_db):
    provider = factories.make_provider(
        number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_lodging(provider, name="Gîte du Moulin de la Vallée de l’Arget")
    booking = factories.make_booking(
        lodging, day(1), day(4), last_name=LONG_NAME, first_name="Marie-Christine"
    )
    factories.record_payment(booking, "20.00")
    # Far to the right of the 21 days: its hidden label used to widen the page (722 px).
    factories.make_prohibition(lodging, day(15), day(19))
    feed = factories.make_ical_feed(lodging)
    with provider_scope(provider):
        ImportedBlock.objects.create(
            provider=provider,
            lodging=lodging,
            feed=feed,
            uid="hm-phone@airbnb.com",
            summary="Reserved",
            arrival=day(9),
            departure=day(13),
        )
    for offset in range(0, 20):
        factories.price_for_stay(lodging, day(offset), 1, "180.50")
    return provider, lodging, booking


def phone_page(new_context, signed_in):
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    signed_in("dupont.marie@test.com", context=context)
    return context.new_page()


def page_width(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def fully_visible(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] + box["height"] <= PHONE["height"], box


def test_the_planning_stays_inside_a_phone_screen(new_context, live_server, signed_in, busy_planning):
    provider, lodging, booking = busy_planning
    page = phone_page(new_context, signed_in)
    page.goto(f"{live_server.url}/planning/")
    expect(page.locator(".pl-block.pl-prohibition")).to_have_count(1)
    expect(page.locator(".pl-block.pl-imported")).to_have_count(1)
    expect(page.locator(".pl-block", has_text=f"n°{booking.number}")).to_contain_text("DE LA TOUR")
    assert page_width(page) == PHONE["width"]

    # A tap on a free day opens the dialog, whole, inside the screen.
    cell = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"] [data-day="{day(5).isoformat()}"]')
    cell.scroll_into_view_if_needed()
    cell.tap()
    dialog = page.locator("#planning-dialog")
    expect(dialog.get_by_role("link", name="Créer un dossier")).to_be_visible()
    fully_visible(page, dialog)
    assert page_width(page) == PHONE["width"]
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()

    # The same on the hatched days ("Autoriser à nouveau la vente").
    cell = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"] [data-day="{day(16).isoformat()}"]')
    cell.scroll_into_view_if_needed()
    cell.tap()
    expect(dialog.get_by_role("heading", name="Autoriser à nouveau la vente")).to_be_visible()
    fully_visible(page, dialog)
    assert page_width(page) == PHONE["width"]


def test_the_compact_planning_has_cells_to_tap(new_context, live_server, signed_in, busy_planning):
    provider, lodging, booking = busy_planning
    page = phone_page(new_context, signed_in)
    page.goto(f"{live_server.url}/planning/?affichage=compact")
    expect(page.locator(".is-compact")).to_have_count(1)
    cells = page.locator(f'.pl-cells[data-lodging="{lodging.pk}"] .pl-cell')
    assert cells.count() >= 45
    for index in (0, 20, 44):
        box = cells.nth(index).bounding_box()
        assert box["width"] >= 32 and box["height"] >= 32, box
    assert page_width(page) == PHONE["width"]


def test_the_file_page_fits_a_phone(new_context, live_server, signed_in, busy_planning):
    provider, lodging, booking = busy_planning
    factories.record_payment(booking, "15.00")
    page = phone_page(new_context, signed_in)
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmé")
    assert page_width(page) == PHONE["width"]
    # Every table fits, or scrolls inside its own box.
    for table in page.locator("#booking-body table").all():
        box = table.evaluate(
            "t => { const box = t.closest('.table-wrap') || t; const r = box.getBoundingClientRect();"
            " return {left: r.left, right: r.right}; }"
        )
        assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
    page.get_by_role("link", name="+ Ajouter un règlement").click()
    expect(page.get_by_label("Montant")).to_be_visible()
    assert page_width(page) == PHONE["width"]


def test_the_price_row_never_overlaps_at_1366(new_context, live_server, signed_in, busy_planning):
    """ "180,50" a night: the planning shows "181" in the day, the exact price in its tooltip."""
    provider, lodging, booking = busy_planning
    context = new_context(viewport={"width": 1366, "height": 900})
    signed_in("dupont.marie@test.com", context=context)
    page = context.new_page()
    page.goto(f"{live_server.url}/planning/")
    prices = page.locator(".pl-price.has-price")
    expect(prices.first).to_have_text("181")
    expect(prices.first).to_have_attribute("title", "1 nuit : 180,50\xa0€ (180,50\xa0€ par nuit)")
    overflowing = prices.evaluate_all("cells => cells.filter(c => c.scrollWidth > c.clientWidth).length")
    assert overflowing == 0
