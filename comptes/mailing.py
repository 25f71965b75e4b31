"""Outgoing mail for the whole project: render, record, send, retry, resend.

* ``mail_render`` turns a pair of templates (``templates/mails/<name>.txt`` and ``.html``) into the
  plain-text and HTML bodies, with the provider's politeness formula and footer ("Personnalisation
  des mails").
* ``mail_queue`` records the mail (an ``OutgoingMail`` row, its attachments in the database): the
  table is the outbox. Once the transaction commits, a task is prompted to send it; if the broker
  is down that is only logged (the mail is saved, and the dispatcher will send it).
* ``mail_deliver`` (the Celery task ``comptes.tasks.mail_send``, or the dispatcher) sends a queued
  mail: it takes the mail's lease and records the attempt in one committed transaction *before* the
  SMTP conversation starts, then records the outcome. A transient failure plans the next attempt
  (1, 2, 4 … minutes); after the last one the mail is failed, on the file with "Renvoyer".
* ``mails_dispatch`` (beat, every minute) sends what is queued, due and not in flight: new mails
  whose task was lost, retries, and the mail of a worker that died mid-conversation (its lease
  expired; it keeps its Message-ID). A sent mail is never sent again; at worst a crash repeats the
  one message that was in flight, and the history shows that attempt.
* ``mail_resend`` is the "Renvoyer" button: a failed mail goes back to the queue; a sent one is
  copied into a new mail (the first stays in the history as it was).

Every step writes an audit entry on the object the mail concerns (a booking file…), so the
object's history says what was sent, to whom, when, and how it went.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.tasks import enqueue_on_commit
from comptes.audit import log_action
from comptes.models import OutgoingMail, OutgoingMailAttachment, OutgoingMailAttempt, Provider, User
from comptes.scoping import provider_scope, scopes_disabled
from comptes.selectors import mail_texts

logger = logging.getLogger(__name__)

#: Retries after the first attempt when the SMTP server cannot be reached (1, 2, 4 … 32 minutes:
#: about an hour in all); then the mail is marked failed and waits for "Renvoyer".
MAX_RETRIES = 6
MAX_RETRY_DELAY = 60 * 60
#: The error recorded on an attempt whose worker died during it.
INTERRUPTED = "Interrupted: the sending process stopped during this attempt."


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Delivery:
    """What one call of ``mail_deliver`` did: the mail's status, and whether to try again later."""

    status: str
    retry: bool = False
    error: BaseException | None = None


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, 4 … minutes, at most 1 h;
    ``MAIL_FIRST_RETRY_DELAY`` sets the first)."""
    return min(settings.MAIL_FIRST_RETRY_DELAY * 2 ** max(attempt - 1, 0), MAX_RETRY_DELAY)


# --- Rendering ----------------------------------------------------------------------------------


def _tidy_text(text: str) -> str:
    """Trailing spaces and runs of blank lines removed; the signature separator "-- " kept."""
    lines = [line.rstrip() if line.rstrip() != "--" else "-- " for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def mail_render(
    template: str,
    context: dict,
    *,
    provider: Provider,
    language: str,
    subject: str,
    politeness: str | None = None,
) -> RenderedMail:
    """Render ``mails/<template>.txt`` and ``.html`` in ``language`` with the provider's footer and
    politeness formula (owner texts are escaped in HTML, kept as typed in plain text)."""
    texts = mail_texts(provider, language)
    context = {
        **context,
        "provider": provider,
        "subject": subject,
        "footer": texts.footer,
        "politeness": texts.booking_politeness if politeness is None else politeness,
        "language": texts.language,
    }
    with translation.override(texts.language):
        text = render_to_string(f"mails/{template}.txt", context)
        html = render_to_string(f"mails/{template}.html", context)
    return RenderedMail(subject=" ".join(subject.split()), text=_tidy_text(text), html=html)


# --- Queue --------------------------------------------------------------------------------------


def _addresses(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        address = (value or "").strip()
        if address and address.lower() not in (item.lower() for item in seen):
            seen.append(address)
    return seen


def _sender(provider: Provider, display_name: str = "") -> str:
    """The project's sending address, shown with the owner's name (replies go to the owner)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = display_name or provider.company or provider.display_name
    if not name or not address:
        return settings.DEFAULT_FROM_EMAIL
    return str(Address(display_name=" ".join(name.split()), addr_spec=address))


def _log(mail: OutgoingMail, action: str, *, user=None, data: dict | None = None) -> None:
    """An audit entry on the object the mail concerns (its history), else on the mail itself."""
    target = mail.related_object() if mail.content_type_id else None
    payload = {"mail": mail.pk, "kind": mail.kind, "subject": mail.subject, "to": list(mail.to)}
    payload.update(data or {})
    log_action(target if target is not None else mail, action, user=user, data=payload)


def _enqueue(mail: OutgoingMail) -> None:
    """Prompt a worker once the transaction commits; a broker failure is only logged (the mail is
    in the outbox, the dispatcher sends it)."""
    from comptes.tasks import mail_send

    enqueue_on_commit(mail_send, mail.provider_id, mail.pk)


@transaction.atomic
def mail_queue(
    *,
    provider: Provider,
    kind: str,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str = "",
    language: str = "fr",
    related: models.Model | None = None,
    attachments: Sequence[Attachment] = (),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    reply_to: str | None = None,
    sender_name: str = "",
    user: User | None = None,
) -> OutgoingMail:
    """Record a mail and send it once the current transaction commits (Celery, with retries).

    A mail about a test object (a test file of "Tests de réservation": ``related.is_test``) goes to
    the owner's own address only, its subject marked as a test: a guest's address typed in a test
    never receives anything.
    """
    if getattr(related, "is_test", False):
        to, cc, bcc = [provider.email], (), ()
        subject = f"[{_('TEST')}] {subject}"
    recipients = _addresses(to)
    if not recipients:
        raise ValidationError({"to": [_("There is no e-mail address to send this mail to.")]})
    mail = OutgoingMail(
        provider=provider,
        kind=kind,
        language=language,
        from_email=_sender(provider, sender_name),
        reply_to=provider.email if reply_to is None else reply_to,
        to=recipients,
        cc=[address for address in _addresses(cc) if address not in recipients],
        bcc=[address for address in _addresses(bcc) if address not in recipients],
        subject=" ".join(subject.split())[:250],
        body_text=text,
        body_html=html,
        message_id=make_msgid(domain=parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or None),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if related is not None:
        mail.content_type = ContentType.objects.get_for_model(related, for_concrete_model=False)
        mail.object_id = related.pk
        mail.set_related_object(related)
    mail.full_clean()
    mail.save()
    OutgoingMailAttachment.objects.bulk_create(
        OutgoingMailAttachment(
            provider=provider,
            mail=mail,
            filename=attachment.filename,
            mimetype=attachment.mimetype,
            size=len(attachment.content),
            content=attachment.content,
        )
        for attachment in attachments
    )
    _log(
        mail,
        "mail.queued",
        user=user,
        data={"attachments": [attachment.filename for attachment in attachments]},
    )
    _enqueue(mail)
    return mail


# --- Delivery -----------------------------------------------------------------------------------


def is_transient(error: BaseException) -> bool:
    """A failure worth retrying: the server is unreachable or answers 4xx. A 5xx answer (address
    refused, message rejected) is final until someone fixes something and presses "Renvoyer"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    return isinstance(error, OSError)  # refused connection, timeout, disconnection (SMTPException too)


def describe_error(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        return f"SMTP {error.smtp_code}: {message}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def _message(mail: OutgoingMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=list(mail.to),
        cc=list(mail.cc),
        bcc=list(mail.bcc),
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers={"Message-ID": mail.message_id} if mail.message_id else None,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for attachment in mail.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def _mail_claim(mail_id: int) -> tuple[OutgoingMail, OutgoingMailAttempt] | Delivery:
    """Take the mail's lease and record the attempt, committed before anything is sent. A mail
    that another worker holds (row locked or lease running), that is not due yet or no longer
    queued is left alone."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=mail_id).first()
        if mail is None:
            exists = OutgoingMail.objects.filter(pk=mail_id).exists()
            return Delivery(status="in_flight" if exists else "missing")
        if mail.status != OutgoingMail.Status.QUEUED:
            return Delivery(status=mail.status)  # already sent (or failed): never twice
        now = timezone.now()
        if mail.in_flight_until is not None and mail.in_flight_until > now:
            return Delivery(status="in_flight")
        if mail.next_attempt_at is not None and mail.next_attempt_at > now:
            return Delivery(status="not_due")
        interrupted = list(
            OutgoingMailAttempt.objects.filter(mail=mail, finished_at__isnull=True).order_by("number")
        )
        for attempt in interrupted:  # its worker died during the conversation
            attempt.error = INTERRUPTED
            attempt.save(update_fields=["error"])
            _log(mail, "mail.attempt_interrupted", data={"attempt": attempt.number})
        mail.attempt_count += 1
        mail.in_flight_until = now + timedelta(seconds=settings.MAIL_LEASE_SECONDS)
        mail.save(update_fields=["attempt_count", "in_flight_until"])
        attempt = OutgoingMailAttempt.objects.create(
            provider_id=mail.provider_id, mail=mail, number=mail.attempt_count, attempted_at=now
        )
    return mail, attempt


def mail_deliver(*, mail_id: int) -> Delivery:
    """Send a queued mail that is due and not in flight, recording the attempt first; plan the next
    attempt after a transient failure, or mark the mail failed after the last one. Runs inside the
    provider's scope."""
    claimed = _mail_claim(mail_id)
    if isinstance(claimed, Delivery):
        return claimed
    mail, attempt = claimed
    try:
        _message(mail).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the attempt
        return _mail_record_failure(mail, attempt, error)
    with transaction.atomic():
        now = timezone.now()
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.SENT,
            sent_at=now,
            next_attempt_at=None,
            in_flight_until=None,
            last_error="",
        )
        attempt.finished_at, attempt.succeeded = now, True
        attempt.save(update_fields=["finished_at", "succeeded"])
        _log(mail, "mail.sent", data={"attempt": attempt.number})
    return Delivery(status=OutgoingMail.Status.SENT)


def _mail_record_failure(mail: OutgoingMail, attempt: OutgoingMailAttempt, error: BaseException) -> Delivery:
    transient = is_transient(error)
    final = not transient or attempt.number - mail.attempts_before_resend > MAX_RETRIES
    message = describe_error(error)
    now = timezone.now()
    with transaction.atomic():
        attempt.finished_at, attempt.error = now, message
        attempt.save(update_fields=["finished_at", "error"])
        if final:
            logger.warning("Mail %s failed for good: %s", mail.pk, message)
            OutgoingMail.objects.filter(pk=mail.pk).update(
                status=OutgoingMail.Status.FAILED,
                last_error=message,
                next_attempt_at=None,
                in_flight_until=None,
            )
            _log(mail, "mail.failed", data={"attempt": attempt.number, "error": message})
            return Delivery(status=OutgoingMail.Status.FAILED, error=error)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            last_error=message,
            next_attempt_at=now + timedelta(seconds=retry_delay(attempt.number)),
            in_flight_until=None,
        )
        _log(mail, "mail.attempt_failed", data={"attempt": attempt.number, "error": message})
    return Delivery(status=OutgoingMail.Status.QUEUED, retry=True, error=error)


@transaction.atomic
def mail_resend(*, mail: OutgoingMail, user: User | None = None) -> OutgoingMail:
    """ "Renvoyer": a failed mail goes back to the queue; a sent one is sent again as a new mail."""
    mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
    if mail.status == OutgoingMail.Status.QUEUED:
        raise ValidationError(_("This mail is already waiting to be sent."))
    if mail.status == OutgoingMail.Status.FAILED:
        mail.status = OutgoingMail.Status.QUEUED
        mail.next_attempt_at = None
        mail.in_flight_until = None
        mail.attempts_before_resend = mail.attempt_count
        mail.save(update_fields=["status", "next_attempt_at", "in_flight_until", "attempts_before_resend"])
        _log(mail, "mail.resent", user=user)
        _enqueue(mail)
        return mail
    attachments = [
        Attachment(item.filename, bytes(item.content), item.mimetype) for item in mail.attachments.all()
    ]
    return mail_queue(
        provider=mail.provider,
        kind=mail.kind,
        to=mail.to,
        cc=mail.cc,
        bcc=mail.bcc,
        reply_to=mail.reply_to,
        subject=mail.subject,
        text=mail.body_text,
        html=mail.body_html,
        language=mail.language,
        related=mail.related_object(),
        attachments=attachments,
        sender_name=parseaddr(mail.from_email)[0],
        user=user,
    )


def mails_due(now=None) -> QuerySet[OutgoingMail]:
    """The outbox's work: queued mails that are due (new, or their retry time has come) and that no
    attempt holds (no lease, or the lease of a dead worker has run out). Across providers when
    scopes are disabled."""
    now = now or timezone.now()
    return OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED).filter(
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now),
        models.Q(in_flight_until__isnull=True) | models.Q(in_flight_until__lte=now),
    )


def mails_dispatch(*, limit: int = 200) -> int:
    """The dispatcher (beat, every minute): deliver every mail that is due and not in flight, one
    after another (each under its own lease, so two dispatchers never send one mail twice).
    Returns how many were tried."""
    with scopes_disabled():
        due = list(mails_due().order_by("created_at", "pk").values_list("pk", "provider_id")[:limit])
        providers = Provider.objects.in_bulk({provider_id for _pk, provider_id in due})
    tried = 0
    for mail_id, provider_id in due:
        with provider_scope(providers[provider_id]):
            delivery = mail_deliver(mail_id=mail_id)
        tried += delivery.status not in ("in_flight", "not_due", "missing")
    return tried


# --- Read side ----------------------------------------------------------------------------------


def mails_for(obj: models.Model) -> QuerySet[OutgoingMail]:
    """The mails about ``obj``, newest first, with their attempts and attachment names (3 queries)."""
    return (
        OutgoingMail.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=obj.pk
        )
        .prefetch_related(
            "attempts",
            Prefetch("attachments", queryset=OutgoingMailAttachment.objects.defer("content")),
        )
        .order_by("-created_at", "-id")
    )
