"""Booking files, stays, sale prohibitions and payments: every state change goes through here.

* ``booking_refresh`` is the one place that decides a file's amounts and status (option →
  confirmed → paid; cancelled stays cancelled). Every other service that changes what a file costs
  or what was paid calls it, inside the same transaction, with the file's row locked.
* Availability is guarded by the database: the exclusion constraint ``stay_no_overlap`` refuses two
  active stays or sale prohibitions of one lodging that overlap. The services insert inside a
  savepoint and turn the violation into ``ValidationError`` "These dates are no longer available."
  on the dates, so that a race between two owners (or an owner and the public) never double-books
  and never answers 500.
* Every change writes an audit entry on the file (``comptes.audit.log_action``), shown as its
  history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ZERO, format_money, percent_of, round_money
from comptes.audit import log_action
from comptes.models import Provider, ProviderSettings
from hebergements.models import Lodging, Supplement
from reservations.models import (
    Booking,
    BookingOrigin,
    BookingStatus,
    BookingSupplement,
    Client,
    Payment,
    SaleProhibition,
    Stay,
    StayOccupant,
)
from tarifs import engine

STAY_OVERLAP_CONSTRAINT = "stay_no_overlap"


def dates_unavailable_message() -> str:
    return _("These dates are no longer available.")


# --- helpers --------------------------------------------------------------------------------------


def _is_overlap(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == STAY_OVERLAP_CONSTRAINT


@contextmanager
def _availability_guard(field: str = "arrival") -> Iterator[None]:
    """Run a write that may make a lodging less available inside a savepoint; an overlap refused by
    the exclusion constraint becomes a form error on the dates."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if _is_overlap(error):
            raise ValidationError({field: dates_unavailable_message()}) from error
        raise


def _check_dates(arrival: date | None, departure: date | None) -> int:
    if arrival is None:
        raise ValidationError({"arrival": _("Give the arrival date.")})
    if departure is None:
        raise ValidationError({"departure": _("Give the departure date.")})
    if departure < arrival:
        raise ValidationError({"departure": _("The departure date must be after the arrival date.")})
    if departure == arrival:
        raise ValidationError({"departure": _("A stay lasts at least one night.")})
    return (departure - arrival).days


def _check_occupants(lodging: Lodging, occupants: Mapping[int, int]) -> int:
    persons = sum(int(count) for count in occupants.values())
    if any(int(count) < 0 for count in occupants.values()):
        raise ValidationError({"occupants": _("The number of occupants cannot be negative.")})
    if persons < 1:
        raise ValidationError({"occupants": _("Give at least one occupant.")})
    if persons > lodging.capacity_max:
        raise ValidationError(
            {
                "occupants": ngettext(
                    "This lodging sleeps %(count)d person at most.",
                    "This lodging sleeps %(count)d people at most.",
                    lodging.capacity_max,
                )
                % {"count": lodging.capacity_max}
            }
        )
    return persons


def _check_price(lodging_price: Decimal | None, discount: Decimal | None) -> tuple[Decimal, Decimal]:
    if lodging_price is None:
        raise ValidationError({"price": _("Give the price of the stay.")})
    discount = discount or ZERO
    if lodging_price < 0:
        raise ValidationError({"price": _("The price cannot be negative.")})
    if discount < 0:
        raise ValidationError({"discount": _("The discount cannot be negative.")})
    if discount > lodging_price:
        raise ValidationError({"discount": _("The discount cannot be larger than the price.")})
    return round_money(lodging_price), round_money(discount)


def _balance_due_date(settings: ProviderSettings, arrival: date, today: date) -> date:
    if settings.balance_rule == ProviderSettings.BalanceRule.DAYS_BEFORE:
        return max(today, arrival - timedelta(days=settings.balance_days_before))
    return arrival


def _lock_lodging(lodging: Lodging) -> Lodging:
    """Every write that changes a lodging's availability holds this lock: writers of one lodging
    queue up, so the exclusion constraint never waits on an unfinished conflicting insert."""
    return Lodging.objects.select_for_update(no_key=True).get(pk=lodging.pk)


def _lock(booking: Booking) -> Booking:
    """The file's row, locked until the end of the transaction (payments and refreshes queue up)."""
    return Booking.objects.select_for_update(no_key=True).select_related("client").get(pk=booking.pk)


def _set_occupants(stay: Stay, occupants: Mapping[int, int]) -> None:
    StayOccupant.objects.filter(stay=stay).delete()
    StayOccupant.objects.bulk_create(
        StayOccupant(
            provider_id=stay.provider_id, stay=stay, age_bracket_id=int(bracket_id), count=int(count)
        )
        for bracket_id, count in occupants.items()
        if int(count) > 0
    )


def _supplement_lines(lodging: Lodging, nights: int, persons: int, chosen: Mapping[int, int]):
    """The supplement lines the price engine computes for a stay: the lodging's mandatory
    supplements, plus the optional ones ``chosen`` ({supplement id: quantity})."""
    try:
        lines, _warnings = engine.supplement_lines(lodging, nights, persons, chosen)
    except engine.StayNotBookable as error:
        raise ValidationError({"supplements": error.message}) from error
    return lines


def _write_stay_supplements(stay: Stay, nights: int, persons: int, chosen: Mapping[int, int]) -> None:
    """(Re)write the catalogue supplement lines of a stay as the price engine computes them for
    its length and occupants: the mandatory ones, plus the optional ones ``chosen``."""
    BookingSupplement.objects.filter(stay=stay, supplement__isnull=False).delete()
    BookingSupplement.objects.bulk_create(
        BookingSupplement(
            provider_id=stay.provider_id,
            booking_id=stay.booking_id,
            stay=stay,
            supplement_id=line.supplement_id,
            label=line.label,
            unit_price=line.unit_price,
            quantity=line.quantity,
            amount=line.amount,
            counts_toward_deposit=line.counts_toward_deposit,
            mandatory=line.mandatory,
        )
        for line in _supplement_lines(stay.lodging, nights, persons, chosen)
    )


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


# --- the one place that decides a file's amounts and status ---------------------------------------


def booking_refresh(*, booking: Booking, user=None) -> Booking:
    """Recompute total, deposit due, payments and status of ``booking`` from its rows.

    * total = stays (price − discount) + supplements of the stays + global supplements; a cancelled
      file only owes its global supplements (the cancellation fees);
    * deposit = deposit % × (stays + supplements that count toward the deposit);
    * status: cancelled stays cancelled; paid (soldé) once payments cover the total; confirmed once a
      payment was recorded or the owner confirmed by hand; option otherwise.

    The caller holds the file's row lock (``select_for_update``) inside its transaction.
    """
    cancelled = booking.status == BookingStatus.CANCELLED
    stays = list(Stay.objects.filter(booking=booking).values("lodging_price", "discount"))
    stay_total = sum((row["lodging_price"] - row["discount"] for row in stays), ZERO)
    supplement_total = ZERO
    global_total = ZERO
    deposit_supplements = ZERO
    for line in BookingSupplement.objects.filter(booking=booking).values(
        "amount", "stay_id", "counts_toward_deposit"
    ):
        if line["stay_id"] is None:
            global_total += line["amount"]
        else:
            supplement_total += line["amount"]
        if line["counts_toward_deposit"]:
            deposit_supplements += line["amount"]
    paid = Payment.objects.filter(booking=booking).aggregate(total=Sum("amount"))["total"] or ZERO

    if cancelled:
        total = global_total
        deposit = ZERO
    else:
        total = stay_total + supplement_total + global_total
        deposit = percent_of(stay_total + deposit_supplements, booking.deposit_percent)

    previous = booking.status
    if cancelled:
        status = BookingStatus.CANCELLED
    elif paid > 0 and paid >= total:
        status = BookingStatus.PAID
    elif paid > 0 or booking.confirmed_manually:
        status = BookingStatus.CONFIRMED
    else:
        status = BookingStatus.OPTION

    booking.total_amount = round_money(total)
    booking.deposit_amount = deposit
    booking.paid_amount = round_money(paid)
    booking.status = status
    if status in (BookingStatus.CONFIRMED, BookingStatus.PAID) and booking.confirmed_at is None:
        booking.confirmed_at = timezone.now()
    booking.save(
        update_fields=[
            "total_amount",
            "deposit_amount",
            "paid_amount",
            "status",
            "confirmed_at",
            "updated_at",
        ]
    )
    if status != previous:
        log_action(booking, "booking.status.changed", user=user, data={"from": previous, "to": status})
    return booking


# --- creating a file ------------------------------------------------------------------------------


def deposit_terms(*, provider: Provider, arrival: date, today: date) -> dict:
    """Deposit kind, percentage and due dates of a new file, from the provider's sales terms."""
    settings = ProviderSettings.objects.get(provider=provider)
    return {
        "deposit_kind": settings.deposit_kind,
        "deposit_percent": engine.deposit_percent_for(provider=provider, arrival=arrival, booking_date=today),
        "deposit_due_date": today + timedelta(days=settings.option_days),
        "balance_due_date": _balance_due_date(settings, arrival, today),
    }


@transaction.atomic
def booking_create(
    *,
    provider: Provider,
    lodging: Lodging,
    arrival: date,
    departure: date,
    occupants: Mapping[int, int],
    lodging_price: Decimal | None,
    discount: Decimal | None = None,
    client: Client | None = None,
    client_data: Mapping[str, object] | None = None,
    supplements: Mapping[int, int] | None = None,
    promo_code: str = "",
    origin: str = BookingOrigin.LOCAL,
    is_test: bool = False,
    user=None,
    today: date | None = None,
) -> Booking:
    """Create a file in status **option** for one stay ("Créer un dossier").

    ``client`` picks an existing client again; otherwise ``client_data`` creates one. The lodging's
    mandatory supplements, and the optional ones chosen in ``supplements`` ({supplement id:
    quantity}, e.g. by the public booking pages), are added as the price engine computes them.
    Deposit percentage and due dates come from the provider's sales terms. Raises
    ``ValidationError`` (fields ``arrival``, ``departure``, ``occupants``, ``price``, ``discount``,
    ``supplements`` or the client's fields); saves nothing then.
    """
    today = today or timezone.localdate()
    nights = _check_dates(arrival, departure)
    persons = _check_occupants(lodging, occupants)
    lodging_price, discount = _check_price(lodging_price, discount)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})

    if client is None:
        client = Client(provider=provider, **(client_data or {}))
        client.full_clean()
        client.save()
    elif client.provider_id != provider.pk:
        raise ValidationError({"existing_client": _("Choose one of your clients.")})

    # FOR NO KEY UPDATE: other transactions may still insert rows referencing the provider (their
    # foreign-key checks take KEY SHARE locks); a plain FOR UPDATE would make them wait, or deadlock.
    locked = Provider.objects.select_for_update(no_key=True).get(pk=provider.pk)
    locked.booking_counter += 1
    locked.save(update_fields=["booking_counter"])
    provider.booking_counter = locked.booking_counter

    booking = Booking(
        provider=provider,
        number=locked.booking_counter,
        client=client,
        origin=origin,
        is_test=is_test,
        promo_code=promo_code,
        created_by=user if user is not None and user.is_authenticated else None,
        **deposit_terms(provider=provider, arrival=arrival, today=today),
    )
    booking.full_clean()
    booking.save()

    _lock_lodging(lodging)
    stay = Stay(
        provider=provider,
        lodging=lodging,
        kind=Stay.Kind.BOOKING,
        booking=booking,
        arrival=arrival,
        departure=departure,
        lodging_price=lodging_price,
        discount=discount,
    )
    stay.full_clean(validate_constraints=False)  # the overlap is the database's to refuse
    with _availability_guard("arrival"):
        stay.save()
    _set_occupants(stay, occupants)
    _write_stay_supplements(stay, nights, persons, supplements or {})
    booking_refresh(booking=booking, user=user)
    log_action(
        booking,
        "booking.created",
        user=user,
        data={
            "number": booking.number,
            "lodging": lodging.name,
            "arrival": _date(arrival),
            "departure": _date(departure),
            "total": str(booking.total_amount),
        },
    )
    return booking


def stay_is_free(
    *, lodging: Lodging, arrival: date, departure: date, exclude_stay: Stay | None = None
) -> bool:
    """No active stay or prohibition of the lodging overlaps ``[arrival, departure)`` (a hint for
    forms; the exclusion constraint decides at write time)."""
    query = Stay.objects.filter(lodging=lodging, active=True, arrival__lt=departure, departure__gt=arrival)
    if exclude_stay is not None:
        query = query.exclude(pk=exclude_stay.pk)
    return not query.exists()


# --- the file's general information --------------------------------------------------------------


@transaction.atomic
def booking_confirm(*, booking: Booking, user=None) -> Booking:
    """ "Passer en statut confirmé": the owner confirms an option by hand."""
    booking = _lock(booking)
    if booking.status != BookingStatus.OPTION:
        raise ValidationError(_("Only a file in option can be confirmed."))
    booking.confirmed_manually = True
    booking.save(update_fields=["confirmed_manually", "updated_at"])
    log_action(booking, "booking.confirmed", user=user)
    return booking_refresh(booking=booking, user=user)


@transaction.atomic
def booking_contract_received(*, booking: Booking, user=None) -> Booking:
    """ "Confirmer la réception" of the signed contract."""
    booking = _lock(booking)
    if booking.contract_signed_at is None:
        booking.contract_signed_at = timezone.now()
        booking.save(update_fields=["contract_signed_at", "updated_at"])
        log_action(booking, "booking.contract.received", user=user)
    return booking


@transaction.atomic
def booking_update_deposit(
    *, booking: Booking, deposit_percent: Decimal, deposit_kind: str, user=None
) -> Booking:
    """Change the deposit percentage (and arrhes / acompte) of one file."""
    booking = _lock(booking)
    before = {"percent": str(booking.deposit_percent), "kind": booking.deposit_kind}
    booking.deposit_percent = deposit_percent
    booking.deposit_kind = deposit_kind
    booking.full_clean()
    booking.save(update_fields=["deposit_percent", "deposit_kind", "updated_at"])
    log_action(
        booking,
        "booking.deposit.changed",
        user=user,
        data={"from": before, "to": {"percent": str(deposit_percent), "kind": deposit_kind}},
    )
    return booking_refresh(booking=booking, user=user)


@transaction.atomic
def booking_update_reminders(
    *, booking: Booking, deposit_due_date: date | None, balance_due_date: date | None, user=None
) -> Booking:
    """Dates of the deposit and balance payment reminders."""
    booking = _lock(booking)
    before = {"deposit": _date(booking.deposit_due_date), "balance": _date(booking.balance_due_date)}
    booking.deposit_due_date = deposit_due_date
    booking.balance_due_date = balance_due_date
    booking.full_clean()
    booking.save(update_fields=["deposit_due_date", "balance_due_date", "updated_at"])
    log_action(
        booking,
        "booking.reminders.changed",
        user=user,
        data={"from": before, "to": {"deposit": _date(deposit_due_date), "balance": _date(balance_due_date)}},
    )
    return booking


@transaction.atomic
def booking_update_note(*, booking: Booking, field: str, text: str, user=None) -> Booking:
    """The note shown to the client (``note``) or the internal note (``internal_note``)."""
    if field not in ("note", "internal_note"):
        raise ValueError(field)
    booking = _lock(booking)
    setattr(booking, field, text.strip())
    booking.full_clean()
    booking.save(update_fields=[field, "updated_at"])
    log_action(booking, f"booking.{field}.changed", user=user)
    return booking


@transaction.atomic
def booking_update_client(*, booking: Booking, data: Mapping[str, object], user=None) -> Client:
    """Edit the client's contact details (the client record is shared by the client's files)."""
    booking = _lock(booking)
    client = booking.client
    changed = [field for field, value in data.items() if getattr(client, field) != value]
    for field, value in data.items():
        setattr(client, field, value)
    client.full_clean()
    client.save()
    if changed:
        log_action(booking, "booking.client.changed", user=user, data={"fields": changed})
    return client


# --- stays of a file ------------------------------------------------------------------------------


@transaction.atomic
def stay_update(
    *,
    stay: Stay,
    arrival: date,
    departure: date,
    occupants: Mapping[int, int],
    lodging_price: Decimal | None,
    discount: Decimal | None,
    user=None,
) -> Stay:
    """Change the dates, occupants and price of one lodging of a file (refused if the new dates
    overlap another stay or a sale prohibition)."""
    booking = _lock(stay.booking)
    _lock_lodging(stay.lodging)
    stay = Stay.objects.select_related("lodging").get(pk=stay.pk)
    _check_dates(arrival, departure)
    _check_occupants(stay.lodging, occupants)
    lodging_price, discount = _check_price(lodging_price, discount)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("This file is cancelled: its stays can no longer be changed."))
    before = {
        "arrival": _date(stay.arrival),
        "departure": _date(stay.departure),
        "price": str(stay.lodging_price),
        "discount": str(stay.discount),
    }
    if booking.balance_due_date == stay.arrival and arrival != stay.arrival:
        booking.balance_due_date = arrival  # "at arrival" follows the new arrival
        booking.save(update_fields=["balance_due_date", "updated_at"])
    stay.arrival, stay.departure = arrival, departure
    stay.lodging_price, stay.discount = lodging_price, discount
    stay.full_clean(validate_constraints=False)
    with _availability_guard("arrival"):
        stay.save()
    _set_occupants(stay, occupants)
    # Per-day and per-person supplements follow the new length and occupants.
    offered = set(Supplement.objects.filter(lodgings=stay.lodging).values_list("pk", flat=True))
    chosen = {
        line.supplement_id: line.quantity
        for line in stay.supplements.filter(supplement__isnull=False, mandatory=False)
        if line.supplement_id in offered
    }
    _write_stay_supplements(stay, stay.nights, sum(int(c) for c in occupants.values()), chosen)
    log_action(
        booking,
        "booking.stay.changed",
        user=user,
        data={
            "lodging": stay.lodging.name,
            "from": before,
            "to": {
                "arrival": _date(arrival),
                "departure": _date(departure),
                "price": str(lodging_price),
                "discount": str(discount),
            },
        },
    )
    booking_refresh(booking=booking, user=user)
    return stay


# --- global supplements ---------------------------------------------------------------------------


@transaction.atomic
def booking_supplement_add(
    *,
    booking: Booking,
    label: str,
    unit_price: Decimal,
    quantity: int = 1,
    counts_toward_deposit: bool = False,
    user=None,
) -> BookingSupplement:
    """ "Ajouter un supplément global libre" (also the cancellation fees of a cancelled file)."""
    booking = _lock(booking)
    if unit_price is None or unit_price < 0:
        raise ValidationError({"unit_price": _("The price cannot be negative.")})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    line = BookingSupplement(
        provider_id=booking.provider_id,
        booking=booking,
        stay=None,
        label=label.strip(),
        unit_price=round_money(unit_price),
        quantity=quantity,
        amount=round_money(unit_price * quantity),
        counts_toward_deposit=counts_toward_deposit,
    )
    line.full_clean()
    line.save()
    log_action(
        booking,
        "booking.supplement.added",
        user=user,
        data={"label": line.label, "amount": str(line.amount)},
    )
    booking_refresh(booking=booking, user=user)
    return line


@transaction.atomic
def booking_supplement_delete(*, line: BookingSupplement, user=None) -> None:
    booking = _lock(line.booking)
    log_action(
        booking,
        "booking.supplement.deleted",
        user=user,
        data={"label": line.label, "amount": str(line.amount)},
    )
    line.delete()
    booking_refresh(booking=booking, user=user)


# --- payments -------------------------------------------------------------------------------------


def _check_payment(
    booking: Booking, amount: Decimal | None, paid_without_it: Decimal, previous: Decimal | None = None
) -> Decimal:
    """``paid_without_it``: what the file's payments add up to without this one; ``previous``: the
    amount of the payment being edited (a cancelled file may not receive more money)."""
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
    return amount


def _payment_data(payment: Payment) -> dict:
    return {
        "date": _date(payment.date),
        "mode": payment.mode,
        "amount": str(payment.amount),
        "note": payment.note,
    }


@transaction.atomic
def payment_record(
    *,
    booking: Booking,
    date: date,
    mode: str,
    amount: Decimal | None,
    note: str = "",
    reference: str = "",
    user=None,
) -> Payment:
    """Record a payment ("règlement"); a refund is a negative amount, never more than was paid.

    Recording a payment on an option confirms it; a balance of 0 makes the file paid (soldé).
    """
    booking = _lock(booking)
    amount = _check_payment(booking, amount, booking.paid_amount)
    payment = Payment(
        provider_id=booking.provider_id,
        booking=booking,
        date=date,
        mode=mode,
        amount=amount,
        note=note.strip(),
        reference=reference,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    payment.full_clean()
    payment.save()
    log_action(
        booking, "booking.payment.added", user=user, data={"payment": payment.pk, **_payment_data(payment)}
    )
    booking_refresh(booking=booking, user=user)
    return payment


@transaction.atomic
def payment_update(
    *, payment: Payment, date: date, mode: str, amount: Decimal | None, note: str = "", user=None
) -> Payment:
    booking = _lock(payment.booking)
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    before = _payment_data(payment)
    amount = _check_payment(booking, amount, booking.paid_amount - payment.amount, previous=payment.amount)
    payment.date, payment.mode, payment.amount, payment.note = date, mode, amount, note.strip()
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
    booking = _lock(payment.booking)
    if booking.paid_amount - payment.amount < 0:
        raise ValidationError(
            _("Deleting this payment would leave more refunded than paid: delete the refund first.")
        )
    log_action(
        booking, "booking.payment.deleted", user=user, data={"payment": payment.pk, **_payment_data(payment)}
    )
    payment.delete()
    booking_refresh(booking=booking, user=user)


# --- cancel, delete -------------------------------------------------------------------------------


@transaction.atomic
def booking_cancel(*, booking: Booking, user=None) -> Booking:
    """ "Annuler le dossier": the file keeps its number with status cancelled; its dates are free."""
    booking = _lock(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("This file is already cancelled."))
    Stay.objects.filter(booking=booking).update(active=False, updated_at=timezone.now())
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at", "updated_at"])
    log_action(booking, "booking.cancelled", user=user)
    return booking_refresh(booking=booking, user=user)


@transaction.atomic
def booking_delete(*, booking: Booking, user=None) -> int:
    """ "Supprimer le dossier": the file, its stays and payments go; the number is never reused."""
    booking = _lock(booking)
    number = booking.number
    log_action(
        booking,
        "booking.deleted",
        user=user,
        data={"number": number, "client": booking.client.display_name, "total": str(booking.total_amount)},
    )
    booking.delete()
    return number


# --- sale prohibitions ----------------------------------------------------------------------------


@transaction.atomic
def sale_prohibition_create(
    *, provider: Provider, lodging: Lodging, arrival: date, departure: date, user=None
) -> SaleProhibition:
    """ "Créer des interdictions de vente" on ``[arrival, departure)``.

    Prohibitions that overlap or touch the new one are merged into it (one hatched block); an
    overlap with a booked stay is refused by the database.
    """
    _check_dates(arrival, departure)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})
    _lock_lodging(lodging)
    touching = list(
        SaleProhibition.objects.filter(
            lodging=lodging, active=True, arrival__lte=departure, departure__gte=arrival
        )
    )
    start = min([arrival, *(p.arrival for p in touching)])
    end = max([departure, *(p.departure for p in touching)])
    for existing in touching:
        log_action(
            existing,
            "sale_prohibition.merged",
            user=user,
            data={"arrival": _date(existing.arrival), "departure": _date(existing.departure)},
        )
    SaleProhibition.objects.filter(pk__in=[p.pk for p in touching]).delete()
    prohibition = SaleProhibition(
        provider=provider, lodging=lodging, kind=Stay.Kind.PROHIBITION, arrival=start, departure=end
    )
    prohibition.full_clean(validate_constraints=False)
    with _availability_guard("arrival"):
        prohibition.save()
    log_action(
        prohibition,
        "sale_prohibition.created",
        user=user,
        data={"lodging": lodging.name, "arrival": _date(start), "departure": _date(end)},
    )
    return prohibition


@transaction.atomic
def sale_prohibition_remove(
    *, provider: Provider, lodging: Lodging, arrival: date, departure: date, user=None
) -> int:
    """Allow sale again on ``[arrival, departure)``: prohibitions are deleted, shortened or split.
    Returns the number of nights made available again."""
    _check_dates(arrival, departure)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})
    _lock_lodging(lodging)
    freed = 0
    overlapping = SaleProhibition.objects.filter(
        lodging=lodging, active=True, arrival__lt=departure, departure__gt=arrival
    )
    for prohibition in overlapping:
        old = (prohibition.arrival, prohibition.departure)
        freed += (min(old[1], departure) - max(old[0], arrival)).days
        left = (old[0], arrival) if old[0] < arrival else None
        right = (departure, old[1]) if old[1] > departure else None
        log_action(
            prohibition,
            "sale_prohibition.removed",
            user=user,
            data={
                "lodging": lodging.name,
                "arrival": _date(max(old[0], arrival)),
                "departure": _date(min(old[1], departure)),
            },
        )
        if left is None and right is None:
            prohibition.delete()
            continue
        first, second = (left, right) if left is not None else (right, None)
        prohibition.arrival, prohibition.departure = first
        prohibition.save(update_fields=["arrival", "departure", "updated_at"])
        if second is not None:
            SaleProhibition.objects.create(
                provider=provider,
                lodging=lodging,
                kind=Stay.Kind.PROHIBITION,
                arrival=second[0],
                departure=second[1],
            )
    if not freed:
        raise ValidationError(
            {
                "arrival": _("There is no sale prohibition between %(start)s and %(end)s.")
                % {
                    "start": formats.date_format(arrival, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(departure, "SHORT_DATE_FORMAT"),
                }
            }
        )
    return freed


# --- price proposal (step 2 of "Créer un dossier") ------------------------------------------------


class PriceProposal:
    """What the price engine proposes for a stay: price and discount, or nothing and why.

    ``supplements`` lists the mandatory supplements the file will carry (label, amount).
    """

    def __init__(self, *, price=None, discount=ZERO, note="", supplements=()):
        self.price: Decimal | None = price
        self.discount: Decimal = discount
        self.note: str = note
        self.supplements: tuple[tuple[str, Decimal], ...] = tuple(supplements)


_CAPACITY_REASONS = {engine.Reason.OVER_CAPACITY, engine.Reason.UNDER_CAPACITY, engine.Reason.NO_OCCUPANT}


def stay_price_proposal(
    *, lodging: Lodging, arrival: date, nights: int, occupants: Mapping[int, int], today: date | None = None
) -> PriceProposal:
    """The price the engine proposes for the back office (the owner may still change it). Without a
    grid price for that stay, nothing is proposed and ``note`` says why: the owner types the price.

    The back office may book outside the online capacity rules: when the engine refuses the number
    of occupants, a whole-lodging price is still proposed."""
    today = today or timezone.localdate()
    persons = sum(occupants.values())
    supplements = [(line.label, line.amount) for line in _supplement_lines(lodging, nights, persons, {})]
    errors: list[engine.StayNotBookable] = []
    for attempt in ([dict(occupants)] if persons else []) + [None]:
        try:
            quote = engine.quote_stay(
                lodging=lodging, arrival=arrival, nights=nights, occupants=attempt, booking_date=today
            )
        except engine.StayNotBookable as error:
            errors.append(error)
            if error.reason in _CAPACITY_REASONS:
                continue
            break
        return PriceProposal(
            price=quote.lodging_initial_price, discount=quote.reductions, supplements=supplements
        )
    # The form says what is wrong with the occupants; the note says why there is no price.
    grid_errors = [error for error in errors if error.reason not in _CAPACITY_REASONS]
    note = (grid_errors or errors)[-1].message if errors else ""
    return PriceProposal(note=note, supplements=supplements)
