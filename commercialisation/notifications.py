"""Mails of the iCal synchronisation to the owner.

All of them go through ``send_owner_mail``, one small function to swap for the project's mail
service when it exists. Mails are sent after the transaction commits; a mail server failure is
logged and never undoes a synchronisation.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def send_owner_mail(*, to: str, subject: str, template: str, context: dict, language: str = "fr") -> bool:
    """Send ``template``.txt (and .html) to the owner; False (logged) if the mail server fails."""
    if not to:
        return False
    with translation.override(language):
        context = {**context, "site_url": getattr(settings, "SITE_URL", "")}
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        message = EmailMultiAlternatives(subject=str(subject), body=text, to=[to])
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # noqa: BLE001 - a mail failure must not undo a synchronisation
        logger.exception("Mail %s to %s failed", template, to)
        return False
    return True


def conflict_data(block, lodging) -> dict:
    """Plain data of a conflict (``selectors.BlockView``), captured before the transaction ends."""
    return {
        "to": lodging.provider.email,
        "lodging_name": lodging.name,
        "lodging_reference": lodging.reference,
        "platform": block.platform_label,
        "feed_name": block.feed_name,
        "summary": block.summary,
        "arrival": block.arrival,
        "departure": block.departure,
        "booking_number": block.conflict_booking_number,
        "path": reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": lodging.pk}),
    }


def notify_conflict(*, to: str, **context) -> bool:
    with translation.override("fr"):
        subject = _("Booking conflict on %(lodging)s: %(platform)s, %(arrival)s → %(departure)s") % {
            "lodging": context["lodging_name"],
            "platform": context["platform"],
            "arrival": context["arrival"].strftime("%d/%m/%Y"),
            "departure": context["departure"].strftime("%d/%m/%Y"),
        }
    return send_owner_mail(
        to=to, subject=subject, template="commercialisation/mail/conflict", context=context
    )


def feed_failing_data(feed) -> dict:
    return {
        "to": feed.lodging.provider.email,
        "lodging_name": feed.lodging.name,
        "feed_name": feed.name,
        "url": feed.url,
        "error_code": feed.last_error_code,
        "error_status": feed.last_error_status,
        "failures": feed.consecutive_failures,
        "path": reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": feed.lodging_id}),
    }


def notify_feed_failing(*, to: str, error_code: str, error_status, **context) -> bool:
    from commercialisation.ical import feed_error_message

    with translation.override("fr"):
        context["error"] = feed_error_message(error_code, status=error_status or "?")
        subject = _("The calendar “%(feed)s” of %(lodging)s no longer synchronises") % {
            "feed": context["feed_name"],
            "lodging": context["lodging_name"],
        }
    return send_owner_mail(
        to=to, subject=subject, template="commercialisation/mail/feed_failing", context=context
    )
