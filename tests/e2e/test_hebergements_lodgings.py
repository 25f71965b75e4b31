"""Browser flows of HÉBERGEMENT: add a lodging with photos and characteristics; add a supplement."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptes.scoping import provider_scope
from hebergements.models import Lodging, Supplement
from tests.factories import image_bytes, make_lodging, make_provider


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_add_a_lodging_with_two_photos_and_three_characteristics(
    page, live_server, signed_in, transactional_db, media_root, tmp_path
):
    provider = make_provider(number=92750, email="dupont.marie@test.com")
    facade, salon = tmp_path / "facade.jpg", tmp_path / "salon.png"
    facade.write_bytes(image_bytes("JPEG", (1200, 900)))
    salon.write_bytes(image_bytes("PNG", (900, 1200)))
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.locator("#sidebar").get_by_role("link", name="Accès aux hébergements").click()
    expect(page.get_by_role("heading", name="Liste des hébergements")).to_be_visible()
    page.get_by_role("link", name="+ Ajouter un hébergement").click()

    page.get_by_label("Nom de l’hébergement").fill("Petit coin de paradis")
    page.get_by_label("Type d’hébergement").select_option(label="Gîte")
    page.get_by_label("Classement").select_option(label="3 étoiles")
    page.get_by_label("Adresse", exact=True).fill("Boulevard du sud")
    page.get_by_test_id("commune-search").fill("09000")
    expect(page.locator("#id_commune option", has_text="Foix (09000)")).to_have_count(1)
    page.locator("#id_commune").select_option(label="Foix (09000)")
    page.get_by_label("Latitude").fill("42,9653")
    page.get_by_label("Longitude").fill("1,6069")
    page.get_by_label("Nombre de personnes mini.").fill("1")
    page.get_by_label("Nombre de personnes maxi.").fill("4")
    page.get_by_label("Surface (m²)").fill("70")
    page.get_by_label("Dépôt de garantie (€)").fill("300,00")
    page.get_by_label("Description (français)").fill("Maison au calme, vue sur le château.")
    for name in ("Salle de bain", "Internet sans fil", "Parking"):
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Photos").set_input_files([facade, salon])
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("L’hébergement « Petit coin de paradis » est créé.")).to_be_visible()
    expect(page.get_by_text("OSMB-92750-1")).to_be_visible()
    expect(page.get_by_test_id("photo")).to_have_count(2)
    expect(page.get_by_text("Photo principale", exact=True).first).to_be_visible()

    page.locator("#sidebar").get_by_role("link", name="Accès aux hébergements").click()
    card = page.get_by_test_id("lodging-1")
    expect(card.get_by_role("heading", name="Petit coin de paradis")).to_be_visible()
    expect(card.get_by_text("Réf : OSMB-92750-1")).to_be_visible()
    expect(card.get_by_text("Capacité : de 1 à 4 personnes")).to_be_visible()
    expect(card.locator("img")).to_have_attribute("width", "480")

    with provider_scope(provider):
        lodging = Lodging.objects.get()
        assert lodging.photos.count() == 2
        assert sorted(c.name_fr for c in lodging.characteristics.all()) == [
            "Internet sans fil",
            "Parking",
            "Salle de bain",
        ]
        assert lodging.security_deposit == Decimal("300.00")

    # The sheet shows the equipment by family; the list holds on a phone screen.
    card.get_by_role("link", name="Fiche descriptive").click()
    expect(page.get_by_role("heading", name="Équipements intérieurs")).to_be_visible()
    expect(page.get_by_role("heading", name="Services")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/hebergements/")
    expect(card.get_by_text("Capacité : de 1 à 4 personnes")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_add_a_mandatory_cleaning_supplement_of_50_euros(page, live_server, signed_in, transactional_db):
    provider = make_provider(number=92750, email="dupont.marie@test.com")
    lodging = make_lodging(provider)
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.locator("#sidebar").get_by_role("link", name="Suppléments").click()
    page.get_by_role("link", name="+ Ajouter un supplément obligatoire").click()
    expect(page.get_by_label("Obligatoire")).to_be_checked()
    page.get_by_label("Libellé", exact=True).fill("Frais de ménage")
    page.get_by_label("Prix du supplément (€)").fill("50,00")
    # A new supplement applies to no lodging until ticked (issue #17, "No silent traps").
    expect(page.get_by_label("Petit coin de paradis")).not_to_be_checked()
    page.get_by_label("Petit coin de paradis").check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Le supplément « Frais de ménage » est enregistré.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Frais de ménage")
    expect(row).to_contain_text("Obligatoire")
    expect(row).to_contain_text("50,00\xa0€")
    expect(row).to_contain_text("Petit coin de paradis")

    with provider_scope(provider):
        supplement = Supplement.objects.get()
        assert (supplement.label, supplement.price, supplement.mandatory) == (
            "Frais de ménage",
            Decimal("50.00"),
            True,
        )
        assert list(supplement.lodgings.all()) == [lodging]


def test_uploading_photos_never_discards_unsaved_edits(
    page, live_server, signed_in, transactional_db, media_root
):
    """Issue #17, "No silent traps": with the lodging's form changed and not saved, "Envoyer" of the
    photos does not leave the page: it says to save first; once saved, the photos go."""
    provider = make_provider(number=92750, email="dupont.marie@test.com")
    lodging = make_lodging(provider)
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/hebergements/{lodging.pk}/")
    page.get_by_label("Nom de l’hébergement").fill("Petit coin de paradis rénové")
    photo = {"name": "facade.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}
    page.locator("#photos").get_by_label("Ajouter des photos").set_input_files([photo])
    page.locator("#photos").get_by_role("button", name="Envoyer").click()
    expect(page.get_by_test_id("unsaved-warning")).to_be_visible()
    expect(page.get_by_label("Nom de l’hébergement")).to_have_value("Petit coin de paradis rénové")
    expect(page.get_by_test_id("photo")).to_have_count(0)

    page.locator("#lodging-form").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_label("Nom de l’hébergement")).to_have_value("Petit coin de paradis rénové")
    page.locator("#photos").get_by_label("Ajouter des photos").set_input_files([photo])
    page.locator("#photos").get_by_role("button", name="Envoyer").click()
    expect(page.get_by_test_id("photo")).to_have_count(1)
    with provider_scope(provider):
        assert Lodging.objects.get().name == "Petit coin de paradis rénové"
