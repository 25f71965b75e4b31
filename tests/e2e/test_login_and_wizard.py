"""Browser flows of the foundation: log in, first-connection wizard, wrong password, phone menu."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD, make_provider


def test_log_in_complete_the_wizard_and_land_on_the_dashboard(page, live_server, login, transactional_db):
    make_provider(number=92750, email="dupont.marie@test.com", setup_complete=False, last_name="Dupont")
    login("dupont.marie@test.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))

    page.get_by_label("Nom", exact=True).fill("Dupont")
    page.get_by_label("Prénom").fill("Marie")
    page.get_by_role("button", name="Suivant : hébergement").click()

    # Missing required fields: the errors appear next to them.
    page.get_by_role("button", name="Valider mon hébergement").click()
    expect(page.locator("#id_name_error")).to_be_visible()

    page.get_by_label("Nom de l’hébergement").fill("Petit coin de paradis")
    page.get_by_test_id("commune-search").fill("09000")
    expect(page.locator("#id_commune option", has_text="Foix (09000)")).to_have_count(1)
    page.locator("#id_commune").select_option(label="Foix (09000)")
    page.get_by_label("Nombre de personnes maxi.").fill("4")
    page.get_by_label("Description").fill("Maison au calme, vue sur le château.")
    page.get_by_role("button", name="Valider mon hébergement").click()

    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(page.locator(".account-name")).to_have_text("Meublé - 92750")


def test_wrong_password_shows_the_error(page, live_server, login, transactional_db):
    make_provider(number=92750, email="dupont.marie@test.com")
    login("dupont.marie@test.com", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_text("le mot de passe sont incorrects", exact=False)).to_be_visible()


def test_phone_screen_menu_opens_and_collapse_is_remembered_on_desktop(
    page, live_server, signed_in, transactional_db
):
    make_provider(number=92750, email="dupont.marie@test.com")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.get_by_role("button", name="Réduire le menu").click()
    page.reload()
    expect(page.locator("body")).to_have_class(re.compile("menu-collapsed"))

    page.set_viewport_size({"width": 375, "height": 740})
    sidebar = page.locator("#sidebar")
    # The label alone: the entry is a link once the planning exists, a disabled span before.
    expect(sidebar.get_by_text("Planning", exact=True)).not_to_be_in_viewport()
    page.get_by_role("button", name="Menu").click()
    expect(sidebar.get_by_text("Accès aux hébergements")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
