"""Celery tasks of the outgoing mail (``comptes.mailing``).

Tasks take primary keys only; provider tasks use ``comptes.scoping.ProviderTask`` (the provider is
loaded with scopes disabled and the task runs inside its scope). Periodic schedules are all
declared in ``openpro.settings.CELERY_BEAT_SCHEDULE``.
"""

from __future__ import annotations

from celery import shared_task

from comptes import mailing
from comptes.models import Provider
from comptes.scoping import ProviderTask, scopes_disabled


@shared_task(
    bind=True, base=ProviderTask, name="comptes.mail_send", max_retries=mailing.MAX_RETRIES, acks_late=True
)
def mail_send(self, provider: Provider, mail_id: int) -> str:
    """Deliver one queued mail. Idempotent: a mail that is no longer queued is left alone. While
    the SMTP server is unreachable the task retries itself with a growing delay (1, 2, 4 … min)."""
    delivery = mailing.mail_deliver(mail_id=mail_id, final=self.request.retries >= self.max_retries)
    if delivery.retry:
        raise self.retry(countdown=mailing.retry_delay(self.request.retries + 1), exc=delivery.error)
    return delivery.status


@shared_task(name="comptes.mail_send_stale")
def mail_send_stale() -> int:
    """Enqueue again the queued mails whose delivery should have happened (a lost broker message);
    ``mail_send`` is idempotent, so a duplicate is harmless."""
    with scopes_disabled():
        mails = list(mailing.mails_stale().values_list("provider_id", "pk")[:500])
    for provider_id, mail_id in mails:
        mail_send.delay(provider_id, mail_id)
    return len(mails)


@shared_task(bind=True, base=ProviderTask, name="comptes.export_run", acks_late=True)
def export_run(self, provider: Provider, job_id: int) -> str:
    """Prepare one export job (``comptes.exports.export_run``); idempotent."""
    from comptes import exports

    return exports.export_run(job_id=job_id)


@shared_task(name="comptes.exports_purge")
def exports_purge() -> int:
    """Hourly: delete the export jobs and files older than ``exports.EXPORT_RETENTION``."""
    from comptes import exports

    return exports.exports_purge()


@shared_task(name="comptes.exports_resume")
def exports_resume() -> int:
    """Every 10 minutes: enqueue again the export jobs whose message or worker was lost."""
    from comptes import exports

    stale = exports.exports_stale()
    for provider_id, job_id in stale:
        export_run.delay(provider_id, job_id)
    return len(stale)
