"""The booking file for the client as a PDF: the manual's example contract n°136, the option
proposal, the French legal sentences, the description sheet and the terms of sale."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from comptes.models import ContractSettings, ProviderSettings
from comptes.scoping import provider_scope, scopes_disabled
from reservations.documents.content import DocumentError, contract_pdf, render_pdf
from reservations.models import Booking
from tests import factories
from tests.documents.conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TERMS = "DUREE DU SEJOUR\nLe client signataire du présent contrat conclu pour une durée déterminée ne pourra en aucune circonstance se prévaloir d’un quelconque droit au maintien dans les lieux à l’issue du séjour.\n"  # noqa: E501


def pdf_of(booking: Booking, language: str = "fr") -> bytes:
    with provider_scope(booking.provider):
        return contract_pdf(booking=Booking.objects.get(pk=booking.pk), language=language)


def update_contract(provider, **fields):
    with scopes_disabled():
        ContractSettings.objects.filter(provider=provider).update(**fields)


def update_terms(provider, **fields):
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=provider).update(**fields)


def update_booking(booking, **fields):
    with scopes_disabled():
        Booking.objects.filter(pk=booking.pk).update(**fields)


def test_the_manual_example_contract_says_what_the_manual_shows(example_booking):
    pdf = pdf_of(example_booking)
    text = pdf_text(pdf)
    for expected in (
        "Hébergements - Place de marché",
        "Dupont Marie 2 Boulevard du sud 09000 FOIX France Tél. : 0500000000",
        "Informations client : Tél. : 0600000000 Mail : test@gmail.com",
        "Contrat n°136",
        "Madame Dupont Marie Avenue de Paris 75000 Paris France",
        "FOIX, le ",
        "SÉJOUR DU SAMEDI 08 JUIN 2024 AU SAMEDI 15 JUIN 2024",
        "Petit coin de paradis - Type : Gîte",
        "350,00 €",
        "Suppléments Frais de ménage 50,00 €",
        "Total 400,00 €",
        "INFORMATION SUR VOTRE PAIEMENT",
        "Acompte à verser avant le 16/05/2024 87,50 €",
        "Solde à verser à votre arrivée 312,50 €",
        "Un dépôt de garantie d’un montant de 300,00 € vous sera demandé à votre arrivée.",
        "MODE DE PAIEMENT DE L’ACOMPTE",
        "Cochez la mention de votre choix",
        "Chèque bancaire ou postal",
        "Chèque vacances ANCV",
        "INFORMATIONS COMPLÉMENTAIRES",
        "Votre arrivée : entre 16h00 et 18h00.",
        "Votre départ : avant 10h00.",
        "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations.",
        "Je soussigné(e) (Nom)..... (Prénom)..... déclare être d’accord sur les termes de ce contrat",
        "article L214-1 du Code de la consommation",
        "L221-28 12°",
        "Page 1 / ",
    ):
        assert expected in text, expected
    assert "Proposition de réservation" not in text

    # One page as a picture, for a person to look at (test-artifacts/contract-136-page1.png).
    assert shutil.which("pdftoppm"), "poppler-utils is installed by scripts/sysdeps.sh"
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "contract-136.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(ARTIFACTS / "contract-136-page1"),
        ],
        check=True,
        timeout=60,
    )
    png = (ARTIFACTS / "contract-136-page1.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    reader = PdfReader(BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_the_fonts_are_embedded_and_the_text_is_selectable(example_booking):
    reader = PdfReader(BytesIO(pdf_of(example_booking)))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts.append(
                (
                    font["/BaseFont"],
                    any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")),
                )
            )
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("DejaVu" in name for name, _embedded in fonts)


def test_an_option_is_a_booking_proposal_to_return_signed(example_provider, example_lodging):
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, status="option")
    text = pdf_text(pdf_of(booking))
    assert "Proposition de réservation n°136" in text
    assert "Contrat n°" not in text
    assert (
        "Pour confirmer cette réservation, vous devez renvoyer avant le 16/05/2024 ce courrier dûment "
        "signé, accompagné de votre règlement de 87,50 €." in text
    )
    assert (
        "Passée cette date et sans réponse de votre part, cette proposition sera considérée "
        "comme non acceptée." in text
    )
    assert "déclare être d’accord sur les termes de cette proposition de location" in text


def test_without_signature_request_there_is_no_signature_block(example_provider, example_lodging):
    update_contract(example_provider, request_signature=False)
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, status="option")
    text = pdf_text(pdf_of(booking))
    assert "Je soussigné" not in text
    assert (
        "Pour confirmer cette réservation, merci de nous faire parvenir votre règlement de 87,50 € "
        "avant le 16/05/2024." in text
    )


def test_arrhes_get_their_own_words_and_legal_sentence(example_provider, example_lodging):
    booking = factories.make_example_booking(
        example_provider, lodging=example_lodging, status="option", deposit_kind="arrhes"
    )
    text = pdf_text(pdf_of(booking))
    assert "Arrhes à verser avant le 16/05/2024 87,50 €" in text
    assert "MODE DE PAIEMENT DES ARRHES" in text
    assert "les sommes versées d’avance sont des arrhes" in text.lower()
    assert "s’il renonce, le client les perd" in text
    assert "un acompte" not in text


def test_a_confirmed_file_with_its_deposit_shows_what_was_paid_and_what_is_left(
    example_provider, example_lodging
):
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, paid="87.50")
    update_contract(example_provider, confirmed_state_text_fr="Votre acompte est bien reçu.")
    text = pdf_text(pdf_of(booking))
    assert "Règlements reçus 87,50 €" in text
    assert "Solde à verser à votre arrivée 312,50 €" in text
    assert "MODE DE PAIEMENT DU SOLDE" in text
    assert "Acompte à verser" not in text
    assert "Votre acompte est bien reçu." in text


def test_a_file_paid_in_full_asks_for_nothing(example_provider, example_lodging):
    booking = factories.make_example_booking(
        example_provider, lodging=example_lodging, status="paid", paid="400.00"
    )
    update_contract(example_provider, paid_state_text_fr="Merci, votre séjour est réglé.")
    text = pdf_text(pdf_of(booking))
    assert "Séjour entièrement réglé 400,00 €" in text
    assert "MODE DE PAIEMENT" not in text
    assert "Merci, votre séjour est réglé." in text


def test_balance_before_arrival_uses_the_balance_due_date(example_provider, example_lodging):
    update_terms(example_provider, balance_rule="days_before", balance_days_before=30)
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, paid="87.50")
    from datetime import date

    update_booking(booking, balance_due_date=date(2024, 5, 9))
    assert "Solde à verser avant le 09/05/2024 312,50 €" in pdf_text(pdf_of(booking))


def test_the_registration_number_is_printed_when_the_lodging_has_one(example_provider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    registered = factories.make_lodging(example_provider, registration_number="0912200012345")
    booking = factories.make_example_booking(example_provider, lodging=registered)
    assert "Numéro d’enregistrement de « Petit coin de paradis » : 0912200012345" in pdf_text(pdf_of(booking))

    unregistered = factories.make_lodging(example_provider, name="Le chalet")
    other = factories.make_example_booking(example_provider, lodging=unregistered, number=137)
    assert "enregistrement" not in pdf_text(pdf_of(other))


def test_description_sheet_on_page_two_and_terms_on_page_three(example_provider, example_booking):
    update_terms(example_provider, terms_fr=TERMS)
    pdf = pdf_of(example_booking)
    assert pdf_pages(pdf) == 3
    reader = PdfReader(BytesIO(pdf))
    first, sheet, terms = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "détaillées dans la fiche descriptive (page 2)" in first
    assert "Fiche descriptive — Petit coin de paradis" in sheet and "Maison au calme." in sheet
    assert "Dépôt de garantie : 300,00 €" in sheet
    assert "Conditions générales de vente" in terms and "DUREE DU SEJOUR" in terms

    update_contract(example_provider, show_terms=False)
    assert pdf_pages(pdf_of(example_booking)) == 2


def test_photos_appear_only_when_the_owner_asks_for_them(example_provider, example_lodging, example_booking):
    factories.make_photos(example_lodging, 1)

    def images_on_sheet() -> int:
        return len(PdfReader(BytesIO(pdf_of(example_booking))).pages[1].images)

    assert images_on_sheet() == 0
    update_contract(example_provider, show_lodging_images=True)
    assert images_on_sheet() == 1


def test_the_logo_comes_from_the_project_storage(example_provider, example_booking):
    from django.core.files.base import ContentFile

    with scopes_disabled():
        contract = ContractSettings.objects.get(provider=example_provider)
        contract.logo.save("logo.png", ContentFile(factories.image_bytes("PNG", (200, 80))), save=True)
    assert len(PdfReader(BytesIO(pdf_of(example_booking))).pages[0].images) == 1


def test_owner_texts_are_escaped(example_provider, example_booking):
    update_contract(
        example_provider, politeness_fr="<b>Merci</b> & à bientôt <img src='http://example.com/x.png'>"
    )
    text = pdf_text(pdf_of(example_booking))
    assert "<b>Merci</b> & à bientôt <img src='http://example.com/x.png'>" in text


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        CountingHandler.hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_network_and_file_urls_are_never_fetched(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.png"
    secret.write_bytes(factories.image_bytes("PNG", (10, 10)))
    try:
        url = f"http://127.0.0.1:{server.server_port}/logo.png"
        pdf = render_pdf(
            f'<p>x</p><img src="{url}"><img src="file://{secret}"><link rel="stylesheet" href="{url}.css">'
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert CountingHandler.hits == 0
    assert len(PdfReader(BytesIO(pdf)).pages[0].images) == 0

    from reservations.documents.content import _read_media

    for url in (
        "https://example.com/a.png",
        "file:///etc/passwd",
        "media:../secret.png",
        "media:/etc/passwd",
    ):
        with pytest.raises(DocumentError):
            _read_media(url)


def test_the_document_in_english(example_booking, example_provider):
    text = pdf_text(pdf_of(example_booking, "en"))
    for expected in (
        "Contract no. 136",
        "STAY FROM SATURDAY 08 JUNE 2024 TO SATURDAY 15 JUNE 2024",
        "€400.00",
        "Deposit to pay before 16/05/2024 €87.50",
        "Balance to pay on your arrival €312.50",
        "A security deposit of €300.00 will be asked of you on your arrival.",
        "Your arrival: between 16:00 and 18:00.",
        "We look forward to welcoming you soon. Kind regards.",
        "no right of withdrawal",
    ):
        assert expected in text, expected


def test_download_from_the_edition_page(owner, example_booking):
    from django.urls import reverse

    url = reverse("reservations:booking_contract_pdf", kwargs={"booking_pk": example_booking.pk})
    response = owner.get(url, {"language": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="contrat-136.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert "Contrat n°136" in pdf_text(response.content)

    english = owner.get(url, {"language": "en"})
    assert english["Content-Disposition"] == 'attachment; filename="contract-136.pdf"'
    assert "Contract no. 136" in pdf_text(english.content)
