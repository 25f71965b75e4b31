"""A guest books online, in English (manual: "Côté client : simple et efficace"): the marketplace for
7 nights → "Petit coin de paradis" → its calendar → cleaning and a promo code → details → terms →
pré-réservation. The owner then sees the brown block on the planning and the file, origin internet,
with the code; both mails are in the outbox with the right amounts. Every public page and step is
checked with axe-core at 1366 px and at 375 px (no serious or critical violation), and the calendar
is used with the keyboard only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptes.models import OutgoingMail
from comptes.scoping import scopes_disabled
from reservations.models import Booking
from tests import factories
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day

ARRIVAL = day(21)  # Saturday 6 July 2030


@pytest.fixture
def seller(transactional_db):
    office = factories.make_office(slug="ariege")
    provider = factories.make_seller(
        office, number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    lodging = factories.make_priced_lodging(provider)
    factories.make_priced_lodging(provider, name="Gîte La Colline Verte", price="560.00", capacity_max=6)
    factories.offer_supplement(lodging, "Ménage", "50.00", label_en="Cleaning")
    factories.make_promo_code(lodging, code="ETE30", label="Été", value=Decimal("10"))
    return office, provider, lodging


def test_a_guest_books_a_week_with_cleaning_and_a_promo_code(page, live_server, seller, signed_in):
    office, provider, lodging = seller
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/en/marche/{office.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Holiday rentals")
    accessible(page, "marketplace")
    page.get_by_label("Arrival").fill(ARRIVAL.isoformat())
    page.get_by_label("Nights").fill("7")
    page.get_by_label("People").fill("2")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-title")).to_contain_text("2 lodgings free from Saturday 6 July 2030")
    accessible(page, "results")
    page.get_by_role("link", name="Petit coin de paradis").first.click()

    # The lodging page opens on the arrival searched; the durations say "7 nights / €350.00".
    expect(page.get_by_role("heading", name="Petit coin de paradis")).to_be_visible()
    expect(page.locator(".durations")).to_contain_text("7 nights / €350.00")
    accessible(page, "lodging page")
    # Keyboard only: next month and back, then choose the arrival day again with Enter.
    page.get_by_role("link", name="Next month").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#month-title")).to_have_text("August 2030")
    page.get_by_role("link", name="Previous month").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#month-title")).to_have_text("July 2030")
    page.get_by_role("link", name="Saturday 6 July 2030 — arrival possible").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".durations")).to_contain_text("7 nights / €350.00")
    page.get_by_role("button", name="Book").focus()
    page.keyboard.press("Enter")

    # Step 1: who is coming.
    expect(page.locator(".journey-steps [aria-current=step]")).to_have_text("Stay")
    page.get_by_label(re.compile(r"^Adult")).fill("2")
    accessible(page, "step 1")
    page.get_by_role("button", name="Continue").click()

    # Step 2: cleaning (the total follows live) and the promo code.
    page.get_by_label("Cleaning").select_option("1")
    expect(page.locator("#total")).to_contain_text("Cleaning ? €50.00 x 1")
    expect(page.locator("#total")).to_contain_text("€400.00")
    page.get_by_label("Promo code").fill("NOPE")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#promo-error")).to_have_text("This promo code does not exist.")
    page.get_by_label("Promo code").fill("ete30")
    accessible(page, "step 2")
    page.get_by_role("button", name="Continue").click()

    # Step 3: details (the phone number is checked).
    for label, value in (
        ("Last name", "Martin"),
        ("First name", "Claire"),
        ("Address", "3 rue des Lilas"),
        ("Postcode", "31000"),
        ("City", "Toulouse"),
        ("Phone", "12"),
        ("E-mail", "claire@example.com"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#phone1-error")).to_have_text("Enter a valid phone number.")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Martin")  # nothing typed is lost
    page.get_by_label("Phone", exact=True).fill("06 12 34 56 78")
    accessible(page, "step 3")
    page.get_by_role("button", name="Continue").click()

    # Step 4: summary, terms, pré-réservation.
    expect(page.locator("#total")).to_contain_text("€365.00")
    accessible(page, "summary")
    page.get_by_role("button", name="Send my pre-booking").click()
    expect(page.locator("#accept_terms-error, #terms-error")).to_have_text(
        "Please accept the terms of sale to book."
    )
    page.get_by_label("I have read and I accept the terms of sale").check()
    page.get_by_role("button", name="Send my pre-booking").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("has been sent")
    accessible(page, "confirmation")
    assert not page.context.cookies(), "the guest's pages set no cookie"

    with scopes_disabled():
        booking = Booking.objects.get()
        assert (booking.origin, booking.promo_code, booking.total_amount) == (
            "internet",
            "ETE30",
            Decimal("365.00"),
        )
        mails = {mail.to[0]: mail for mail in OutgoingMail.objects.all()}
    assert "€365.00" in mails["claire@example.com"].body_text
    assert "365,00\xa0€" in mails[provider.email].body_text

    # The owner: a brown block on the planning, the file with origin internet and the code.
    signed_in(provider.email)
    page.goto(f"{live_server.url}/planning/?debut={ARRIVAL.isoformat()}")
    block = page.locator(".pl-block", has_text=f"n°{booking.number}").first
    expect(block).to_be_visible()
    expect(block).to_have_css("background-color", "rgb(139, 90, 43)")
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")
    expect(page.locator("body")).to_contain_text("Internet")
    expect(page.locator("body")).to_contain_text("ETE30")
