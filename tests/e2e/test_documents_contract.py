"""Browser flows of "Édition pour le client": change the politeness formula, download the contract
of a file as a PDF and find the new text in it; send it by mail and see it in the file's mails."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail as django_mail
from playwright.sync_api import expect

from tests.documents.conftest import pdf_text
from tests.e2e.conftest import ARTIFACTS
from tests.factories import make_example_booking, make_example_provider, make_lodging

NEW_POLITENESS = "Nous espérons vous accueillir bientôt et restons avec nos meilleures salutations."


@pytest.fixture(autouse=True)
def celery_in_process():
    from openpro.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def booking(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    provider = make_example_provider()
    return make_example_booking(provider, lodging=make_lodging(provider, lodging_type="gite"))


def test_change_the_politeness_formula_and_find_it_in_the_downloaded_contract(
    page, live_server, signed_in, booking, tmp_path
):
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")

    page.locator("#sidebar").get_by_role("link", name="Personnalisation des contrats").click()
    page.get_by_label("Formule de politesse", exact=True).fill(NEW_POLITENESS)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre personnalisation des contrats est enregistrée.")).to_be_visible()

    page.goto(f"{live_server.url}/dossiers/{booking.pk}/")  # the file page
    page.locator("#booking-documents").get_by_role("link", name="Édition pour le client").click()
    expect(page.get_by_role("heading", name="Édition pour le client", level=1)).to_be_visible()
    page.get_by_label("Langue").select_option("fr")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger en PDF").click()
    download = download_info.value
    assert download.suggested_filename == "contrat-136.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    text = pdf_text(Path(target).read_bytes())
    assert NEW_POLITENESS in text
    assert "Dans l’attente de vous accueillir prochainement" not in text
    assert "Contrat n°136" in text and "SÉJOUR DU SAMEDI 08 JUIN 2024 AU SAMEDI 15 JUIN 2024" in text


def test_send_the_contract_by_mail_and_see_it_in_the_files_mails_on_a_phone(
    page, live_server, signed_in, booking
):
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/dossiers/{booking.pk}/edition/")
    expect(page.get_by_text("Aucun mail envoyé pour ce dossier pour l’instant.")).to_be_visible()

    send = page.get_by_role("button", name="Envoyer par mail")
    expect(send).to_be_in_viewport()
    send.click()

    expect(page.get_by_text("Le mail à test@gmail.com est enregistré et en cours d’envoi.")).to_be_visible()
    item = page.locator(".mail-item").first
    expect(item).to_contain_text("Votre réservation – dossier n°136")
    expect(item).to_contain_text("Envoyé")
    expect(item).to_contain_text("contrat-136.pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "documents-edition-phone.png"), full_page=True)
    (sent,) = django_mail.outbox
    assert sent.to == ["test@gmail.com"] and sent.attachments[0][0] == "contrat-136.pdf"
