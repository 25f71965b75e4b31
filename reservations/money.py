"""Booking money: what a file owes, what is still due and when — in one place.

The file page, the PDFs, the reminders, the mails, the exports and the dashboard read a file's money
through these functions (and the query expressions below), never by subtracting fields again.

* ``total_amount``, ``deposit_amount`` and ``paid_amount`` are stored on the file by
  ``services.bookings.booking_refresh`` from ``tarifs.engine.file_amounts`` — the very computation
  the price engine's quote uses, so the quote and the file agree on every amount;
* the due dates of a new file come from ``tarifs.engine.due_dates`` (never after arrival);
* "paid in full" (soldé) is one rule: something was paid and the payments cover the total.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from common.money import ZERO
from reservations.models import Booking, BookingStatus
from tarifs import engine


def balance_of(total: Decimal, paid: Decimal) -> Decimal:
    """What is left to pay (negative: more was paid than owed)."""
    return total - paid


def balance(booking: Booking) -> Decimal:
    """What is left to pay on the file (``Booking.balance`` reads it too)."""
    return balance_of(booking.total_amount, booking.paid_amount)


def deposit_left(booking: Booking) -> Decimal:
    """The part of the deposit still to pay (0 once payments cover it)."""
    return max(booking.deposit_amount - booking.paid_amount, ZERO)


def balance_after_deposit(booking: Booking) -> Decimal:
    """What will be left once the deposit is paid: the total minus the larger of deposit and payments."""
    return booking.total_amount - max(booking.deposit_amount, booking.paid_amount)


def overpaid(booking: Booking) -> Decimal:
    """What was paid beyond the total (a "trop-perçu" to refund), else 0."""
    return max(booking.paid_amount - booking.total_amount, ZERO)


def is_paid_in_full(total: Decimal, paid: Decimal) -> bool:
    """Soldé: something was paid and the payments cover the total."""
    return paid > 0 and paid >= total


def booking_is_paid(booking: Booking) -> bool:
    return booking.status != BookingStatus.CANCELLED and is_paid_in_full(
        booking.total_amount, booking.paid_amount
    )


def deposit_due_at_once(booking: Booking) -> bool:
    """The deposit is due on receipt: arrival was closer than the option's delay when the file was
    made (``tarifs.engine.due_dates`` then sets the deadline to the booking day)."""
    return booking.deposit_due_date is not None and booking.deposit_due_date <= timezone.localdate(
        booking.created_at
    )


def balance_due_date(booking: Booking, first_arrival: date | None) -> date | None:
    """When the balance is due: the file's own date, else the provider's rule for its first arrival."""
    if booking.balance_due_date is not None or first_arrival is None:
        return booking.balance_due_date
    return engine.due_dates(
        provider=booking.provider, arrival=first_arrival, booking_date=timezone.localdate(booking.created_at)
    ).balance


def suggested_payment(booking: Booking) -> Decimal | None:
    """ "Open Pro propose d'ajouter le règlement de l'acompte ou du solde": the deposit still due of
    a file in option, else its balance (None when nothing is due)."""
    left = deposit_left(booking)
    amount = left if booking.status == BookingStatus.OPTION and left > 0 else balance(booking)
    return amount if amount > 0 else None


# --- the same rules as query expressions (lists, reminders, dashboard) ----------------------------


def deposit_left_q(prefix: str = "") -> Q:
    """Files whose payments do not cover the deposit yet (``prefix``: e.g. "booking__")."""
    return Q(**{f"{prefix}deposit_amount__gt": F(f"{prefix}paid_amount")})


def balance_due_q(prefix: str = "") -> Q:
    """Files with something left to pay."""
    return Q(**{f"{prefix}total_amount__gt": F(f"{prefix}paid_amount")})


def nothing_due_q() -> Q:
    """Files with nothing left to pay (the "Soldé" criterion of the files list)."""
    return Q(total_amount__lte=F("paid_amount"))
