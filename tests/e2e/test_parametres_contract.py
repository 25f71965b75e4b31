"""Browser flow: Personnalisation des contrats — change the politeness formula, see it saved."""

from playwright.sync_api import expect

from tests.factories import make_provider

NEW_POLITENESS = "Nous espérons vous accueillir bientôt et restons avec nos meilleures salutations."


def test_change_the_politeness_formula_and_see_it_after_reload(
    page, live_server, signed_in, transactional_db
):
    make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont", first_name="Marie")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.locator("#sidebar").get_by_role("link", name="Personnalisation des contrats").click()
    expect(page.get_by_role("heading", name="Personnalisation des contrats", level=1)).to_be_visible()
    politeness = page.get_by_label("Formule de politesse", exact=True)
    expect(politeness).to_have_value(
        "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations."
    )

    politeness.fill(NEW_POLITENESS)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre personnalisation des contrats est enregistrée.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Formule de politesse", exact=True)).to_have_value(NEW_POLITENESS)


def test_a_logo_that_is_not_an_image_shows_an_error_next_to_the_field(
    page, live_server, signed_in, transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/parametres/contrats/")
    page.get_by_label("Logo").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"not an image"}]
    )
    page.get_by_label("Formule de politesse", exact=True).fill("Changé")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_logo_error")).to_contain_text("Le logo doit être une image")
    page.goto(f"{live_server.url}/parametres/contrats/")
    expect(page.get_by_label("Formule de politesse", exact=True)).not_to_have_value("Changé")
    assert not any(path.is_file() for path in tmp_path.rglob("*"))
