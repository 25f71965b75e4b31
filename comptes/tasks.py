"""Celery tasks of the outgoing mail (``comptes.mailing``).

Tasks take primary keys only; provider tasks use ``comptes.scoping.ProviderTask`` (the provider is
loaded with scopes disabled and the task runs inside its scope). Periodic schedules are all
declared in ``openpro.settings.CELERY_BEAT_SCHEDULE``.
"""

from __future__ import annotations

from celery import shared_task

from comptes import mailing
from comptes.models import Provider
from comptes.scoping import ProviderTask


@shared_task(base=ProviderTask, name="comptes.mail_send", acks_late=True, soft_time_limit=120, time_limit=150)
def mail_send(provider: Provider, mail_id: int) -> str:
    """Deliver one queued mail now (prompted when it is queued). Idempotent: a mail that is sent,
    failed, held by another attempt or not due yet is left alone. Retries are not this task's: a
    transient failure plans the next attempt on the mail, and ``mail_dispatch`` makes it."""
    return mailing.mail_deliver(mail_id=mail_id).status


@shared_task(name="comptes.mail_dispatch", ignore_result=True, soft_time_limit=600, time_limit=660)
def mail_dispatch() -> int:
    """Beat, every minute: the outbox's due mails that no attempt holds are delivered."""
    return mailing.mails_dispatch()


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


@shared_task(name="comptes.staff_mail_send", autoretry_for=(OSError,), retry_backoff=60, max_retries=6)
def staff_mail_send(to: str, subject: str, text: str) -> None:
    """A mail to an office staff member (their invitation): they have no provider, hence no
    provider outbox; the task owns its retries."""
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
