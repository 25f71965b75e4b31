"""Deposit and balance reminders ("Mes relances"), run daily by Celery beat, with a frozen clock."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse

from comptes.audit import history
from comptes.models import MailSettings, OutgoingMail
from comptes.scoping import provider_scope, scopes_disabled
from reservations.models import Booking, PaymentReminder
from reservations.services.reminders import reminder_counts
from reservations.tasks import reminders_run
from tests import factories

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int = 7):
    """The clock frozen on ``day`` at ``hour`` (Paris), when beat runs the daily task."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS), tick=False)


def remind_clients(provider, on: bool = True):
    with scopes_disabled():
        MailSettings.objects.filter(provider=provider).update(remind_clients_by_mail=on)


def reminders(**filters) -> list[PaymentReminder]:
    with scopes_disabled():
        return list(PaymentReminder.objects.filter(**filters).order_by("id"))


def run_daily_task(times: int = 1, django_capture_on_commit_callbacks=None) -> None:
    for _ in range(times):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_run.delay()


@pytest.fixture
def option(example_provider, example_lodging):
    """File n°136 in option, deposit of 87,50 due on 16/05/2024."""
    return factories.make_example_booking(example_provider, lodging=example_lodging, status="option")


def test_a_deposit_one_day_late_gives_exactly_one_reminder_even_when_the_task_runs_three_times(
    example_provider, option, django_capture_on_commit_callbacks
):
    remind_clients(example_provider)

    with at(date(2024, 5, 17)):  # due on 16/05: one day late
        run_daily_task(3, django_capture_on_commit_callbacks)

    (reminder,) = reminders()
    assert (reminder.booking_id, reminder.kind, reminder.due_date) == (
        option.pk,
        "deposit",
        date(2024, 5, 16),
    )
    assert str(reminder.amount) == "87.50"
    (sent,) = django_mail.outbox
    assert sent.to == ["test@gmail.com"]
    assert sent.subject == "Relance de paiement – dossier n°136"
    assert (
        "Sauf erreur de notre part, nous n’avons pas encore reçu l’acompte de 87,50\xa0€ attendu le "
        "16/05/2024 pour votre dossier n°136." in sent.body
    )
    with scopes_disabled():
        assert reminder.mail == OutgoingMail.objects.get(kind="booking.reminder.deposit")
    with provider_scope(example_provider):
        assert [e.action for e in history(option)].count("booking.reminder.deposit") == 1

    with at(date(2024, 5, 18)):  # the next day: still the same due date, still one reminder
        run_daily_task(1, django_capture_on_commit_callbacks)
    assert len(reminders()) == 1 and len(django_mail.outbox) == 1


def test_no_reminder_on_the_due_date_itself(option, django_capture_on_commit_callbacks):
    with at(date(2024, 5, 16), hour=23):
        run_daily_task(1, django_capture_on_commit_callbacks)
    assert reminders() == []


def test_the_client_is_not_mailed_unless_the_owner_asks(option, django_capture_on_commit_callbacks):
    with at(date(2024, 5, 20)):
        run_daily_task(1, django_capture_on_commit_callbacks)
    (reminder,) = reminders()
    assert reminder.mail is None and not django_mail.outbox


def test_a_client_without_e_mail_is_reminded_on_the_dashboard_only(
    example_provider, example_lodging, django_capture_on_commit_callbacks
):
    remind_clients(example_provider)
    factories.make_example_booking(
        example_provider, lodging=example_lodging, status="option", client_email=""
    )
    with at(date(2024, 5, 20)):
        run_daily_task(1, django_capture_on_commit_callbacks)
    assert len(reminders()) == 1 and not django_mail.outbox


def test_files_that_wait_for_nothing_get_no_reminder(
    example_provider, example_lodging, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    factories.make_example_booking(example_provider, lodging=example_lodging, number=201, paid="87.50")
    chalet = factories.make_lodging(example_provider, name="Le chalet")
    factories.make_example_booking(example_provider, lodging=chalet, number=202, status="cancelled")
    other = factories.make_lodging(example_provider, name="La grange")
    factories.make_example_booking(example_provider, lodging=other, number=203, status="option", is_test=True)
    with at(date(2024, 5, 20)):
        run_daily_task(1, django_capture_on_commit_callbacks)
    assert reminders() == []


def test_a_late_balance_gets_one_reminder(
    example_provider, example_lodging, django_capture_on_commit_callbacks
):
    remind_clients(example_provider)
    booking = factories.make_example_booking(example_provider, lodging=example_lodging, paid="87.50")
    with at(date(2024, 6, 9)):  # balance due on 08/06
        run_daily_task(2, django_capture_on_commit_callbacks)
    (reminder,) = reminders()
    assert (reminder.booking_id, reminder.kind, str(reminder.amount)) == (booking.pk, "balance", "312.50")
    assert "le solde de 312,50\xa0€ attendu le 08/06/2024" in django_mail.outbox[0].body


def test_a_new_due_date_makes_a_new_reminder_and_the_dashboard_counts_the_current_ones(
    example_provider, option, django_capture_on_commit_callbacks, owner
):
    with at(date(2024, 5, 17)):
        run_daily_task(1, django_capture_on_commit_callbacks)
    with scopes_disabled():  # the owner gives the client until 25/05 ("Relance … MODIFIER")
        Booking.objects.filter(pk=option.pk).update(deposit_due_date=date(2024, 5, 25))
    with provider_scope(example_provider):
        assert reminder_counts() == {"deposit": 0, "balance": 0}
    with at(date(2024, 5, 26)):
        run_daily_task(2, django_capture_on_commit_callbacks)
    assert [r.due_date for r in reminders()] == [date(2024, 5, 16), date(2024, 5, 25)]
    with provider_scope(example_provider):
        assert reminder_counts() == {"deposit": 1, "balance": 0}
    dashboard = owner.get(reverse("reservations:dashboard")).text
    assert reverse("reservations:reminder_list") in dashboard  # "Mes relances" leads to the reminders sent

    page = owner.get(reverse("reservations:reminder_list"), {"kind": "deposit"}).text
    assert "n°136" in page and "Dupont Marie" in page and "25/05/2024" in page and "87,50" in page
    assert "16/05/2024" not in page  # the first due date is no longer the one awaited

    with scopes_disabled():  # the deposit arrives: the file is confirmed, nothing left to remind
        Booking.objects.filter(pk=option.pk).update(status="confirmed", paid_amount="87.50")
    with provider_scope(example_provider):
        assert reminder_counts() == {"deposit": 0, "balance": 0}


def test_the_reminder_list_keeps_a_constant_number_of_queries(
    example_provider, example_lodging, owner, django_assert_max_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path

    def late_files(numbers):
        for number in numbers:
            lodging = factories.make_lodging(example_provider, name=f"Gîte {number}")
            booking = factories.make_example_booking(
                example_provider, lodging=lodging, number=number, status="option"
            )
            with scopes_disabled():
                PaymentReminder.objects.create(
                    provider=example_provider, booking=booking, kind="deposit", due_date=date(2024, 5, 16)
                )

    late_files([300])
    url = reverse("reservations:reminder_list")
    with django_assert_max_num_queries(20) as small:
        owner.get(url)
    late_files(range(301, 321))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert owner.get(url).text.count("n°3") == 21


def test_the_owner_chooses_on_the_mail_page_whether_clients_get_the_reminders(owner, example_provider):
    from tests.comptes.test_parametres_mails_payment import mail_data

    url = reverse("comptes:mail_settings")
    html = owner.get(url).text
    assert "Relances de paiement" in html
    assert "Envoyer aussi les relances de paiement au client par mail" in html
    checkbox = re.search(r'<input[^>]*name="remind_clients_by_mail"[^>]*>', html).group(0)
    assert 'type="checkbox"' in checkbox and "checked" not in checkbox  # off by default
    with scopes_disabled():
        assert MailSettings.objects.get(provider=example_provider).remind_clients_by_mail is False

    assert owner.post(url, mail_data(remind_clients_by_mail="on")).status_code == 302
    with scopes_disabled():
        assert MailSettings.objects.get(provider=example_provider).remind_clients_by_mail is True
    assert owner.post(url, mail_data()).status_code == 302
    with scopes_disabled():
        assert MailSettings.objects.get(provider=example_provider).remind_clients_by_mail is False
