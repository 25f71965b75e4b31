"""Internet pré-réservations left unpaid: an option booked online lives until its deposit is due
("Modalités de vente": deposit due N days after the option, or at once when the arrival is near).
Past that day with the deposit unpaid, the scheduled task cancels it — freeing the dates — and mails
the guest and the owner; or, when the owner chose so, leaves it to them in "Mes relances" (files
waiting for their deposit)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from comptes.mailing import mail_queue
from comptes.models import Provider, ProviderSettings
from comptes.selectors import mail_texts
from reservations.documents.mails import booking_internet_mail_queue, document_language
from reservations.models import Booking, BookingOrigin, BookingStatus
from reservations.services import AlreadyDone, booking_cancel, booking_confirm, booking_lock

ONLINE_ORIGINS = (BookingOrigin.INTERNET, BookingOrigin.WIDGET)


def expired_options(today: date) -> QuerySet[Booking]:
    """Online options whose deposit day has passed with the deposit not paid (the current scope)."""
    return Booking.objects.real().filter(
        status=BookingStatus.OPTION,
        origin__in=ONLINE_ORIGINS,
        deposit_due_date__lt=today,
        paid_amount__lt=F("deposit_amount"),
    )


def provider_ids_with_expired_options(today: date) -> list[int]:
    """Providers that cancel expired online options (call with scopes disabled)."""
    cancelling = ProviderSettings.objects.filter(
        expired_options=ProviderSettings.ExpiredOptions.CANCEL
    ).values("provider_id")
    return list(
        expired_options(today)
        .filter(provider_id__in=cancelling)
        .values_list("provider_id", flat=True)
        .distinct()
    )


def expired_options_cancel(*, provider: Provider, today: date) -> list[Booking]:
    """Cancel the provider's expired online options, each in its own transaction, with a mail to
    the guest and one to the owner. Idempotent: a file paid or confirmed meanwhile is left alone."""
    if provider.settings.expired_options != ProviderSettings.ExpiredOptions.CANCEL:
        return []
    cancelled = []
    for booking_id in expired_options(today).filter(provider=provider).values_list("pk", flat=True):
        with transaction.atomic():
            booking = booking_lock(Booking.objects.get(pk=booking_id))
            if not expired_options(today).filter(pk=booking.pk).exists():
                continue
            try:
                booking_cancel(booking=booking)
            except AlreadyDone:
                continue
            _mails(booking)
            cancelled.append(booking)
    return cancelled


def _mails(booking: Booking) -> None:
    provider = booking.provider
    language = document_language(booking)
    with translation.override(language):
        subject = _("Your pre-booking no. %(number)s is cancelled") % {"number": booking.number}
        text = _(
            "The deposit of your pre-booking no. %(number)s was not received in time: the pre-booking "
            "is cancelled and its dates are free again. Contact us to book again."
        ) % {"number": booking.number}
    _guest_mail(booking, kind="booking.option_expired", subject=subject, text=text)
    with translation.override("fr"):
        owner_subject = _("Pre-booking no. %(number)s cancelled: deposit not received") % {
            "number": booking.number
        }
        owner_text = _(
            "The deposit of the internet pre-booking no. %(number)s (%(client)s) was not received by its "
            "due date: the file is cancelled and its dates are free again on your planning."
        ) % {"number": booking.number, "client": booking.client.display_name}
    mail_queue(
        provider=provider,
        kind="booking.option_expired.owner",
        to=[provider.email],
        subject=owner_subject,
        text=owner_text,
        language="fr",
        related=booking,
        reply_to="",
    )


# --- the owner answers an online pré-réservation ---------------------------------------------------


def is_online_option(booking: Booking) -> bool:
    return booking.status == BookingStatus.OPTION and booking.origin in ONLINE_ORIGINS


@transaction.atomic
def online_option_accept(*, booking: Booking, user=None) -> Booking:
    """ "Accepter": the pré-réservation is confirmed and the guest gets the booking mail (the full
    file as a PDF or a notification, as "Personnalisation des mails" says)."""
    booking = booking_confirm(booking=booking, user=user)
    booking_internet_mail_queue(booking=booking)
    return booking


@transaction.atomic
def online_option_refuse(*, booking: Booking, reason: str, user=None) -> Booking:
    """ "Refuser": the pré-réservation is cancelled (its dates are free) and the guest is told why."""
    reason = " ".join(reason.split())[:1000]
    booking = booking_cancel(booking=booking, user=user)
    language = document_language(booking)
    with translation.override(language):
        subject = _("Your pre-booking no. %(number)s could not be accepted") % {"number": booking.number}
        text = _("We are sorry: your pre-booking no. %(number)s could not be accepted.") % {
            "number": booking.number
        }
        if reason:
            text += "\n\n" + reason
    _guest_mail(booking, kind="booking.option_refused", subject=subject, text=text, user=user)
    return booking


def _guest_mail(booking: Booking, *, kind: str, subject: str, text: str, user=None) -> None:
    """A plain mail to the file's guest in their language, with the owner's footer and copy
    address (none when the guest gave no e-mail)."""
    if not booking.client.email:
        return
    texts = mail_texts(booking.provider, document_language(booking))
    mail_queue(
        provider=booking.provider,
        kind=kind,
        to=[booking.client.email],
        bcc=[texts.copy_to] if texts.copy_to else [],
        subject=subject,
        text=f"{text}\n\n-- \n{texts.footer}",
        language=texts.language,
        related=booking,
        user=user,
    )
