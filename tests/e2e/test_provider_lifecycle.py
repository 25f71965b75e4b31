"""Browser flows of a provider's life: booking tests in test mode (#15), and onboarding by the office
through to production (#16).

(b) A provider in test status books through the signed link of "Tests de réservation": the file is
flagged test, absent from the dashboard and the Excel export, and the planning shows it as a test.

#16: staff create a provider, the invitation link sets the password, the owner completes the
checklist and asks for production, staff approve, the lodging appears on the marketplace.

Every new page is checked with axe-core at 1366 px and 375 px.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from comptes.models import Membership, OutgoingMail, Provider
from comptes.scoping import provider_scope, scopes_disabled
from reservations.models import Booking
from tests import factories
from tests.e2e.conftest import day
from tests.e2e.test_public_booking import accessible

ARRIVAL = day(21)  # Saturday 6 July 2030


@pytest.fixture
def tester(transactional_db):
    office = factories.make_office(slug="ariege")
    provider = factories.make_seller(
        office, number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie"
    )
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.TEST)
        provider.refresh_from_db()
    lodging = factories.make_priced_lodging(provider)
    real = factories.make_file(lodging, ARRIVAL + timedelta(days=14), last_name="Réel")
    return office, provider, lodging, real


def test_a_provider_in_test_books_through_its_test_link(page, live_server, tester, signed_in):
    office, provider, lodging, real = tester
    # Without the link, the public gets a 404.
    response = page.goto(f"{live_server.url}/fr/site/{provider.number}/")
    assert response.status == 404

    signed_in(provider.email)
    page.goto(f"{live_server.url}/tests-de-reservation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tests de réservation")
    accessible(page, "booking tests page")
    page.get_by_label("Date d’arrivée").fill(ARRIVAL.isoformat())
    page.get_by_label("Durée").select_option("7")
    page.get_by_role("button", name="Rechercher").click()

    # The test site: a visible banner, the lodging, the journey.
    expect(page.get_by_test_id("test-banner")).to_be_visible()
    accessible(page, "test site")
    page.get_by_role("link", name="Petit coin de paradis").first.click()
    expect(page.get_by_test_id("test-banner")).to_be_visible()
    page.get_by_role("button", name="Réserver").click()
    page.get_by_label(re.compile(r"^Adulte")).fill("2")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Continuer").click()
    for label, value in (
        ("Nom", "Essai"),
        ("Prénom", "Claire"),
        ("Adresse", "3 rue des Lilas"),
        ("Code postal", "31000"),
        ("Ville", "Toulouse"),
        ("Téléphone", "06 12 34 56 78"),
        ("E-mail", "claire@example.com"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_test_id("test-banner")).to_be_visible()
    page.get_by_label("J'ai lu et j'accepte les conditions générales de vente").check()
    page.get_by_role("button", name="Envoyer ma pré-réservation").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("T-1")

    with scopes_disabled():
        booking = Booking.objects.get(is_test=True)
        mails = list(OutgoingMail.objects.filter(object_id=booking.pk))
    assert booking.display_number == "T-1" and real.number == 1
    assert mails and all(mail.to == [provider.email] and mail.subject.startswith("[TEST]") for mail in mails)

    # The file page and the planning say it is a test.
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")
    expect(page.get_by_test_id("booking-test")).to_be_visible()
    page.goto(f"{live_server.url}/planning/?debut={ARRIVAL.isoformat()}")
    block = page.locator(".pl-block.tone-test", has_text="n°T-1")
    expect(block).to_be_visible()
    expect(block).to_contain_text("TEST")

    # Absent from the dashboard and from the export.
    page.goto(f"{live_server.url}/tableau-de-bord/")
    expect(page.locator("main")).not_to_contain_text(re.compile("essai", re.IGNORECASE))
    expect(page.locator("main")).not_to_contain_text("T-1")
    page.goto(f"{live_server.url}/dossiers/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [number for number in numbers if isinstance(number, int)] == [1]  # no T-1 (a footer follows)

    # "Supprimer tous les dossiers de test".
    page.goto(f"{live_server.url}/tests-de-reservation/")
    page.get_by_role("link", name="Supprimer tous les dossiers de test").click()
    page.get_by_role("button", name="Supprimer tous les dossiers de test").click()
    expect(page.locator("main")).to_contain_text("1 dossier de test supprimé")
    with scopes_disabled():
        assert list(Booking.objects.values_list("number", "is_test")) == [(1, False)]


def test_staff_onboard_a_provider_who_goes_into_production(
    page, live_server, new_context, signed_in, transactional_db
):
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    with scopes_disabled():
        office.email = "referent@ariege.example"
        office.save()
    staff = factories.make_user("agent@ariege.example")
    with scopes_disabled():
        Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)

    # Staff create the provider.
    signed_in(staff.email)
    page.goto(f"{live_server.url}/office/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prestataires de Ariège Pyrénées Tourisme")
    accessible(page, "staff providers list")
    page.get_by_role("link", name="Créer un prestataire").first.click()
    accessible(page, "create a provider")
    page.get_by_label("Nom de l’établissement", exact=True).fill("Le Moulin de Foix")
    page.get_by_label("Nom du contact", exact=True).fill("Durand")
    page.get_by_label("E-mail du propriétaire").fill("paul.durand@example.com")
    page.get_by_role("button", name="Créer le compte et envoyer l’invitation").click()
    expect(page.get_by_test_id("provider-status")).to_have_text("Test")

    with scopes_disabled():
        provider = Provider.objects.get(company="Le Moulin de Foix")
        mail = OutgoingMail.objects.get(kind="account.invitation")
    link = re.search(r"(/invitation/[^\s]+/)", mail.body_text).group(1)

    # The owner, in their own browser: the link sets the password and opens the wizard.
    owner = new_context(viewport={"width": 1280, "height": 900}).new_page()
    owner.goto(f"{live_server.url}{link}")
    accessible(owner, "invitation")
    owner.get_by_label("Nouveau mot de passe", exact=True).fill("Moulin-de-Foix-2030")
    owner.get_by_label("Confirmation du nouveau mot de passe").fill("Moulin-de-Foix-2030")
    owner.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(owner).to_have_url(re.compile(r"/premiere-connexion/$"))
    for label, value in (("Adresse", "2 chemin du Moulin"), ("Code postal", "09000"), ("Ville", "Foix")):
        owner.get_by_label(label, exact=True).fill(value)
    owner.get_by_label("Téléphone 1").fill("05 61 11 22 33")
    owner.get_by_role("button", name="Suivant : hébergement").click()
    owner.get_by_label("Nom de l’hébergement").fill("Le Moulin")
    owner.get_by_test_id("commune-search").fill("09000")
    owner.locator("#id_commune").select_option(label="Foix (09000)")
    owner.get_by_label("Nombre de personnes maxi.").fill("4")
    owner.get_by_label("Description").fill("Un moulin au bord de l’Ariège.")
    owner.get_by_role("button", name="Valider mon hébergement").click()
    expect(owner).to_have_url(re.compile(r"/tableau-de-bord/$"))

    # The rest of the checklist (a photo, prices, terms of sale, contract settings) through the
    # services the owner's pages call; the page then ticks every item.
    from comptes.services import contract_settings_update, sales_terms_update
    from hebergements.models import Lodging

    with scopes_disabled():
        lodging = Lodging.objects.get(provider=provider)
    factories.make_photos(lodging)
    factories.make_stay_prices(
        lodging, start=date(2030, 7, 1), end=date(2030, 8, 31), nights=7, price="420.00", weekdays=[5]
    )
    with provider_scope(provider):
        sales_terms_update(
            provider=provider, data={"online_booking": True, "terms_fr": "Conditions."}, rules=[]
        )
        contract_settings_update(provider=provider, deadlines={}, data={})
    owner.goto(f"{live_server.url}/tests-de-reservation/")
    expect(owner.locator(".checklist-item.is-done")).to_have_count(5)
    owner.get_by_role("button", name="Demander le passage en production").click()
    expect(owner.get_by_test_id("production-state")).to_contain_text("Demande envoyée le")
    with scopes_disabled():
        assert OutgoingMail.objects.get(kind="production.requested").to == ["referent@ariege.example"]

    # Staff approve from the queue.
    page.goto(f"{live_server.url}/office/mises-en-production/")
    accessible(page, "production queue")
    page.get_by_role("link", name="Décider").click()
    accessible(page, "decision")
    page.get_by_label("Accepter").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("main")).to_contain_text("est en production")

    # A guest finds the lodging on the marketplace.
    guest = new_context(viewport={"width": 1280, "height": 900}).new_page()
    guest.goto(f"{live_server.url}/fr/marche/ariege/")
    expect(guest.get_by_role("link", name="Le Moulin").first).to_be_visible()
