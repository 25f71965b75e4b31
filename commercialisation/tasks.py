"""Celery tasks of the iCal synchronisation.

Tasks take primary keys; provider tasks use ``comptes.scoping.ProviderTask`` (loaded with scopes
disabled, run inside the provider's scope). The services they call are idempotent (a retry or a
duplicate delivery changes nothing more). The beat schedule is in ``openpro.settings``."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from commercialisation import services
from commercialisation.models import IcalFeed
from comptes.models import Provider
from comptes.scoping import ProviderTask


@shared_task(
    bind=True,
    base=ProviderTask,
    max_retries=2,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=150,
    time_limit=180,
)
def ical_sync_feed(self, provider: Provider, feed_pk: int) -> dict | None:
    """Synchronise one feed; transient failures (timeouts, 5xx) are retried twice, then recorded."""
    final_attempt = bool(self.request.is_eager) or self.request.retries >= self.max_retries
    feed = IcalFeed.objects.filter(pk=feed_pk).select_related("lodging", "lodging__provider").first()
    if feed is None:  # unsubscribed meanwhile
        return None
    try:
        result = services.feed_sync(feed=feed, final_attempt=final_attempt)
    except (services.TransientSyncError, OperationalError) as error:
        if final_attempt:
            raise
        raise self.retry(exc=error, countdown=60 * (self.request.retries + 1)) from error
    return {"created": result.created, "updated": result.updated, "removed": result.removed}


@shared_task(ignore_result=True)
def ical_dispatch_due_feeds() -> int:
    """Beat, every minute: enqueue the feeds that are due (each at most every 30 minutes)."""
    return services.feeds_dispatch_due()
