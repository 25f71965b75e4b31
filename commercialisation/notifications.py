"""Mails of the iCal synchronisation to the owner.

They are queued after the synchronisation's transaction commits, through the project's outgoing
mail (``comptes.mailing``): recorded, sent by Celery with retries, shown on the history of the
object they concern (the conflicting booking file, or the failing feed).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptes.mailing import mail_queue
from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled


def send_owner_mail(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    related: tuple[str, int],
    kind: str,
    language: str = "fr",
) -> bool:
    """Queue ``template``.txt (and .html) to the owner; ``related`` is ("app_label.model", pk)."""
    if not to:
        return False
    model = ContentType.objects.get_by_natural_key(*related[0].split(".")).model_class()
    with scopes_disabled():
        obj = model.objects.select_related("provider").filter(pk=related[1]).first()
    if obj is None:
        return False
    provider: Provider = obj.provider
    with provider_scope(provider), translation.override(language):
        context = {**context, "site_url": getattr(settings, "SITE_URL", "")}
        mail_queue(
            provider=provider,
            kind=kind,
            to=[to],
            subject=str(subject),
            text=render_to_string(f"{template}.txt", context),
            html=render_to_string(f"{template}.html", context),
            language=language,
            related=obj,
        )
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
        "booking_id": block.conflict_booking_id,
    }


def notify_conflict(*, to: str, booking_id: int, **context) -> bool:
    with translation.override("fr"):
        subject = _("Booking conflict on %(lodging)s: %(platform)s, %(arrival)s → %(departure)s") % {
            "lodging": context["lodging_name"],
            "platform": context["platform"],
            "arrival": context["arrival"].strftime("%d/%m/%Y"),
            "departure": context["departure"].strftime("%d/%m/%Y"),
        }
    return send_owner_mail(
        to=to,
        subject=subject,
        template="commercialisation/mail/conflict",
        context=context,
        related=("reservations.booking", booking_id),
        kind="ical_conflict",
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
        "feed_id": feed.pk,
    }


def notify_feed_failing(*, to: str, error_code: str, error_status, feed_id: int, **context) -> bool:
    from commercialisation.ical import feed_error_message

    with translation.override("fr"):
        context["error"] = feed_error_message(error_code, status=error_status or "?")
        subject = _("The calendar “%(feed)s” of %(lodging)s no longer synchronises") % {
            "feed": context["feed_name"],
            "lodging": context["lodging_name"],
        }
    return send_owner_mail(
        to=to,
        subject=subject,
        template="commercialisation/mail/feed_failing",
        context=context,
        related=("commercialisation.icalfeed", feed_id),
        kind="ical_feed_failing",
    )
