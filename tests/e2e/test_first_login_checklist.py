"""Issue #17 item 5, from a brand-new owner to a bookable lodging: the first-connection wizard (with a
photo and characteristics), the dashboard's "étapes à suivre", the honest online status and its
links, the office's approval, then the planning's visibility window.

Every state is checked with axe-core at 1366 px and 375 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from commercialisation.production import pending_request, production_request_decide
from comptes.models import Membership, Provider
from comptes.scoping import scopes_disabled
from hebergements.models import Lodging
from tests import factories
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day

BOOKABLE = "Visible sur internet avec autorisation de réservation"


def test_a_new_owner_follows_the_steps_until_the_lodging_is_bookable(
    page, live_server, login, transactional_db
):
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    staff = factories.make_user("agent@ariege.example")
    with scopes_disabled():
        Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    provider = factories.make_provider(
        number=92750, email="dupont.marie@test.com", setup_complete=False, last_name="Dupont", office=office
    )

    # The wizard: contact details, then the lodging with a photo and characteristics.
    login("dupont.marie@test.com", factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))
    page.get_by_label("Prénom").fill("Marie")
    for label, value in (("Adresse", "Boulevard du sud"), ("Code postal", "09000"), ("Ville", "Foix")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Téléphone 1").fill("05 61 11 22 33")
    page.get_by_role("button", name="Suivant : hébergement").click()
    page.get_by_label("Nom de l’hébergement").fill("Petit coin de paradis")
    page.get_by_test_id("commune-search").fill("09000")
    page.locator("#id_commune").select_option(label="Foix (09000)")
    page.get_by_label("Nombre de personnes maxi.").fill("4")
    page.get_by_label("Description").fill("Maison au calme, vue sur le château.")
    page.locator("#id_photos").set_input_files(
        files=[{"name": "salon.jpg", "mimeType": "image/jpeg", "buffer": factories.image_bytes()}]
    )
    page.get_by_label("Douche", exact=True).check()
    page.get_by_label("Four", exact=True).check()
    accessible(page, "wizard lodging tab")
    page.get_by_role("button", name="Valider mon hébergement").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    with scopes_disabled():
        lodging = Lodging.objects.get(provider=provider)
        assert lodging.photos.count() == 1
        assert sorted(lodging.characteristics.values_list("code", flat=True)) == ["douche", "four"]

    # The empty dashboard: the manual's steps, ticked from the account's data.
    steps = page.get_by_test_id("setup-steps")
    expect(steps).to_be_visible()
    expect(steps.locator('[data-step="1"].is-done')).to_have_count(1)
    expect(steps.locator('[data-step="3"].is-done')).to_have_count(1)  # visible, description, photo
    expect(steps.locator(".is-missing")).to_have_count(4)
    accessible(page, "dashboard with the steps")

    # Step 2: sales terms (CGV, online booking), then the contracts.
    steps.get_by_role("link", name="Modalités de vente").click()
    page.get_by_label("Conditions générales de vente", exact=True).fill("CONDITIONS GÉNÉRALES DE LOCATION")
    page.get_by_label("Je souhaite que mes hébergements soient réservables en ligne").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos modalités de vente sont enregistrées.")).to_be_visible()
    page.locator("#sidebar").get_by_role("link", name="Tableau de bord").click()
    steps.get_by_role("link", name="Personnalisation des contrats").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre personnalisation des contrats est enregistrée.")).to_be_visible()

    # Step 3's page: the lodging says what is still missing, each point a link.
    page.locator("#sidebar").get_by_role("link", name="Tableau de bord").click()
    expect(steps.locator(".is-missing")).to_have_count(2)
    steps.get_by_role("link", name="Accès aux hébergements").click()
    status = page.get_by_test_id("online-status")
    expect(status).to_contain_text("Visible sur internet, pas encore réservable")
    expect(status.locator("[data-missing]")).to_have_count(2)
    accessible(page, "lodging list, not bookable yet")
    status.locator('[data-missing="prices"] a').click()

    # Step 4: prices for the coming weeks.
    expect(page.get_by_label("Hébergement", exact=True)).to_have_value(str(lodging.pk))
    page.locator("#id_periods-0-start").fill(day(7).isoformat())
    page.locator("#id_periods-0-end").fill(day(60).isoformat())
    page.get_by_label("Durée des séjours").select_option("7")
    page.get_by_label("Prix initial").fill("420,00")
    page.get_by_label("Tout sélectionner").check()
    page.get_by_role("button", name="Générer les tarifs").first.click()
    page.get_by_role("button", name=re.compile(r"^Confirmer la création des \d+ tarifs")).first.click()
    expect(page.get_by_text(re.compile(r"\d+ tarifs enregistrés"))).to_be_visible()

    # Step 5: only production is missing; the owner asks for it, the office approves.
    page.goto(f"{live_server.url}/hebergements/")
    expect(status.locator("[data-missing]")).to_have_count(1)
    status.locator('[data-missing="production"] a').click()
    page.get_by_role("button", name="Demander le passage en production").click()
    expect(page.get_by_test_id("production-state")).to_contain_text("Demande envoyée le")
    with scopes_disabled():
        production_request_decide(request=pending_request(provider), approve=True, user=staff)
        assert Provider.objects.get(pk=provider.pk).in_production

    page.goto(f"{live_server.url}/hebergements/")
    expect(status.locator(".online-status-label")).to_have_text(BOOKABLE)
    expect(status.locator("[data-missing]")).to_have_count(0)
    accessible(page, "lodging list, bookable")
    page.locator("#sidebar").get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_test_id("setup-steps")).to_have_count(0)

    # The planning: the status opens the visibility window; the change refreshes the status.
    page.locator("#sidebar").get_by_role("link", name="Planning", exact=True).click()
    planning_status = page.locator(f"#online-status-{lodging.pk}")
    planning_status.get_by_role("link", name=BOOKABLE).click()
    dialog = page.locator("#planning-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label(BOOKABLE)).to_be_checked()
    accessible(page, "visibility window")
    dialog.get_by_label("Non visible sur internet").check()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_text("La visibilité est enregistrée.")).to_be_visible()
    expect(planning_status.locator(".online-status-label")).to_have_text("Non visible sur internet")
    expect(planning_status).to_contain_text("L’hébergement n’est pas visible sur internet.")
    accessible(page, "visibility window after the change")
    dialog.get_by_label(BOOKABLE).check()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(planning_status.locator(".online-status-label")).to_have_text(BOOKABLE)
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()
    with scopes_disabled():
        assert Lodging.objects.get(pk=lodging.pk).visibility == Lodging.Visibility.VISIBLE

    # Without JavaScript's dialog, the same link is a page of its own.
    page.goto(f"{live_server.url}/hebergements/{lodging.pk}/visibilite/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Petit coin de paradis")
