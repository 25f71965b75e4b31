"""Template helpers of the documents and mails of a booking file."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from comptes.mailing import mails_for

register = template.Library()


@register.simple_tag
def booking_mails(booking, limit: int | None = None):
    """The mails of a file, newest first (``{% booking_mails booking 5 as mails %}``)."""
    mails = mails_for(booking)
    return list(mails[:limit] if limit else mails)


@register.simple_tag
def booking_file_url(booking) -> str:
    """The file page of ``booking`` once it exists (``reservations:booking_detail``), else ""."""
    try:
        return reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})
    except NoReverseMatch:
        return ""
