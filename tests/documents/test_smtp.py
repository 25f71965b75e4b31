"""Delivery through a real SMTP server on loopback (aiosmtpd): refused then accepted, unreachable,
rejected for good. The mail is retried, delivered once, and the file's history shows every try."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from comptes.audit import history
from comptes.mailing import MAX_RETRIES
from comptes.models import OutgoingMail
from comptes.scoping import provider_scope, scopes_disabled
from comptes.tasks import mail_dispatch, mail_send
from reservations.documents.mails import booking_document_mail_queue

pytestmark = pytest.mark.django_db


class FlakySMTP:
    """Answers "451 try again later" to the first ``refusals`` messages, then accepts; or refuses
    every message for good with ``permanent``."""

    def __init__(self, refusals: int = 0, permanent: bool = False):
        self.refusals = refusals
        self.permanent = permanent
        self.received: list = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.permanent:
            self.refused += 1
            return "554 5.7.1 Message rejected"
        if self.refusals:
            self.refusals -= 1
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        self.received.append(envelope)
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Point Django's SMTP backend at a loopback port; ``start(handler)`` runs a server there."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def send_contract(booking, django_capture_on_commit_callbacks, user=None) -> OutgoingMail:
    with provider_scope(booking.provider), django_capture_on_commit_callbacks(execute=True):
        mail = booking_document_mail_queue(booking=booking, language="fr", user=user)
    with scopes_disabled():
        return OutgoingMail.objects.get(pk=mail.pk)


def dispatch_when_due(times: int = 1) -> None:
    """Run the outbox's dispatcher (beat) ``times`` times, each once the next retry is due."""
    for _ in range(times):
        with scopes_disabled():
            due = OutgoingMail.objects.filter(status="queued").order_by("next_attempt_at").first()
        if due is None:
            return
        if due.next_attempt_at and due.next_attempt_at > timezone.now():
            with time_machine.travel(due.next_attempt_at + timedelta(seconds=1), tick=False):
                mail_dispatch.delay()
        else:
            mail_dispatch.delay()


def actions(booking) -> list[str]:
    with provider_scope(booking.provider):
        return [entry.action for entry in reversed(history(booking)) if entry.action.startswith("mail.")]


def test_smtp_refuses_then_accepts_the_mail_is_retried_and_delivered_once(
    smtp, example_booking, django_capture_on_commit_callbacks, owner
):
    server = smtp(FlakySMTP(refusals=1))

    mail = send_contract(example_booking, django_capture_on_commit_callbacks)
    # The first attempt was refused: the mail waits for its retry, a minute later.
    assert mail.status == OutgoingMail.Status.QUEUED and mail.attempt_count == 1
    with scopes_disabled():
        assert mail.next_attempt_at - mail.attempts.get().finished_at == timedelta(seconds=60)
    page = owner.get(reverse("reservations:booking_documents", kwargs={"booking_pk": example_booking.pk}))
    assert "prochaine tentative" in page.text or "next attempt" in page.text

    dispatch_when_due()
    with scopes_disabled():
        mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.SENT
    assert mail.attempt_count == 2
    assert server.refused == 1 and len(server.received) == 1
    delivered = message_from_bytes(server.received[0].original_content, policy=policy.default)
    assert delivered["Subject"] == "Votre réservation – dossier n°136"
    assert server.received[0].rcpt_tos == ["test@gmail.com"]
    assert [part.get_filename() for part in delivered.walk() if part.get_filename()] == ["contrat-136.pdf"]
    with scopes_disabled():
        attempts = list(mail.attempts.order_by("number"))
    assert [(a.number, a.succeeded) for a in attempts] == [(1, False), (2, True)]
    assert all(a.finished_at for a in attempts)
    assert attempts[0].error.startswith("SMTP 451")

    # The file's history shows both attempts.
    assert actions(example_booking) == ["mail.queued", "mail.attempt_failed", "mail.sent"]
    page = owner.get(reverse("reservations:booking_documents", kwargs={"booking_pk": example_booking.pk}))
    html = page.text
    assert "2 tentatives" in html
    assert "échec : SMTP 451" in html and "remis au serveur de mail" in html
    assert "Envoyé" in html

    # Idempotent: the task delivered to a sent mail does nothing.
    assert mail_send.delay(mail.provider_id, mail.pk).get() == OutgoingMail.Status.SENT
    assert len(server.received) == 1
    with scopes_disabled():
        assert mail.attempts.count() == 2


def test_smtp_unreachable_the_mail_fails_visibly_then_resend_delivers_it(
    smtp, example_booking, django_capture_on_commit_callbacks, owner, settings
):
    settings.MAIL_FIRST_RETRY_DELAY = 0  # every retry due at once (the history stays in order)
    mail = send_contract(example_booking, django_capture_on_commit_callbacks)  # nothing listens
    dispatch_when_due(MAX_RETRIES + 2)
    with scopes_disabled():
        mail.refresh_from_db()

    assert mail.status == OutgoingMail.Status.FAILED
    assert mail.attempt_count == MAX_RETRIES + 1
    assert "ConnectionRefusedError" in mail.last_error
    assert actions(example_booking)[-1] == "mail.failed"
    documents = reverse("reservations:booking_documents", kwargs={"booking_pk": example_booking.pk})
    html = owner.get(documents).text
    assert "Échec" in html and "Renvoyer" in html

    server = smtp(FlakySMTP())
    resend = reverse(
        "reservations:booking_mail_resend", kwargs={"booking_pk": example_booking.pk, "mail_pk": mail.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(resend)
    assert response.status_code == 302
    with scopes_disabled():
        mail.refresh_from_db()
        assert OutgoingMail.objects.count() == 1  # the same mail, not a copy
    assert mail.status == OutgoingMail.Status.SENT
    assert len(server.received) == 1
    assert actions(example_booking)[-2:] == ["mail.resent", "mail.sent"]


def test_a_mail_rejected_for_good_is_not_retried(smtp, example_booking, django_capture_on_commit_callbacks):
    server = smtp(FlakySMTP(permanent=True))

    mail = send_contract(example_booking, django_capture_on_commit_callbacks)

    assert mail.status == OutgoingMail.Status.FAILED
    assert mail.attempt_count == 1 and server.refused == 1
    assert mail.last_error.startswith("SMTP 554")
