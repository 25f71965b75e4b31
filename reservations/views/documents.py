"""Édition pour le client: download the option proposal / contract as a PDF, send it by mail,
follow the mails of the file ("Renvoyer" a failed one); "Mes relances" (payment reminders).

Thin views: ``reservations.documents`` (content, mails), ``reservations.services.reminders`` and
``comptes.mailing`` hold the rules.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.params import CHOICE, NEXT, next_param, query_params, text_param
from comptes.decorators import provider_required
from comptes.mailing import mail_resend, mails_for
from comptes.selectors import mail_texts
from reservations.documents.content import contract_filename, contract_pdf
from reservations.documents.mails import booking_document_mail_queue, document_language
from reservations.models import Booking, PaymentReminder
from reservations.services.reminders import reminder_counts, reminders_open

LANGUAGE_CHOICES = [("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))]


class EditionForm(forms.Form):
    """ "Choisissez vos paramètres d'édition": the document's language."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES)


def _booking(booking_pk: int) -> Booking:
    return get_object_or_404(Booking.objects.select_related("client", "provider"), pk=booking_pk)


def _language(booking: Booking, data) -> str:
    form = EditionForm(data)
    return form.cleaned_data["language"] if form.is_valid() else document_language(booking)


@provider_required
@require_GET
@query_params(part=CHOICE)
def booking_documents(request: HttpRequest, booking_pk: int) -> HttpResponse:
    booking = _booking(booking_pk)
    mails = list(mails_for(booking))
    template = "reservations/documents/booking_documents.html"
    if request.htmx and text_param(request, "part") == "mails":
        template += "#mails"
    return render(
        request,
        template,
        {
            "booking": booking,
            "form": EditionForm(initial={"language": document_language(booking)}),
            "mails": mails,
            "copy_to": mail_texts(booking.provider, document_language(booking)).copy_to,
            "waiting": any(mail.status == mail.Status.QUEUED for mail in mails),
        },
    )


@provider_required
@require_GET
def booking_contract_pdf(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Télécharger en PDF"."""
    booking = _booking(booking_pk)
    language = _language(booking, request.GET)
    response = HttpResponse(contract_pdf(booking=booking, language=language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contract_filename(booking, language)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@provider_required
@require_http_methods(["GET", "POST"])
def booking_send(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Envoyer par mail": to the client, hidden copy to the owner's copy address."""
    booking = _booking(booking_pk)
    if request.method == "POST":
        try:
            mail = booking_document_mail_queue(
                booking=booking, language=_language(booking, request.POST), user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The mail to %(to)s is recorded and being sent.") % {"to": ", ".join(mail.to)}
            )
    return redirect("reservations:booking_documents", booking_pk=booking.pk)


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(next=NEXT)
def booking_mail_resend(request: HttpRequest, booking_pk: int, mail_pk: int) -> HttpResponse:
    """ "Renvoyer": a failed mail goes back to the queue (a sent one is sent again as a copy)."""
    booking = _booking(booking_pk)
    mail = get_object_or_404(mails_for(booking), pk=mail_pk)
    if request.method == "POST":
        try:
            mail_resend(mail=mail, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The mail to %(to)s is being sent again.") % {"to": ", ".join(mail.to)}
            )
    return redirect(
        next_param(request, reverse("reservations:booking_documents", kwargs={"booking_pk": booking.pk}))
    )


@provider_required
@require_GET
@query_params(kind=CHOICE)
def reminder_list(request: HttpRequest) -> HttpResponse:
    """ "Mes relances": files waiting for their deposit or their balance past the due date."""
    kind = text_param(request, "kind")
    if kind not in PaymentReminder.Kind.values:
        kind = None
    return render(
        request,
        "reservations/documents/reminder_list.html",
        {
            "reminders": reminders_open(kind),
            "kind": kind,
            "counts": reminder_counts(),
            "kinds": PaymentReminder.Kind,
        },
    )
