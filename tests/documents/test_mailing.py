"""The project's outgoing mail (comptes.mailing): recorded first, sent after commit, HTML + text,
attachments in the database, history on the object, resend, lost broker messages, beat schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comptes.audit import history
from comptes.mailing import Attachment, mail_queue, mail_render, mail_resend, mails_due, mails_for
from comptes.models import MailSettings, OutgoingMail, OutgoingMailAttachment
from comptes.scoping import provider_scope, scopes_disabled
from comptes.tasks import mail_dispatch

pytestmark = pytest.mark.django_db


def queue(booking, **overrides) -> OutgoingMail:
    fields = {
        "provider": booking.provider,
        "kind": "test",
        "to": ["test@gmail.com"],
        "subject": "Votre réservation",
        "text": "Bonjour,\nVoici votre contrat.",
        "html": "<p>Bonjour,<br>Voici votre contrat.</p>",
        "related": booking,
        "attachments": [Attachment("contrat-136.pdf", b"%PDF-1.7 test")],
    }
    fields.update(overrides)
    with provider_scope(booking.provider):
        return mail_queue(**fields)


def test_a_mail_is_recorded_then_sent_after_commit_with_html_text_and_attachment(
    example_booking, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "Open Pro <no-reply@openpro.example>"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail = queue(example_booking, bcc=["copie@test.com", "test@gmail.com"])
        assert mail.status == OutgoingMail.Status.QUEUED and not django_mail.outbox
    assert len(callbacks) == 1
    callbacks[0]()

    with scopes_disabled():
        mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.SENT and mail.sent_at is not None
    assert mail.bcc == ["copie@test.com"]  # the recipient is not copied to themselves
    (sent,) = django_mail.outbox
    assert sent.to == ["test@gmail.com"] and sent.bcc == ["copie@test.com"]
    assert sent.reply_to == ["dupont.marie@test.com"]
    assert sent.from_email == "Dupont Marie <no-reply@openpro.example>"
    assert sent.body == "Bonjour,\nVoici votre contrat."
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "contrat-136.pdf" and sent.attachments[0][1] == b"%PDF-1.7 test"
    assert sent.extra_headers["Message-ID"] == mail.message_id
    with provider_scope(example_booking.provider):
        mail_entries = [entry for entry in history(example_booking) if entry.action.startswith("mail.")]
        assert [entry.action for entry in mail_entries] == ["mail.sent", "mail.queued"]
        assert mail_entries[1].data["to"] == ["test@gmail.com"]


def test_nothing_is_sent_nor_kept_when_the_transaction_rolls_back(
    example_booking, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(example_booking)
        raise RuntimeError("the booking could not be saved")
    assert callbacks == [] and not django_mail.outbox
    with scopes_disabled():
        assert not OutgoingMail.objects.exists()


def test_attachments_live_in_the_database_not_under_media_root(
    example_booking, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "public-media"
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue(example_booking)
    with scopes_disabled():
        stored = OutgoingMailAttachment.objects.get(mail=mail)
    assert bytes(stored.content) == b"%PDF-1.7 test" and stored.size == 13
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_a_mail_needs_a_valid_recipient(example_booking):
    with pytest.raises(ValidationError) as error:
        queue(example_booking, to=["", "  "])
    assert "to" in error.value.message_dict
    with pytest.raises(ValidationError):
        queue(example_booking, to=["not an address"])
    with scopes_disabled():
        assert not OutgoingMail.objects.exists()


def test_resend_a_sent_mail_makes_a_copy_and_a_queued_one_is_refused(
    example_booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(example_booking)
    with provider_scope(example_booking.provider), django_capture_on_commit_callbacks(execute=True):
        copy = mail_resend(mail=first)
    assert copy.pk != first.pk
    assert len(django_mail.outbox) == 2
    assert django_mail.outbox[1].attachments[0][1] == b"%PDF-1.7 test"
    with provider_scope(example_booking.provider):
        assert [item.pk for item in mails_for(example_booking)] == [copy.pk, first.pk]

    with django_capture_on_commit_callbacks(execute=False):
        waiting = queue(example_booking)
    with provider_scope(example_booking.provider), pytest.raises(ValidationError):
        mail_resend(mail=waiting)


def test_a_queued_mail_whose_task_was_lost_is_sent_by_the_dispatcher(
    example_booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = queue(example_booking)  # its on_commit task never ran (a lost broker message)
        later = queue(example_booking)
    with scopes_disabled():
        OutgoingMail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=2))
        held = queue(example_booking)
        OutgoingMail.objects.filter(pk=held.pk).update(in_flight_until=timezone.now() + timedelta(minutes=2))
        assert list(mails_due()) == [lost]

    assert mail_dispatch.delay().get() == 1
    with scopes_disabled():
        assert OutgoingMail.objects.get(pk=lost.pk).status == OutgoingMail.Status.SENT
        assert OutgoingMail.objects.get(pk=later.pk).status == OutgoingMail.Status.QUEUED
        assert OutgoingMail.objects.get(pk=held.pk).status == OutgoingMail.Status.QUEUED
    assert len(django_mail.outbox) == 1

    # A second run finds nothing: a sent mail is never sent again.
    assert mail_dispatch.delay().get() == 0
    assert len(django_mail.outbox) == 1


def test_mail_render_adds_the_provider_politeness_and_footer_and_escapes_html(example_provider):
    with scopes_disabled():
        MailSettings.objects.filter(provider=example_provider).update(
            booking_politeness_fr="À bientôt <b>chez nous</b>",
            footer="custom",
            footer_custom="Gîte Dupont\nhttps://gite.example",
        )
    with provider_scope(example_provider):
        rendered = mail_render(
            "booking_document",
            {"intro": "Bonjour <Marie>", "doc": None, "attachment": ""},
            provider=example_provider,
            language="fr",
            subject="  Votre\nréservation ",
        )
    assert rendered.subject == "Votre réservation"
    assert rendered.text.startswith("Bonjour <Marie>\n")
    assert "À bientôt <b>chez nous</b>\n\n-- \nGîte Dupont\nhttps://gite.example\n" in rendered.text
    assert "Bonjour &lt;Marie&gt;" in rendered.html
    assert "À bientôt &lt;b&gt;chez nous&lt;/b&gt;" in rendered.html
    assert '<a href="https://gite.example"' in rendered.html


def test_the_beat_schedule_holds_the_daily_reminders_and_the_mail_dispatcher():
    import comptes.tasks  # noqa: F401
    import reservations.tasks  # noqa: F401
    from openpro.celery import app

    schedule = app.conf.beat_schedule
    reminders = schedule["reservations.reminders_run"]
    assert reminders["task"] == "reservations.reminders_run"
    assert reminders["schedule"].hour == {7} and reminders["schedule"].minute == {0}
    assert schedule["comptes.mail_dispatch"] == {"task": "comptes.mail_dispatch", "schedule": 60.0}
    assert "comptes.mail_send_stale" not in schedule  # the dispatcher replaced the 30-minute sweep


def test_another_providers_mails_are_out_of_reach(example_booking, other_provider):
    mail = queue(example_booking)
    with provider_scope(other_provider):
        assert not OutgoingMail.objects.filter(pk=mail.pk).exists()
