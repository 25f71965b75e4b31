"""Édition pour le client: the page, "Envoyer par mail" with the PDF attached, the texts of
"Personnalisation des mails", the internet-booking mail, the file page's panel."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from comptes.models import MailSettings, OutgoingMail
from comptes.scoping import provider_scope, scopes_disabled
from reservations.documents.mails import booking_internet_mail_queue
from tests import factories
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.django_db


def documents_url(booking) -> str:
    return reverse("reservations:booking_documents", kwargs={"booking_pk": booking.pk})


def send_url(booking) -> str:
    return reverse("reservations:booking_send", kwargs={"booking_pk": booking.pk})


def set_mail_settings(provider, **fields):
    with scopes_disabled():
        MailSettings.objects.filter(provider=provider).update(**fields)


def test_the_edition_page_offers_language_download_and_mail(owner, example_provider, example_booking):
    set_mail_settings(example_provider, copy_to="copie@test.com")
    html = owner.get(documents_url(example_booking)).text
    for text in (
        "Édition pour le client",
        "Choisissez vos paramètres d’édition",
        "Langue",
        '<option value="fr" selected>Français</option>',
        "Anglais",
        "Télécharger en PDF",
        "Envoyer par mail",
        "Le mail part à test@gmail.com, avec une copie à copie@test.com.",
        "Le dossier est confirmé : le document est le contrat de réservation.",
        "Aucun mail envoyé pour ce dossier pour l’instant.",
    ):
        assert text in html, text


def test_send_by_mail_attaches_the_contract_and_uses_the_mail_texts(
    owner, example_provider, example_booking, django_capture_on_commit_callbacks
):
    set_mail_settings(
        example_provider,
        copy_to="copie@test.com",
        booking_intro_fr="Bonjour,\nMerci pour votre réservation au Petit coin de paradis.",
        booking_politeness_fr="Bien cordialement,\nMarie",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(send_url(example_booking), {"language": "fr"}, follow=True)
    assert "Le mail à test@gmail.com est enregistré et en cours d’envoi." in response.text

    (sent,) = django_mail.outbox
    assert sent.subject == "Votre réservation – dossier n°136"
    assert sent.to == ["test@gmail.com"] and sent.bcc == ["copie@test.com"]
    assert sent.from_email.startswith("Hébergements - Place de marché <")
    for text in (
        "Bonjour,\nMerci pour votre réservation au Petit coin de paradis.",
        "Contrat n°136",
        "Petit coin de paradis : du samedi 08 juin 2024 au samedi 15 juin 2024",
        "Total : 400,00\xa0€",
        "Acompte à verser avant le 16/05/2024 : 87,50\xa0€",
        "Solde à verser à votre arrivée : 312,50\xa0€",
        "Pièce jointe : contrat-136.pdf",
        "Bien cordialement,\nMarie\n\n-- \nDupont Marie\n"
        "2 Boulevard du sud - 09000 FOIX - France\nTél. : 0500000000",
    ):
        assert text in sent.body, text
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "Bien cordialement,<br>Marie" in html and "<h1" in html
    filename, content, pdf_mimetype = sent.attachments[0]
    assert (filename, pdf_mimetype) == ("contrat-136.pdf", "application/pdf")
    assert "Contrat n°136" in pdf_text(content)

    page = owner.get(documents_url(example_booking)).text
    assert "Votre réservation – dossier n°136" in page
    assert "À test@gmail.com, le " in page and "copie à copie@test.com" in page and "contrat-136.pdf" in page
    assert "Envoyé" in page


def test_an_option_is_sent_with_the_option_notification_texts_in_english(
    owner, example_provider, example_lodging, django_capture_on_commit_callbacks
):
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, status="option")
    set_mail_settings(example_provider, option_subject_en="Your proposal", option_intro_en="Dear guest,")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(send_url(booking), {"language": "en"})
    (sent,) = django_mail.outbox
    assert sent.subject == "Your proposal – file no. 136"
    assert sent.body.startswith("Dear guest,\n\nBooking proposal no. 136")
    assert "We look forward to welcoming you soon. Kind regards." in sent.body
    assert sent.attachments[0][0] == "booking-proposal-136.pdf"
    with scopes_disabled():
        assert OutgoingMail.objects.get().kind == "booking.option"


def test_a_client_without_e_mail_gets_a_clear_message_and_nothing_is_queued(
    owner, example_provider, example_lodging
):
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, client_email="")
    assert "disabled" in owner.get(documents_url(booking)).text
    response = owner.post(send_url(booking), {"language": "fr"}, follow=True)
    assert (
        "Le client du dossier n°136 n’a pas d’adresse e-mail : ajoutez-en une au dossier d’abord."
        in response.text
    )
    with scopes_disabled():
        assert not OutgoingMail.objects.exists()


def test_send_answers_get_with_the_edition_page(owner, example_booking):
    response = owner.get(send_url(example_booking))
    assert response.status_code == 302 and response["Location"] == documents_url(example_booking)


@pytest.mark.parametrize("choice", ["pdf", "notification"])
def test_internet_booking_mail_follows_the_owners_choice(
    choice, example_provider, example_booking, django_capture_on_commit_callbacks
):
    set_mail_settings(example_provider, internet_booking_mail=choice)
    with provider_scope(example_provider), django_capture_on_commit_callbacks(execute=True):
        booking_internet_mail_queue(booking=example_booking)
    (sent,) = django_mail.outbox
    assert sent.subject == "Votre réservation – dossier n°136"
    if choice == "pdf":
        assert sent.attachments[0][0] == "contrat-136.pdf"
    else:
        assert sent.attachments == []
        assert "Vos coordonnées\nMadame Dupont Marie\nAvenue de Paris\n75000 Paris" in sent.body
        assert "Mail : test@gmail.com" in sent.body


def test_the_file_page_panel_lists_the_mails_with_resend(
    example_provider, example_booking, django_capture_on_commit_callbacks
):
    with provider_scope(example_provider), django_capture_on_commit_callbacks(execute=True):
        from reservations.documents.mails import booking_document_mail_queue

        booking_document_mail_queue(booking=example_booking)
    request = RequestFactory().get("/dossiers/136/")
    request.user = factories.owner_of(example_provider)
    template = engines["django"].from_string('{% include "reservations/documents/booking_panel.html" %}')
    with provider_scope(example_provider):
        html = template.render({"booking": example_booking}, request)
    assert "Documents et mails" in html
    assert documents_url(example_booking) in html
    assert "Votre réservation – dossier n°136" in html
    assert 'name="next" value="/dossiers/136/"' in html


def test_the_mail_list_keeps_a_constant_number_of_queries(
    owner,
    example_provider,
    example_booking,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from comptes.mailing import Attachment, mail_queue

    def add_mails(count):
        with provider_scope(example_provider), django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                mail_queue(
                    provider=example_provider,
                    kind="test",
                    to=["test@gmail.com"],
                    subject="Test",
                    text="Test",
                    related=example_booking,
                    attachments=[Attachment("a.pdf", b"x")],
                )

    add_mails(1)
    with django_assert_max_num_queries(20) as small:
        owner.get(documents_url(example_booking))
    add_mails(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert owner.get(documents_url(example_booking)).text.count('class="mail-item') == 31


def test_while_a_mail_is_queued_the_list_refreshes_itself_through_htmx(
    owner, example_provider, example_booking, django_capture_on_commit_callbacks
):
    from comptes.mailing import mail_queue

    with provider_scope(example_provider), django_capture_on_commit_callbacks(execute=False):
        mail_queue(
            provider=example_provider,
            kind="test",
            to=["test@gmail.com"],
            subject="En attente",
            text="x",
            related=example_booking,
        )
    page = owner.get(documents_url(example_booking)).text
    assert 'hx-trigger="every 5s"' in page and "En cours d’envoi" in page

    partial = owner.get(documents_url(example_booking), {"part": "mails"}, HTTP_HX_REQUEST="true").text
    assert partial.lstrip().startswith('<div id="booking-mails"')
    assert "En attente" in partial and "<html" not in partial


def test_resend_only_reaches_a_mail_of_that_file_and_of_that_provider(
    client, owner, example_provider, example_lodging, example_booking, other_provider, settings, tmp_path
):
    from comptes.mailing import mail_queue

    with provider_scope(example_provider):
        mail = mail_queue(
            provider=example_provider,
            kind="test",
            to=["test@gmail.com"],
            subject="x",
            text="x",
            related=example_booking,
        )
    other_file = factories.make_example_booking(
        example_provider, lodging=factories.make_lodging(example_provider, name="Le chalet"), number=137
    )
    wrong_file = reverse(
        "reservations:booking_mail_resend", kwargs={"booking_pk": other_file.pk, "mail_pk": mail.pk}
    )
    assert owner.post(wrong_file).status_code == 404

    client.force_login(factories.owner_of(other_provider))
    url = reverse(
        "reservations:booking_mail_resend", kwargs={"booking_pk": example_booking.pk, "mail_pk": mail.pk}
    )
    assert client.post(url).status_code == 404
    with scopes_disabled():
        assert OutgoingMail.objects.count() == 1
