"""Mails about a booking file, through the project's outgoing mail (``comptes.mailing``).

* ``booking_document_mail_queue`` — "Envoyer par mail": the option proposal or the contract as a
  PDF attachment (texts of "Personnalisation des mails": option notification for a file in option,
  booking mail once confirmed).
* ``booking_internet_mail_queue`` — the automatic mail of an internet booking: the full file as a
  PDF or a notification only, as the owner chose.
* ``reminder_mail_queue`` — a deposit or balance reminder for the client.

Each mail goes to the client with the owner's copy address in hidden copy, is recorded on the
file's history, and is sent by Celery after the transaction commits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext as _

from comptes.mailing import Attachment, mail_queue, mail_render
from comptes.models import OutgoingMail, User
from comptes.selectors import LANGUAGES, mail_texts
from reservations.documents.content import (
    ContractDocument,
    contract_document,
    contract_filename,
    render_contract,
    render_pdf,
)
from reservations.models import Booking, BookingStatus, PaymentReminder


class Kind:
    OPTION = "booking.option"
    CONTRACT = "booking.contract"
    NOTIFICATION = "booking.notification"
    OWNER_NOTIFICATION = "booking.owner_notification"
    DEPOSIT_REMINDER = "booking.reminder.deposit"
    BALANCE_REMINDER = "booking.reminder.balance"


def document_language(booking: Booking, language: str | None = None) -> str:
    code = (language or booking.language or "fr")[:2].lower()
    return code if code in LANGUAGES else "fr"


def _client_address(booking: Booking) -> str:
    email = (booking.client.email or "").strip()
    if not email:
        raise ValidationError(
            _("The client of file no. %(number)s has no e-mail address: add one to the file first.")
            % {"number": booking.display_number}
        )
    return email


def _subject(subject: str, booking: Booking) -> str:
    return _("%(subject)s – file no. %(number)s") % {"subject": subject, "number": booking.display_number}


def _document_mail(
    *,
    booking: Booking,
    language: str,
    kind: str,
    subject: str,
    intro: str,
    user: User | None,
    attach_pdf: bool = True,
) -> OutgoingMail:
    to = _client_address(booking)
    provider = booking.provider
    texts = mail_texts(provider, language)
    with translation.override(language):
        document: ContractDocument = contract_document(booking=booking, language=language)
        attachments = []
        filename = ""
        if attach_pdf:
            filename = contract_filename(booking, language)
            attachments.append(Attachment(filename, render_pdf(render_contract(document))))
        subject = _subject(subject, booking)
        rendered = mail_render(
            "booking_document",
            {"intro": intro, "doc": document, "booking": booking, "attachment": filename},
            provider=provider,
            language=language,
            subject=subject,
        )
    return mail_queue(
        provider=provider,
        kind=kind,
        to=[to],
        bcc=[texts.copy_to] if texts.copy_to else [],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=language,
        related=booking,
        attachments=attachments,
        sender_name=document.settings.identity,
        user=user,
    )


def booking_document_mail_queue(
    *, booking: Booking, language: str | None = None, user: User | None = None
) -> OutgoingMail:
    """ "Envoyer par mail": the option proposal (file in option) or the contract, as a PDF."""
    language = document_language(booking, language)
    texts = mail_texts(booking.provider, language)
    if booking.status == BookingStatus.OPTION:
        kind, subject, intro = Kind.OPTION, texts.option_subject, texts.option_intro
    else:
        kind, subject, intro = Kind.CONTRACT, texts.booking_subject, texts.booking_intro
    return _document_mail(
        booking=booking, language=language, kind=kind, subject=subject, intro=intro, user=user
    )


def booking_internet_mail_queue(*, booking: Booking, language: str | None = None) -> OutgoingMail:
    """The automatic mail of an internet booking: "Un mail avec le dossier de réservation complet
    sous forme de PDF" or "Un mail de notification" (Personnalisation des mails)."""
    language = document_language(booking, language)
    texts = mail_texts(booking.provider, language)
    if texts.sends_full_pdf:
        kind = Kind.OPTION if booking.status == BookingStatus.OPTION else Kind.CONTRACT
        return _document_mail(
            booking=booking,
            language=language,
            kind=kind,
            subject=texts.booking_subject,
            intro=texts.booking_intro,
            user=None,
        )
    return _document_mail(
        booking=booking,
        language=language,
        kind=Kind.NOTIFICATION,
        subject=texts.booking_subject,
        intro=texts.booking_intro,
        user=None,
        attach_pdf=False,
    )


def booking_owner_mail_queue(*, booking: Booking) -> OutgoingMail:
    """The owner's mail of an internet pre-booking (to the account's address, with the copy
    address of "Personnalisation des mails"), in French."""
    provider = booking.provider
    texts = mail_texts(provider, "fr")
    with translation.override("fr"):
        document = contract_document(booking=booking, language="fr")
        rendered = mail_render(
            "booking_owner",
            {"doc": document, "booking": booking},
            provider=provider,
            language="fr",
            subject=_("New pre-booking online – file no. %(number)s") % {"number": booking.display_number},
            politeness="",
        )
    return mail_queue(
        provider=provider,
        kind=Kind.OWNER_NOTIFICATION,
        to=[provider.email],
        cc=[texts.copy_to] if texts.copy_to else [],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language="fr",
        related=booking,
        reply_to=booking.client.email or "",
    )


def reminder_mail_queue(*, reminder: PaymentReminder) -> OutgoingMail:
    """The client's copy of a deposit or balance reminder."""
    booking = reminder.booking
    provider = booking.provider
    language = document_language(booking)
    with translation.override(language):
        document = contract_document(booking=booking, language=language)
        deposit = reminder.kind == PaymentReminder.Kind.DEPOSIT
        subject = _("Payment reminder – file no. %(number)s") % {"number": booking.display_number}
        rendered = mail_render(
            "payment_reminder",
            {
                "doc": document,
                "booking": booking,
                "deposit": deposit,
                "arrhes": booking.deposit_kind == "arrhes",
                "amount": reminder.amount,
                "due_date": formats.date_format(reminder.due_date, "SHORT_DATE_FORMAT"),
            },
            provider=provider,
            language=language,
            subject=subject,
        )
    copy_to = mail_texts(provider, language).copy_to
    return mail_queue(
        provider=provider,
        kind=Kind.DEPOSIT_REMINDER if deposit else Kind.BALANCE_REMINDER,
        to=[_client_address(booking)],
        bcc=[copy_to] if copy_to else [],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=language,
        related=booking,
        sender_name=document.settings.identity,
    )
