"""Celery tasks of the booking files: the daily deposit and balance reminders.

Contract and option mails are sent by ``comptes.tasks.mail_send`` (queued by
``reservations.mails``). Tasks take primary keys only, load the provider with scopes disabled and
work inside its scope; the beat schedule is registered here (daily, 07:00 Europe/Paris).
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.db import OperationalError
from django.utils import timezone

from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from openpro.celery import app
from reservations import reminders

REMINDERS_SCHEDULE = crontab(hour=7, minute=0)


@shared_task(name="reservations.reminders_run")
def reminders_run() -> int:
    """Daily: one ``reminders_run_for_provider`` per provider having a late payment."""
    today = timezone.localdate()
    with scopes_disabled():
        provider_ids = reminders.provider_ids_with_late_payments(today)
    for provider_id in provider_ids:
        reminders_run_for_provider.delay(provider_id, today.isoformat())
    return len(provider_ids)


@shared_task(
    bind=True,
    name="reservations.reminders_run_for_provider",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def reminders_run_for_provider(self, provider_id: int, today: str | None = None) -> int:
    """Create the provider's new reminders (idempotent: one per file, kind and due date)."""
    from datetime import date

    with scopes_disabled():
        provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        return 0
    with provider_scope(provider):
        created = reminders.reminders_create(
            provider=provider, today=date.fromisoformat(today) if today else None
        )
    return len(created)


app.add_periodic_task(REMINDERS_SCHEDULE, reminders_run.s(), name="reservations.reminders_run")
