"""Browser flow of the iCal synchronisation: subscribe a platform's calendar, synchronise now, see
the imported events on the synchronisation page and on the planning."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.commercialisation import feeds
from tests.commercialisation.feedserver import FeedServer
from tests.e2e.conftest import day
from tests.factories import make_lodging, make_provider


@pytest.fixture
def feed_server(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    server = FeedServer()
    yield server
    server.close()


def ymd(offset: int) -> str:
    return f"{day(offset):%Y%m%d}"


def dmy(offset: int) -> str:
    return f"{day(offset):%d/%m/%Y}"


def test_add_a_feed_synchronise_now_and_see_the_imported_events(
    page, live_server, signed_in, transactional_db, feed_server
):
    provider = make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont")
    make_lodging(provider, name="Petit coin de paradis")
    url = feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", ymd(10), ymd(14))))

    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")
    page.get_by_role("link", name="Synchronisation iCal").click()
    expect(page.get_by_role("heading", name="Synchronisation iCal", level=1)).to_be_visible()
    page.get_by_role("link", name="Gérer les calendriers").click()
    expect(page).to_have_url(re.compile(r"/synchronisation-ical/hebergement/\d+/$"))
    expect(page.locator("#export-url")).to_have_value(re.compile(r"^http://.+/ical/[A-Za-z0-9_-]{40,}\.ics$"))

    page.get_by_label("Adresse du calendrier (iCal)").fill(url)
    page.get_by_label("Plateforme", exact=True).select_option(label="Airbnb")
    page.get_by_role("button", name="Ajouter le calendrier").click()
    expect(page.get_by_text("Le calendrier « Airbnb » est ajouté.")).to_be_visible()
    rows = page.locator("table.imported-blocks tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(dmy(10))
    expect(rows.first).to_contain_text(dmy(14))
    expect(rows.first).to_contain_text("Reserved")

    # A new reservation on Airbnb, the first one extended by two nights.
    feed_server.serve(
        "/airbnb.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("hm1", ymd(10), ymd(16)), feeds.airbnb_reserved("hm2", ymd(20), ymd(23))
        ),
    )
    page.get_by_role("button", name="Synchroniser maintenant").click()
    expect(
        page.get_by_text(
            "Synchronisation terminée : 1 événement importé, 1 modifié, 0 supprimé, 0 conflit, 0 erreur."
        )
    ).to_be_visible()
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(dmy(16))
    expect(rows.nth(1)).to_contain_text(dmy(20))
    expect(page.locator("tr.feed-row")).to_contain_text("À jour")

    # The menu page lists the feed with its state and last success.
    page.get_by_role("link", name="Synchronisation iCal").first.click()
    expect(page.locator("tr.feed-row")).to_contain_text("Airbnb")
    expect(page.locator("tr.feed-row")).to_contain_text("À jour")

    # The planning draws the imported reservations on the nights they block.
    page.get_by_role("link", name="Planning", exact=True).click()
    imported = page.locator(".pl-block.pl-imported")
    expect(imported).to_have_count(2)
    expect(imported.first).to_contain_text("Reserved")


def test_the_lodging_page_fits_a_phone(page, live_server, signed_in, transactional_db):
    provider = make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont")
    make_lodging(provider, name="Petit coin de paradis")
    page.set_viewport_size({"width": 375, "height": 800})
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/synchronisation-ical/")
    page.get_by_role("link", name="Gérer les calendriers").click()
    expect(page.get_by_role("button", name="Copier")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
