"""Celery tasks of the outgoing mail (``comptes.mailing``).

Tasks take primary keys only, load the provider with scopes disabled and work inside its scope.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from comptes import mailing
from comptes.models import OutgoingMail, Provider
from comptes.scoping import provider_scope, scopes_disabled
from openpro.celery import app


def _provider_of(mail_id: int) -> Provider | None:
    with scopes_disabled():
        provider_id = OutgoingMail.objects.filter(pk=mail_id).values_list("provider_id", flat=True).first()
        return Provider.objects.filter(pk=provider_id).first() if provider_id else None


@shared_task(bind=True, name="comptes.mail_send", max_retries=mailing.MAX_RETRIES, acks_late=True)
def mail_send(self, mail_id: int) -> str:
    """Deliver one queued mail. Idempotent: a mail that is no longer queued is left alone. While
    the SMTP server is unreachable the task retries itself with a growing delay (1, 2, 4 … min)."""
    provider = _provider_of(mail_id)
    if provider is None:
        return "missing"
    with provider_scope(provider):
        delivery = mailing.mail_deliver(mail_id=mail_id, final=self.request.retries >= self.max_retries)
    if delivery.retry:
        raise self.retry(countdown=mailing.retry_delay(self.request.retries + 1), exc=delivery.error)
    return delivery.status


@shared_task(name="comptes.mail_send_stale")
def mail_send_stale() -> int:
    """Enqueue again the queued mails whose delivery should have happened (a lost broker message);
    ``mail_send`` is idempotent, so a duplicate is harmless."""
    with scopes_disabled():
        mail_ids = list(mailing.mails_stale().values_list("pk", flat=True)[:500])
    for mail_id in mail_ids:
        mail_send.delay(mail_id)
    return len(mail_ids)


app.add_periodic_task(crontab(minute="*/30"), mail_send_stale.s(), name="comptes.mail_send_stale")
