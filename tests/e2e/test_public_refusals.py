"""The guest pages that say no, in the browser and through axe-core at 1366 and 375 px: dates taken
by someone else between the summary and its submission (409, with other arrival days to follow),
and too many attempts from one connection (429)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import expect

from comptes.scoping import scopes_disabled
from reservations.models import Booking
from tests import factories
from tests.commercialisation.test_public import book_to_summary, step_url
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day

ARRIVAL = day(21)  # Saturday 6 July 2030, a week at 350 €


@pytest.fixture
def seller(transactional_db):
    office = factories.make_office(slug="ariege")
    provider = factories.make_seller(office, number=92750)
    return office, factories.make_priced_lodging(provider)


def test_dates_taken_meanwhile_answer_with_other_arrival_days(page, live_server, seller):
    office, lodging = seller
    draft = book_to_summary(Client(), office, lodging)  # a guest at the summary of 6–13 July
    page.goto(f"{live_server.url}{step_url(draft, 'recapitulatif')}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    factories.make_booking(lodging, ARRIVAL, ARRIVAL + timedelta(days=7))  # the owner, meanwhile
    page.get_by_label("I have read and I accept the terms of sale").check()
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Send my pre-booking").click()
    assert answer.value.status == 409
    expect(page.get_by_text("These dates have just been booked.")).to_be_visible()
    others = page.locator("a", has_text="July 2030").filter(has_text="Saturday")
    expect(others.first).to_be_visible()
    accessible(page, "dates just taken (409)")
    others.first.click()
    expect(page.locator(".durations")).to_contain_text("7 nights / €350.00")
    with scopes_disabled():
        assert Booking.objects.count() == 1  # the owner's only


def test_too_many_attempts_from_one_connection_say_so(page, live_server, seller):
    office, lodging = seller
    guest = Client()  # the same address as the browser (127.0.0.1): its attempts count together
    draft = book_to_summary(guest, office, lodging)
    summary = step_url(draft, "recapitulatif")
    answers = [guest.post(summary, {}, HTTP_ORIGIN="http://testserver").status_code for _try in range(30)]
    assert answers[-1] == 429, answers
    page.goto(f"{live_server.url}{summary}")
    page.get_by_label("I have read and I accept the terms of sale").check()
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Send my pre-booking").click()
    assert answer.value.status == 429
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page).to_have_title("Too many attempts")
    accessible(page, "too many attempts (429)")
    with scopes_disabled():
        assert not Booking.objects.exists()
