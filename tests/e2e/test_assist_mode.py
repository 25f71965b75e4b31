"""Browser flow of assist mode (#16 item 4): the office's staff open a provider's account read-only
from its row, see the banner on every page at 375 px, a save button saves nothing and says
"lecture seule", they leave; the owner finds the consultation in "Journal des accès". Each page is
checked with axe-core at 1366 px and 375 px."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptes.models import Membership, Provider
from comptes.scoping import provider_scope, scopes_disabled
from reservations.services import payment_record
from tests import factories
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def assisted(transactional_db):
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    staff = factories.make_user("agent@ariege.example", full_name="Anne Agent")
    Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    provider = factories.make_seller(
        office, number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(company="Gîte du Pont", city="Foix")
        provider.refresh_from_db()
    lodging = factories.make_priced_lodging(provider)
    booking = factories.make_file(lodging, day(21), last_name="Martin")
    with provider_scope(provider):
        payment_record(
            booking=booking,
            date=day(0),
            mode="cheque",
            amount=Decimal("100.00"),
            reference="CHQ-98765432",
            overpayment_accepted=True,
        )
    return office, staff, provider, booking


def test_staff_consult_an_account_read_only_and_the_owner_sees_it(
    page, live_server, assisted, signed_in, new_context
):
    office, staff, provider, booking = assisted
    signed_in(staff.email)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/office/prestataires/")
    row = page.locator(f'tr[data-number="{provider.number}"]')
    row.get_by_role("button", name=re.compile(r"^Consulter le compte \(lecture seule\)")).click()

    # The dashboard of the provider, with the banner; and on every page visited.
    banner = page.get_by_test_id("assist-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(
        "Vous consultez le compte de Gîte du Pont (Meublé - 92750) en lecture seule"
    )
    accessible(page, "dashboard in assist mode")
    page.set_viewport_size(PHONE)
    for path in ("/planning/", f"/dossiers/{booking.pk}/", "/hebergements/", "/compte/coordonnees/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_test_id("assist-banner")).to_be_visible()
        box = page.get_by_test_id("assist-banner").bounding_box()
        assert box is not None and box["width"] <= PHONE["width"], path
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")
    expect(page.get_by_text("••••5432").first).to_be_visible()
    expect(page.get_by_text("CHQ-98765432")).to_have_count(0)
    accessible(page, "a file in assist mode")

    # A save button saves nothing: the page says "lecture seule".
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/compte/coordonnees/")
    page.get_by_label("Ville").fill("Toulouse")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(
        page.get_by_text("Lecture seule : vous consultez ce compte, rien n’a été enregistré.")
    ).to_be_visible()
    expect(page.get_by_test_id("assist-banner")).to_be_visible()
    accessible(page, "a refused save in assist mode")
    with scopes_disabled():
        assert Provider.objects.get(pk=provider.pk).city == "Foix"

    # "Quitter": back on the provider's page of the staff space, without the banner.
    page.set_viewport_size(PHONE)
    page.get_by_test_id("assist-banner").get_by_role("button", name="Quitter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gîte du Pont")
    expect(page.get_by_test_id("assist-banner")).to_have_count(0)
    expect(page.get_by_text("Vous avez quitté la consultation en lecture seule.")).to_be_visible()

    # The owner reads who consulted the account, and when.
    owner_page = new_context(viewport=PHONE).new_page()
    signed_in(provider.email, context=owner_page.context)
    owner_page.goto(f"{live_server.url}/")
    owner_page.get_by_text("Meublé - 92750").click()  # the account menu
    owner_page.get_by_role("link", name="Journal des accès").click()
    expect(owner_page.get_by_role("heading", level=1)).to_have_text("Journal des accès")
    log = owner_page.get_by_test_id("access-log")
    expect(log).to_contain_text("Anne Agent (agent@ariege.example)")
    expect(log).to_contain_text("Ariège Pyrénées Tourisme")
    accessible(owner_page, "access log")
