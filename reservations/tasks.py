"""Celery tasks of the booking files: the daily deposit and balance reminders.

Contract and option mails are sent by ``comptes.tasks.mail_send`` (queued by
``reservations.documents.mails``). Provider tasks use ``comptes.scoping.ProviderTask``; the beat
schedule is in ``openpro.settings.CELERY_BEAT_SCHEDULE`` (daily, 07:00 Europe/Paris).
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from comptes.models import Provider
from comptes.scoping import ProviderTask, scopes_disabled
from reservations import options
from reservations.services import reminders


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
    base=ProviderTask,
    name="reservations.reminders_run_for_provider",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def reminders_run_for_provider(provider: Provider, today: str | None = None) -> int:
    """Create the provider's new reminders (idempotent: one per file, kind and due date)."""
    created = reminders.reminders_create(
        provider=provider, today=date.fromisoformat(today) if today else None
    )
    return len(created)


@shared_task(name="reservations.expired_options_run")
def expired_options_run() -> int:
    """Hourly: one ``expired_options_cancel_for_provider`` per provider with an expired online option."""
    today = timezone.localdate()
    with scopes_disabled():
        provider_ids = options.provider_ids_with_expired_options(today)
    for provider_id in provider_ids:
        expired_options_cancel_for_provider.delay(provider_id, today.isoformat())
    return len(provider_ids)


@shared_task(
    base=ProviderTask,
    name="reservations.expired_options_cancel_for_provider",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expired_options_cancel_for_provider(provider: Provider, today: str) -> int:
    return len(options.expired_options_cancel(provider=provider, today=date.fromisoformat(today)))
