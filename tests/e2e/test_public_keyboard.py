"""The guests' pages with the keyboard only, and axe-core on the states the booking test does not
reach (issue #14, "Accessibility"): the lodging's calendar driven by Tab and Enter alone (the focus
kept where the guest was after each htmx swap of the month), an empty search, a provider's own
site in production, and a lodging page with everything it can show (photos, equipment, map link,
contact details). Every state is checked at 1366 px and at 375 px."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptes.models import ProviderSettings
from comptes.scoping import scopes_disabled
from reservations.models import Booking
from tests import factories
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day

ARRIVAL = day(21)  # Saturday 6 July 2030: a 7-night stay (350 €) and a 3-night one (180 €) start then
HEIGHTS = {1366: 900, 375: 740}

# What has the focus: its id, tag, accessible text and, for a radio, its value.
ACTIVE = """() => { const e = document.activeElement; return {
  id: e.id, tag: e.tagName, name: (e.getAttribute('aria-label') || e.textContent || '').trim(),
  value: e.value || '', type: e.type || '' }; }"""


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seller(transactional_db):
    office = factories.make_office(slug="ariege")
    provider = factories.make_seller(
        office, number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_priced_lodging(provider)
    factories.price_for_stay(lodging, ARRIVAL, 3, "180.00")
    return office, provider, lodging


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def tab_to(page, wanted, *, key: str = "Tab", limit: int = 80) -> dict:
    """Press Tab (or ``key``) until the focused element satisfies ``wanted``; never more than
    ``limit`` presses (a focus that fell to the page would loop through it again and again)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = active(page)
        if wanted(focused):
            return focused
        seen.append(focused["id"] or focused["name"][:30])
    raise AssertionError(f"never reached by {key}: went through {seen}")


def check(page, where: str, width: int) -> None:
    """axe-core on the state the page is in, at the test's width (``accessible`` at that width)."""
    accessible(page, where, widths=((width, HEIGHTS[width]),))
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})


@pytest.mark.parametrize("width", [1366, 375])
def test_the_calendar_and_the_first_step_with_the_keyboard_only(new_context, live_server, seller, width):
    office, provider, lodging = seller
    page = new_context(viewport={"width": width, "height": HEIGHTS[width]}).new_page()
    page.goto(f"{live_server.url}/en/marche/{office.slug}/hebergement/{lodging.pk}/")
    expect(page.locator("#month-title")).to_have_text("June 2030")
    check(page, "lodging page, June", width)

    # Tab from the top of the page to "Next month", Enter: July, the focus still on "Next month".
    focused = tab_to(page, lambda e: e["id"] == "calendar-next")
    assert focused["name"] == "Next month →"
    page.keyboard.press("Enter")
    expect(page.locator("#month-title")).to_have_text("July 2030")
    assert active(page)["id"] == "calendar-next"
    check(page, "calendar, July", width)

    # Back to June, which has no "previous month": the focus goes to the month's title, and the
    # next Tab reaches "Next month" again (not the top of the page).
    focused = tab_to(page, lambda e: e["id"] == "calendar-previous", key="Shift+Tab", limit=3)
    assert focused["name"] == "← Previous month"
    page.keyboard.press("Enter")
    expect(page.locator("#month-title")).to_have_text("June 2030")
    assert active(page) == {"id": "month-title", "tag": "H3", "name": "June 2030", "value": "", "type": ""}
    check(page, "calendar, back to June", width)
    page.keyboard.press("Tab")
    assert active(page)["id"] == "calendar-next"
    page.keyboard.press("Enter")
    expect(page.locator("#month-title")).to_have_text("July 2030")
    assert active(page)["id"] == "calendar-next"

    # The next Tabs go through July's arrival days: Saturday 6 July, Enter. The durations appear,
    # the focus stays on the day chosen.
    focused = tab_to(page, lambda e: e["tag"] == "A" and e["id"].startswith("day-"), limit=5)
    assert focused == {
        "id": f"day-{ARRIVAL.isoformat()}",
        "tag": "A",
        "name": "Saturday 6 July 2030 — arrival possible",
        "value": "",
        "type": "",
    }
    page.keyboard.press("Enter")
    expect(page.locator(".durations legend")).to_have_text("Arrival: Saturday 6 July 2030")
    expect(page.locator(f"#day-{ARRIVAL.isoformat()}")).to_have_attribute("aria-current", "date")
    assert active(page)["id"] == f"day-{ARRIVAL.isoformat()}"
    check(page, "calendar, arrival chosen", width)

    # Tab on to the durations (the first is ticked), the arrow key picks the week, Tab to Book.
    focused = tab_to(page, lambda e: e["type"] == "radio")
    assert (focused["value"], page.locator("input[name=nuits]:checked").get_attribute("value")) == ("3", "3")
    page.keyboard.press("ArrowDown")
    assert active(page)["value"] == "7"
    expect(page.locator("input[name=nuits]:checked")).to_have_value("7")
    focused = tab_to(page, lambda e: e["tag"] == "BUTTON", limit=1)
    assert focused["name"] == "Book"
    check(page, "durations, a week chosen", width)
    page.keyboard.press("Enter")

    # The journey's first step, for the week chosen.
    expect(page.locator(".journey-steps [aria-current=step]")).to_have_text("Stay")
    expect(page).to_have_url(re.compile(r"/en/reservation/[^/]+/sejour/$"))
    expect(page.locator("main")).to_contain_text("€350.00")
    assert active(page)["tag"] == "BODY"  # a new page: the focus starts at its top
    page.keyboard.press("Tab")
    assert active(page)["name"] == "Skip to content"
    check(page, "journey, first step", width)

    # The steps, with the keyboard only: Tab to each field, type, Space on a box, Enter to go on.
    (adults,) = factories.adults(provider, 2)
    keyboard_form(page, {f"occupants_{adults}": "2"}, "Continue")
    expect(page.locator(".journey-steps [aria-current=step]")).to_have_text("Options")
    check(page, "journey, options", width)
    keyboard_form(page, {}, "Continue")
    expect(page.locator(".journey-steps [aria-current=step]")).to_have_text("Your details")
    details = {
        "last_name": "Martin",
        "first_name": "Claire",
        "address": "3 rue des Lilas",
        "postcode": "31000",
        "city": "Toulouse",
        "phone1": "06 12 34 56 78",
        "email": "claire@example.com",
    }
    keyboard_form(page, details, "Continue")
    expect(page.locator("#total")).to_contain_text("€350.00")
    check(page, "journey, summary", width)
    keyboard_form(page, {"accept_terms": SPACE}, "Send my pre-booking")
    expect(page.get_by_role("heading", level=2)).to_contain_text("has been sent")
    with scopes_disabled():
        assert Booking.objects.get().client.last_name == "Martin"


SPACE = object()  # tick the box that has the focus


def keyboard_form(page, values: dict, button: str) -> None:
    """Tab through the page's form: type each value when its field has the focus (Space for
    ``SPACE``), then Enter on ``button`` — every field reached, the hidden honeypot never."""
    values = dict(values)
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = active(page)
        assert focused["id"] != "website", "the honeypot is out of the keyboard's way"
        if focused["id"] in values:
            value = values.pop(focused["id"])
            if value is SPACE:
                page.keyboard.press("Space")
            else:
                page.keyboard.type(value)
        elif focused["tag"] == "BUTTON" and focused["name"] == button:
            assert not values, f"never reached with Tab: {sorted(values)}"
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"{button!r} never reached with Tab")


def test_an_empty_search_passes_axe(page, live_server, seller):
    office, _provider, _lodging = seller
    page.goto(f"{live_server.url}/en/marche/{office.slug}/?arrivee={day(22).isoformat()}&nuits=7")
    expect(page.locator(".public-empty")).to_have_text(
        "No lodging is free from 7 July 2030 to 14 July 2030. "
        "Try other dates, another length of stay, or fewer filters."
    )
    accessible(page, "empty results")
    page.goto(f"{live_server.url}/fr/marche/{office.slug}/?commune=Toulouse")
    expect(page.locator(".public-empty")).to_have_text(
        "Aucun hébergement ne correspond à votre recherche. Essayez avec moins de filtres."
    )
    accessible(page, "no match, in French")


def test_a_providers_own_site_in_production_passes_axe(page, live_server, seller):
    _office, provider, lodging = seller
    page.goto(f"{live_server.url}/en/site/{provider.number}/")
    expect(page.get_by_test_id("test-banner")).to_have_count(0)
    expect(page.locator("#results-title")).to_have_text("1 lodging")
    expect(page.locator(".offer-price")).to_have_text("from €180.00")
    accessible(page, "provider site, search")
    page.goto(f"{live_server.url}/en/site/{provider.number}/?arrivee={ARRIVAL.isoformat()}&nuits=7")
    expect(page.locator(".offer-price")).to_have_text("€350.00 for 7 nights")
    accessible(page, "provider site, results")
    page.get_by_role("link", name="Petit coin de paradis", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/en/site/{provider.number}/hebergement/{lodging.pk}/"))
    expect(page.locator(".durations")).to_contain_text("7 nights / €350.00")
    accessible(page, "provider site, lodging page")


def test_a_lodging_page_with_photos_equipment_map_and_contact_passes_axe(
    page, live_server, seller, media_root
):
    office, provider, _lodging = seller
    full = factories.make_priced_lodging(
        provider,
        name="Le Moulin",
        surface=85,
        registration_number="09122000123AB",
        latitude=Decimal("42.965000"),
        longitude=Decimal("1.607000"),
    )
    factories.make_photos(full, count=3)
    with scopes_disabled():
        full.characteristics.set(factories.characteristics("douche", "lave-linge", "jardin", "piscine"))
        ProviderSettings.objects.filter(provider=provider).update(public_contact="full")
    page.goto(
        f"{live_server.url}/en/marche/{office.slug}/hebergement/{full.pk}/?arrivee={ARRIVAL.isoformat()}"
    )
    expect(page.locator(".gallery img")).to_have_count(3)
    expect(page.get_by_role("link", name="Map")).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=42.965000&mlon=1.607000#map=14/42.965000/1.607000"
    )
    expect(page.locator(".lodging-facts h3")).to_have_text(["Indoor equipment", "Outdoor equipment"])
    expect(page.locator("#contact-title")).to_be_visible()
    expect(page.get_by_role("link", name=provider.email)).to_be_visible()
    accessible(page, "full lodging page")
    page.locator("#terms-title").click()  # the terms of sale open
    accessible(page, "full lodging page, terms open")
