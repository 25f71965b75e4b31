"""Office staff at work on their territory: the tourist tax rate form (a rate outside the year's
legal bounds is refused next to the field, then a valid one is saved and listed) and the commission
page of the season (two active online files at 3 %, rounded per file). Every page is checked with
axe-core at 1366 px and at 375 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptes.models import Membership
from reservations.models import BookingOrigin
from tarifs.models import TouristTaxBound, TouristTaxLaw, TouristTaxRate
from tests import factories
from tests.e2e.conftest import day
from tests.e2e.test_public_booking import accessible

STAFF = "staff@ariege.example"


@pytest.fixture
def territory(transactional_db):
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    staff = factories.make_user(STAFF)
    Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    # The browser tests run in 2030: that year's legal scale (the 2026 figures) for the form.
    law = TouristTaxLaw.objects.create(
        year=2030,
        proportional_min=Decimal("1"),
        proportional_max=Decimal("5"),
        departmental_percent=Decimal("10"),
    )
    for bound in TouristTaxBound.objects.filter(law__year=2026):
        TouristTaxBound.objects.create(
            law=law, category=bound.category, minimum=bound.minimum, maximum=bound.maximum
        )
    provider = factories.make_provider(office=office, last_name="Dupont")
    lodging = factories.make_lodging(provider, classification="3")
    files = [
        factories.make_file(lodging, day(21), price="350.50", origin=BookingOrigin.INTERNET),
        factories.make_file(lodging, day(35), price="333.33", origin=BookingOrigin.WIDGET),
        factories.make_file(lodging, day(49), price="500.00", origin=BookingOrigin.INTERNET),
        factories.make_file(lodging, day(63), price="420.00"),
    ]
    factories.cancel(files[2])
    return office, files


def test_staff_enter_a_tax_rate_and_read_the_commission(page, live_server, territory, signed_in):
    signed_in(STAFF)
    page.goto(f"{live_server.url}/office/taxe-de-sejour/")
    expect(page.get_by_role("heading", name="Tarifs de la taxe de séjour")).to_be_visible()
    accessible(page, "tax rates list")

    page.get_by_test_id("add-rate").click()
    page.get_by_test_id("commune-search").fill("09000")
    expect(page.locator("#id_commune option", has_text="Foix (09000)")).to_have_count(1)
    page.locator("#id_commune").select_option(label="Foix (09000)")
    page.get_by_label("Année").fill("2030")
    page.get_by_label("Catégorie").select_option(label="3 étoiles")
    page.get_by_label("Tarif", exact=True).fill("2.50")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator("#id_rate_error")
    expect(error).to_contain_text("entre 0,50 € et 1,70 €")
    assert not TouristTaxRate.objects.exists()
    accessible(page, "tax rate form with an error")

    page.get_by_label("Tarif", exact=True).fill("1.00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le tarif est enregistré.")).to_be_visible()
    expect(page.get_by_test_id("rates")).to_contain_text("Foix (09000)")
    assert TouristTaxRate.objects.get().rate == Decimal("1.00")

    page.get_by_role("link", name="Commission").click()
    expect(page.get_by_test_id("commission")).to_have_text("20,52\xa0€")
    expect(page.get_by_test_id("lines")).to_contain_text("10,52")
    accessible(page, "commission")
