"""Payments ("règlements") of a booking file: record, change, delete. Each change refreshes the
file's amounts and status (``services.bookings.booking_refresh``) under the file's row lock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.money import ZERO, format_money, round_money
from comptes.audit import audit_date, log_action
from reservations.models import Booking, BookingStatus, Payment
from reservations.services.bookings import AlreadyDone, booking_lock, booking_refresh


def _check_payment(
    booking: Booking,
    amount: Decimal | None,
    paid_without_it: Decimal,
    previous: Decimal | None = None,
    *,
    overpayment_accepted: bool = True,
) -> Decimal:
    """``paid_without_it``: what the file's payments add up to without this one; ``previous``: the
    amount of the payment being edited (a cancelled file may not receive more money). A payment
    taking the payments beyond the total is refused unless ``overpayment_accepted`` (the owner saw
    the warning: the difference is a "trop-perçu" to refund)."""
    if amount is None:
        raise ValidationError({"amount": _("Give the amount.")})
    amount = round_money(amount)
    if amount == 0:
        raise ValidationError({"amount": _("The amount cannot be zero.")})
    if booking.status == BookingStatus.CANCELLED and amount > 0 and (previous is None or amount > previous):
        raise ValidationError(
            {"amount": _("This file is cancelled: no payment can be recorded on it, only a refund.")}
        )
    if amount < 0 and paid_without_it + amount < 0:
        raise ValidationError(
            {
                "amount": _("A refund cannot be larger than what was paid (%(paid)s).")
                % {"paid": format_money(max(paid_without_it, ZERO))}
            }
        )
    excess = paid_without_it + amount - booking.total_amount
    grows = previous is None or amount > previous
    if amount > 0 and grows and excess > 0 and not overpayment_accepted:
        raise ValidationError(
            {
                "amount": ValidationError(
                    _(
                        "This payment is %(excess)s more than the balance (%(balance)s): the file would "
                        "show an overpayment to refund. Tick “Accept the overpayment” to record it anyway."
                    )
                    % {
                        "excess": format_money(excess),
                        "balance": format_money(max(booking.total_amount - paid_without_it, ZERO)),
                    },
                    code=OVERPAYMENT,
                )
            }
        )
    return amount


OVERPAYMENT = "overpayment"


def _payment_data(payment: Payment) -> dict:
    return {
        "date": audit_date(payment.date),
        "mode": payment.mode,
        "amount": str(payment.amount),
        "note": payment.note,
        "reference": payment.reference,
    }


def _payment_save(
    *, booking: Booking, date: date, mode: str, amount: Decimal, note: str, reference: str, user
) -> Payment:
    payment = Payment(
        provider_id=booking.provider_id,
        booking=booking,
        date=date,
        mode=mode,
        amount=amount,
        note=note.strip(),
        reference=reference.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def payment_record(
    *,
    booking: Booking,
    date: date,
    mode: str,
    amount: Decimal | None,
    note: str = "",
    reference: str = "",
    overpayment_accepted: bool = False,
    user=None,
) -> Payment:
    """Record a payment ("règlement"): a positive amount; refunds are ``refund_record``.

    Recording a payment on an option confirms it; a balance of 0 makes the file paid (soldé). A
    payment beyond the balance is refused unless ``overpayment_accepted``: the file then shows
    "Trop-perçu … — à rembourser" until a refund is recorded.
    """
    booking = booking_lock(booking)
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("A payment is a positive amount: record a refund instead.")})
    amount = _check_payment(booking, amount, booking.paid_amount, overpayment_accepted=overpayment_accepted)
    payment = _payment_save(
        booking=booking, date=date, mode=mode, amount=amount, note=note, reference=reference, user=user
    )
    log_action(
        booking, "booking.payment.added", user=user, data={"payment": payment.pk, **_payment_data(payment)}
    )
    booking_refresh(booking=booking, user=user)
    return payment


@transaction.atomic
def refund_record(
    *,
    booking: Booking,
    date: date,
    mode: str,
    amount: Decimal | None,
    note: str = "",
    reference: str = "",
    user=None,
) -> Payment:
    """ "Enregistrer un remboursement": money given back to the client (``amount`` is what was given
    back, positive), never more than was paid. Stored as a negative payment; the balance and the
    status follow (a refunded overpayment leaves the file soldé with a balance of 0)."""
    booking = booking_lock(booking)
    if amount is None:
        raise ValidationError({"amount": _("Give the amount.")})
    if amount <= 0:
        raise ValidationError({"amount": _("Give the amount given back to the client (more than 0).")})
    refund = _check_payment(booking, -amount, booking.paid_amount)
    payment = _payment_save(
        booking=booking, date=date, mode=mode, amount=refund, note=note, reference=reference, user=user
    )
    log_action(
        booking, "booking.refund.added", user=user, data={"payment": payment.pk, **_payment_data(payment)}
    )
    booking_refresh(booking=booking, user=user)
    return payment


@transaction.atomic
def payment_update(
    *,
    payment: Payment,
    date: date,
    mode: str,
    amount: Decimal | None,
    note: str = "",
    reference: str = "",
    overpayment_accepted: bool = False,
    user=None,
) -> Payment:
    """Change a payment or a refund (a refund keeps its sign: ``amount`` is negative for it)."""
    booking = booking_lock(payment.booking)
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    before = _payment_data(payment)
    if amount is not None and payment.amount * amount < 0:
        raise ValidationError({"amount": _("A payment stays a payment and a refund stays a refund.")})
    amount = _check_payment(
        booking,
        amount,
        booking.paid_amount - payment.amount,
        previous=payment.amount,
        overpayment_accepted=overpayment_accepted,
    )
    payment.date, payment.mode, payment.amount = date, mode, amount
    payment.note, payment.reference = note.strip(), reference.strip()
    payment.full_clean()
    payment.save()
    log_action(
        booking,
        "booking.payment.changed",
        user=user,
        data={"payment": payment.pk, "from": before, "to": _payment_data(payment)},
    )
    booking_refresh(booking=booking, user=user)
    return payment


@transaction.atomic
def payment_delete(*, payment: Payment, user=None) -> None:
    booking = booking_lock(payment.booking)
    if not Payment.objects.select_for_update(no_key=True).filter(pk=payment.pk).exists():
        raise AlreadyDone(_("This payment is already deleted."))
    if booking.paid_amount - payment.amount < 0:
        raise ValidationError(
            _("Deleting this payment would leave more refunded than paid: delete the refund first.")
        )
    log_action(
        booking, "booking.payment.deleted", user=user, data={"payment": payment.pk, **_payment_data(payment)}
    )
    payment.delete()
    booking_refresh(booking=booking, user=user)
