"""Deposit and balance reminders ("Mes relances").

A file in option whose deposit due date has passed without the deposit, or a confirmed file whose
balance due date has passed without the balance, gets one ``PaymentReminder`` per due date: the
owner sees it on the dashboard and, when "Personnalisation des mails" asks for it, the client gets
one mail. The daily Celery task (``reservations.tasks.reminders_run``) calls ``reminders_create``
for each provider; running it again the same day — or the next — creates nothing new.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from common.money import ZERO
from comptes.audit import log_action
from comptes.models import Provider
from comptes.selectors import mail_settings
from reservations import money
from reservations.models import Booking, BookingStatus, PaymentReminder
from reservations.selectors import awaiting_balance_q, awaiting_deposit_q

ONE_DAY = timedelta(days=1)


def deposits_late(today: date) -> QuerySet[Booking]:
    """Files of "Mes relances" waiting for their deposit since before ``today`` (a day late)."""
    return Booking.objects.real().filter(awaiting_deposit_q(today - ONE_DAY), money.deposit_left_q())


def balances_late(today: date) -> QuerySet[Booking]:
    """Files of "Mes relances" waiting for their balance since before ``today`` (a day late)."""
    return Booking.objects.real().filter(awaiting_balance_q(today - ONE_DAY))


@transaction.atomic
def reminder_create(
    *, booking: Booking, kind: str, due_date: date, amount, remind_client: bool
) -> PaymentReminder | None:
    """The reminder of ``booking`` for ``kind`` and ``due_date``, unless it exists already (then
    ``None``). The database's unique constraint settles two runs racing for the same reminder."""
    reminder, created = PaymentReminder.objects.get_or_create(
        booking=booking,
        kind=kind,
        due_date=due_date,
        defaults={"provider_id": booking.provider_id, "amount": amount},
    )
    if not created:
        return None
    log_action(
        booking,
        f"booking.reminder.{kind}",
        data={"due_date": due_date.isoformat(), "amount": str(amount)},
    )
    if remind_client and booking.client.email:
        from reservations.documents.mails import reminder_mail_queue

        reminder.mail = reminder_mail_queue(reminder=reminder)
        reminder.save(update_fields=["mail"])
    return reminder


def reminders_create(*, provider: Provider, today: date | None = None) -> list[PaymentReminder]:
    """Create the reminders of every late file of ``provider`` (inside its scope); the new ones."""
    today = today or timezone.localdate()
    remind_client = mail_settings(provider).remind_clients_by_mail
    created = []
    late = (
        (PaymentReminder.Kind.DEPOSIT, deposits_late(today), "deposit_due_date"),
        (PaymentReminder.Kind.BALANCE, balances_late(today), "balance_due_date"),
    )
    for kind, bookings, due_field in late:
        for booking in bookings.select_related("client", "provider").order_by("number"):
            if kind == PaymentReminder.Kind.DEPOSIT:
                amount = money.deposit_left(booking)
            else:
                amount = max(money.balance(booking), ZERO)
            reminder = reminder_create(
                booking=booking,
                kind=kind,
                due_date=getattr(booking, due_field),
                amount=amount,
                remind_client=remind_client,
            )
            if reminder is not None:
                created.append(reminder)
    return created


def provider_ids_with_late_payments(today: date) -> list[int]:
    """Providers having at least one late file (run with scopes disabled, by the daily task)."""
    ids = set(deposits_late(today).values_list("provider_id", flat=True))
    ids.update(balances_late(today).values_list("provider_id", flat=True))
    return sorted(ids)


# --- Read side ("Mes relances") -----------------------------------------------------------------


def reminders_open(kind: str | None = None) -> QuerySet[PaymentReminder]:
    """Reminders still relevant: the file is still waiting for that payment at that due date."""
    reminders = PaymentReminder.objects.filter(
        Q(
            money.deposit_left_q("booking__"),
            kind=PaymentReminder.Kind.DEPOSIT,
            booking__status=BookingStatus.OPTION,
            booking__deposit_due_date=F("due_date"),
        )
        | Q(
            money.balance_due_q("booking__"),
            kind=PaymentReminder.Kind.BALANCE,
            booking__status=BookingStatus.CONFIRMED,
            booking__balance_due_date=F("due_date"),
        )
    )
    if kind:
        reminders = reminders.filter(kind=kind)
    return reminders.select_related("booking__client", "mail").order_by("due_date", "booking__number")


def reminder_counts() -> dict[str, int]:
    """ "Dossiers en attente d'acompte" and "… du solde" for the dashboard."""
    counts = {PaymentReminder.Kind.DEPOSIT.value: 0, PaymentReminder.Kind.BALANCE.value: 0}
    for row in reminders_open().order_by().values("kind").annotate(count=Count("pk")):
        counts[row["kind"]] = row["count"]
    return counts
