"""Booking files and their stays: every state change of a file goes through here (payments are in
``services.payments``, sale prohibitions in ``services.prohibitions``).

* ``booking_refresh`` is the one place that decides a file's amounts and status (option →
  confirmed → paid; cancelled stays cancelled). Every other service that changes what a file costs
  or what was paid calls it, inside the same transaction, with the file's row locked. Its amounts
  come from ``tarifs.engine.file_amounts``, the computation the engine's quotes use too.
* A file is created from a **quote** the price engine computes on the server (stay price,
  promotion, promo code, mandatory and chosen supplements, deposit and due dates); the quote's lines
  are stored on the stay. In the back office the owner may type another price: it is kept as an
  explicit manual price (``PriceSource.MANUAL``) with an audit entry. A file made from a platform's
  reservation carries the platform's amount (``PriceSource.PLATFORM``). No other price reaches a
  file: public pages can only book the engine's price.
* Availability is ``reservations.availability``'s: ``reserve()`` locks the lodging, counts its units
  and refuses a full night with "These dates are no longer available." on the dates, so that a race
  between two owners (or an owner and the public) never double-books and never answers 500.
* Every change writes an audit entry on the file (``comptes.audit.log_action``), shown as its
  history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.money import ZERO, round_money
from comptes.audit import audit_date, log_action
from comptes.models import Provider
from comptes.numbering import number_next
from hebergements.models import Lodging, Supplement
from reservations import availability
from reservations.dashboard import alert_badge_forget
from reservations.models import (
    Booking,
    BookingOrigin,
    BookingStatus,
    BookingSupplement,
    Client,
    Payment,
    PriceSource,
    Stay,
    StayLine,
    StayOccupant,
)
from reservations.money import is_paid_in_full
from tarifs import engine
from tarifs.services import promo_code_use

# Where a refusal of the price engine shows on a booking form.
REASON_FIELDS = {
    engine.Reason.INVALID: "departure",
    engine.Reason.PAST: "arrival",
    engine.Reason.TOO_LATE: "arrival",
    engine.Reason.ARRIVAL_DAY: "arrival",
    engine.Reason.MIN_STAY: "departure",
    engine.Reason.NO_PRICE: "price",
    engine.Reason.NO_OCCUPANT: "occupants",
    engine.Reason.UNDER_CAPACITY: "occupants",
    engine.Reason.OVER_CAPACITY: "occupants",
    engine.Reason.BRACKET_PRICE: "occupants",
    engine.Reason.SUPPLEMENT: "supplements",
    engine.Reason.PROMO_CODE: "promo_code",
}


class AlreadyDone(ValidationError):
    """The change was already made (a double click, two tabs): nothing to do, and the page says so
    rather than showing an error."""


def not_bookable_error(error: engine.StayNotBookable) -> ValidationError:
    """The engine's refusal as a form error on the field at fault."""
    return ValidationError({REASON_FIELDS.get(error.reason, "arrival"): error.message})


# --- checks ---------------------------------------------------------------------------------------


def _check_occupants(lodging: Lodging, occupants: Mapping[int, int]) -> int:
    """The back office's capacity rule: at least one occupant, at most the lodging's capacity."""
    if any(int(count) < 0 for count in occupants.values()):
        raise ValidationError({"occupants": _("The number of occupants cannot be negative.")})
    persons = sum(int(count) for count in occupants.values())
    try:
        engine.occupants_check(lodging=lodging, persons=persons, minimum=False)
    except engine.StayNotBookable as error:
        raise not_bookable_error(error) from error
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


def booking_lock(booking: Booking) -> Booking:
    """The file's row, locked until the end of the transaction (payments and refreshes queue up).
    A file deleted meanwhile (the first of two clicks) raises ``AlreadyDone``."""
    locked = (
        Booking.objects.select_for_update(no_key=True).select_related("client").filter(pk=booking.pk).first()
    )
    if locked is None:
        raise AlreadyDone(_("This file was deleted meanwhile."))
    return locked


def _user(user):
    return user if user is not None and user.is_authenticated else None


# --- the one place that decides a file's amounts and status ---------------------------------------


def booking_refresh(*, booking: Booking, user=None) -> Booking:
    """Recompute total, deposit due, payments and status of ``booking`` from its rows.

    * total and deposit: ``tarifs.engine.file_amounts`` over the stays (price − discount), the
      stays' supplements and the global supplements (a cancelled file only owes its global
      supplements, the cancellation fees);
    * status: cancelled stays cancelled; paid (soldé) once payments cover the total
      (``reservations.money.is_paid_in_full``); confirmed once a payment was recorded or the owner
      confirmed by hand; option otherwise.

    The caller holds the file's row lock (``booking_lock``) inside its transaction.
    """
    cancelled = booking.status == BookingStatus.CANCELLED
    stays = list(
        Stay.objects.filter(booking=booking).values("lodging_price", "discount", "arrival", "departure")
    )
    lodging = sum((row["lodging_price"] - row["discount"] for row in stays), ZERO)
    supplements: list[tuple[Decimal, bool]] = []
    global_supplements: list[tuple[Decimal, bool]] = []
    for line in BookingSupplement.objects.filter(booking=booking).values(
        "amount", "stay_id", "counts_toward_deposit"
    ):
        target = global_supplements if line["stay_id"] is None else supplements
        target.append((line["amount"], line["counts_toward_deposit"]))
    paid = round_money(
        Payment.objects.filter(booking=booking).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    amounts = engine.file_amounts(
        lodging=lodging,
        supplements=supplements,
        global_supplements=global_supplements,
        deposit_percent=booking.deposit_percent,
        cancelled=cancelled,
    )

    previous = booking.status
    if cancelled:
        status = BookingStatus.CANCELLED
    elif is_paid_in_full(amounts.total, paid):
        status = BookingStatus.PAID
    elif paid > 0 or booking.confirmed_manually:
        status = BookingStatus.CONFIRMED
    else:
        status = BookingStatus.OPTION

    booking.total_amount = amounts.total
    booking.deposit_amount = amounts.deposit
    booking.paid_amount = paid
    booking.status = status
    booking.first_arrival = min((row["arrival"] for row in stays), default=None)
    booking.last_departure = max((row["departure"] for row in stays), default=None)
    if status in (BookingStatus.CONFIRMED, BookingStatus.PAID) and booking.confirmed_at is None:
        booking.confirmed_at = timezone.now()
    booking.save(
        update_fields=[
            "total_amount",
            "deposit_amount",
            "paid_amount",
            "status",
            "confirmed_at",
            "first_arrival",
            "last_departure",
            "updated_at",
        ]
    )
    if status != previous:
        log_action(booking, "booking.status.changed", user=user, data={"from": previous, "to": status})
    if status != previous:
        alert_badge_forget(booking.provider_id)  # online files in option are on the badge
    return booking


# --- quotes ---------------------------------------------------------------------------------------

_CAPACITY_REASONS = {engine.Reason.OVER_CAPACITY, engine.Reason.UNDER_CAPACITY, engine.Reason.NO_OCCUPANT}


def quote_for_owner(
    *,
    lodging: Lodging,
    arrival: date,
    nights: int,
    occupants: Mapping[int, int],
    supplements: Mapping[int, int] | None = None,
    promo_code: str = "",
    today: date | None = None,
) -> engine.Quote:
    """The engine's quote for the back office: an owner may book outside the online capacity rules
    and the booking delay (``enforce_capacity=False``, not ``online``). Raises ``StayNotBookable``."""
    return engine.quote_stay(
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        occupants=dict(occupants),
        supplements=supplements or {},
        promo_code=promo_code,
        booking_date=today or timezone.localdate(),
        enforce_capacity=False,
    )


@dataclass(frozen=True)
class OwnerPrice:
    """The lodging price and discount an owner typed in the back office ("Choix du prix de
    l'hébergement"). Kept as a manual price only when it differs from the engine's quote."""

    price: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True)
class PriceProposal:
    """What the price engine proposes for a stay in the back office: price and discount, or nothing
    and why (``note``). ``supplements``: the mandatory supplements the file will carry."""

    price: Decimal | None = None
    discount: Decimal = ZERO
    note: str = ""
    supplements: tuple[tuple[str, Decimal], ...] = ()
    deposit_at_once: bool = False


def stay_price_proposal(
    *, lodging: Lodging, arrival: date, nights: int, occupants: Mapping[int, int], today: date | None = None
) -> PriceProposal:
    """The price the engine proposes for the back office (the owner may still type another, kept as
    a manual price). Without a grid price for that stay, nothing is proposed and ``note`` says why."""
    persons = sum(occupants.values())
    try:
        lines, _warnings = engine.supplement_lines(lodging, nights, persons, {})
    except engine.StayNotBookable:
        lines = []
    supplements = tuple((line.label, line.amount) for line in lines)
    try:
        quote = quote_for_owner(
            lodging=lodging, arrival=arrival, nights=nights, occupants=occupants, today=today
        )
    except engine.StayNotBookable as error:
        return PriceProposal(note=error.message, supplements=supplements)
    return PriceProposal(
        price=quote.lodging_initial_price,
        discount=quote.reductions,
        supplements=supplements,
        deposit_at_once=bool(quote.due_dates and quote.due_dates.deposit_at_once),
    )


# Refusals of the grid an owner may answer by typing a price in the back office.
_OWNER_MAY_PRICE = {
    engine.Reason.NO_PRICE,
    engine.Reason.ARRIVAL_DAY,
    engine.Reason.MIN_STAY,
    engine.Reason.BRACKET_PRICE,
    engine.Reason.NO_OCCUPANT,
}


@dataclass(frozen=True)
class _Priced:
    """What a new or changed stay will cost: its lodging lines, the supplement lines, the source."""

    source: str
    initial: Decimal
    discount: Decimal
    lines: tuple[engine.QuoteLine, ...]
    supplements: tuple[engine.QuoteLine, ...]
    quote: engine.Quote | None = None


def _manual_lines(price: Decimal, discount: Decimal, label: str) -> tuple[engine.QuoteLine, ...]:
    lines = [engine.QuoteLine(engine.LineKind.LODGING, label, price, 1, price)]
    if discount:
        lines.append(engine.QuoteLine(engine.LineKind.DISCOUNT, _("Discount"), -discount, 1, -discount))
    return tuple(lines)


def _supplement_lines(lodging: Lodging, nights: int, persons: int, chosen: Mapping[int, int]):
    try:
        lines, _warnings = engine.supplement_lines(lodging, nights, persons, chosen)
    except engine.StayNotBookable as error:
        raise not_bookable_error(error) from error
    return tuple(lines)


def _price_stay(
    *,
    lodging: Lodging,
    arrival: date,
    nights: int,
    occupants: Mapping[int, int],
    supplements: Mapping[int, int],
    promo_code: str,
    online: bool,
    owner_price: OwnerPrice | None,
    platform_amount: Decimal | None,
    today: date,
    now: datetime | None,
) -> _Priced:
    """Price a stay on the server: the engine's quote; or the owner's price when it differs from the
    quote (or when the grid has none); or the platform's amount."""
    persons = sum(occupants.values())
    if platform_amount is not None:
        amount, _none = _check_price(platform_amount, ZERO)
        return _Priced(
            source=PriceSource.PLATFORM,
            initial=amount,
            discount=ZERO,
            lines=_manual_lines(amount, ZERO, _("Platform’s amount")),
            supplements=(),
        )
    try:
        if online:
            quote = engine.quote_stay(
                lodging=lodging,
                arrival=arrival,
                nights=nights,
                occupants=dict(occupants),
                supplements=supplements,
                promo_code=promo_code,
                booking_date=today,
                online=True,
                now=now,
            )
        else:
            quote = quote_for_owner(
                lodging=lodging,
                arrival=arrival,
                nights=nights,
                occupants=occupants,
                supplements=supplements,
                promo_code=promo_code if owner_price is None else "",
                today=today,
            )
    except engine.StayNotBookable as error:
        if online or error.reason not in _OWNER_MAY_PRICE:
            raise not_bookable_error(error) from error
        if owner_price is None:  # the back office: the owner types the price the grid lacks
            message = f"{error.message} {_('Give the price of the stay.')}"
            raise ValidationError({"price": message}) from error
        quote = None
    if owner_price is not None and not online:
        price, discount = _check_price(owner_price.price, owner_price.discount)
        if quote is None or (price, discount) != (quote.lodging_initial_price, quote.reductions):
            return _Priced(
                source=PriceSource.MANUAL,
                initial=price,
                discount=discount,
                lines=_manual_lines(price, discount, _("Lodging (price typed by the owner)")),
                supplements=_supplement_lines(lodging, nights, persons, supplements),
                quote=quote,
            )
    assert quote is not None
    return _Priced(
        source=PriceSource.ENGINE,
        initial=quote.lodging_initial_price,
        discount=quote.reductions,
        lines=quote.lodging_lines,
        supplements=quote.supplement_lines,
        quote=quote,
    )


def _write_lines(stay: Stay, priced: _Priced) -> None:
    """(Re)write the snapshot of the stay's price lines and of its catalogue supplement lines."""
    StayLine.objects.filter(stay=stay).delete()
    StayLine.objects.bulk_create(
        StayLine(
            provider_id=stay.provider_id,
            stay=stay,
            kind=line.kind,
            label=line.label[:150],
            unit_price=line.unit_price,
            quantity=line.quantity,
            amount=line.amount,
            age_bracket_id=line.age_bracket_id,
        )
        for line in priced.lines
    )
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
        for line in priced.supplements
    )


def _log_price(booking: Booking, priced: _Priced, user, *, lodging: Lodging) -> None:
    """A manual or platform price is explicit: its audit entry says what the grid proposed."""
    if priced.source == PriceSource.ENGINE:
        return
    log_action(
        booking,
        "booking.price.manual" if priced.source == PriceSource.MANUAL else "booking.price.platform",
        user=user,
        data={
            "lodging": lodging.name,
            "price": str(priced.initial),
            "discount": str(priced.discount),
            "grid_price": str(priced.quote.lodging_initial_price) if priced.quote else "",
            "grid_discount": str(priced.quote.reductions) if priced.quote else "",
        },
    )


def _set_occupants(stay: Stay, occupants: Mapping[int, int]) -> None:
    StayOccupant.objects.filter(stay=stay).delete()
    StayOccupant.objects.bulk_create(
        StayOccupant(
            provider_id=stay.provider_id, stay=stay, age_bracket_id=int(bracket_id), count=int(count)
        )
        for bracket_id, count in occupants.items()
        if int(count) > 0
    )


# --- creating a file ------------------------------------------------------------------------------


def client_code_next(*, provider, last_name: str) -> str:
    """ "DUP-2": the first three letters of the name (accents dropped, "CLI" without letters) and
    the provider's next client number, inside the caller's transaction."""
    letters = "".join(ch for ch in slugify(last_name).upper() if ch.isalpha())[:3] or "CLI"
    return f"{letters}-{number_next(provider=provider, series='client')}"


@transaction.atomic
def booking_create(
    *,
    provider: Provider,
    lodging: Lodging,
    arrival: date,
    departure: date,
    occupants: Mapping[int, int],
    client: Client | None = None,
    client_data: Mapping[str, object] | None = None,
    supplements: Mapping[int, int] | None = None,
    promo_code: str = "",
    origin: str = BookingOrigin.LOCAL,
    origin_site: str = "",
    is_test: bool = False,
    owner_price: OwnerPrice | None = None,
    platform_amount: Decimal | None = None,
    online: bool = False,
    language: str = "fr",
    terms_text: str = "",
    user=None,
    today: date | None = None,
    now: datetime | None = None,
) -> Booking:
    """Create a file in status **option** for one stay, priced by the engine on the server.

    ``client`` picks an existing client again; otherwise ``client_data`` creates one. The lodging's
    mandatory supplements, and the optional ones chosen in ``supplements`` ({supplement id:
    quantity}), are added as the price engine computes them; ``promo_code`` is applied by the engine
    and its use counted in this transaction. ``online``: the public booking pages' rules (booking
    delay, capacity, no price but the engine's). ``owner_price``: what the owner typed in the back
    office, kept as a manual price when it differs from the quote. ``platform_amount``: the amount of
    a platform's reservation, ``origin_site`` its name ("Airbnb": "Site internet" of the lists).
    ``terms_text``: the terms of sale the guest accepted online, stored on
    the file with the time. Deposit percentage and due dates come from the quote. Raises
    ``ValidationError`` (fields ``arrival``, ``departure``, ``occupants``, ``price``, ``discount``,
    ``supplements``, ``promo_code`` or the client's fields); saves nothing then.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    nights = availability.check_dates(arrival, departure)
    _check_occupants(lodging, occupants)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})
    priced = _price_stay(
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        occupants=occupants,
        supplements=supplements or {},
        promo_code=promo_code,
        online=online,
        owner_price=owner_price,
        platform_amount=platform_amount,
        today=today,
        now=now,
    )
    quote = priced.quote
    dues = quote.due_dates if quote is not None else None
    if dues is None:
        dues = engine.due_dates(provider=provider, arrival=arrival, booking_date=today)
    percent = (
        quote.deposit_percent
        if quote is not None
        else engine.deposit_percent_for(provider=provider, arrival=arrival, booking_date=today)
    )

    if client is None:
        client = Client(provider=provider, **(client_data or {}))
        client.code = client_code_next(provider=provider, last_name=client.last_name)
        client.full_clean()
        client.save()
    elif client.provider_id != provider.pk:
        raise ValidationError({"existing_client": _("Choose one of your clients.")})

    promo = quote.promo_code if quote is not None and priced.source == PriceSource.ENGINE else None
    booking = Booking(
        provider=provider,
        number=number_next(provider=provider, series="booking_test" if is_test else "booking"),
        client=client,
        origin=origin,
        origin_site=origin_site.strip()[:100],
        is_test=is_test,
        promo_code=promo.code if promo is not None else promo_code.strip().upper(),
        promo=promo,
        language=language,
        created_by=_user(user),
        deposit_kind=provider.settings.deposit_kind,
        deposit_percent=percent,
        deposit_due_date=dues.deposit,
        balance_due_date=dues.balance,
        terms_text=terms_text,
        terms_accepted_at=now if terms_text else None,
    )
    booking.full_clean()
    booking.save()
    if promo is not None:
        promo_code_use(promo=promo)

    exclusive = availability.reserve(lodging=lodging, arrival=arrival, departure=departure)
    stay = Stay(
        provider=provider,
        lodging=lodging,
        kind=Stay.Kind.BOOKING,
        booking=booking,
        arrival=arrival,
        departure=departure,
        units=1,
        exclusive=exclusive,
        lodging_price=priced.initial,
        discount=priced.discount,
        price_source=priced.source,
    )
    stay.full_clean(validate_constraints=False)  # the overlap is availability's (and the database's)
    with availability.guard("arrival"):
        stay.save()
    _set_occupants(stay, occupants)
    _write_lines(stay, priced)
    booking_refresh(booking=booking, user=user)
    availability.changed(lodging.pk)
    alert_badge_forget(provider.pk)
    log_action(
        booking,
        "booking.created",
        user=user,
        data={
            "number": booking.number,
            "lodging": lodging.name,
            "arrival": audit_date(arrival),
            "departure": audit_date(departure),
            "total": str(booking.total_amount),
            "origin": origin,
            "origin_site": booking.origin_site,
            "promo_code": booking.promo_code,
        },
    )
    _log_price(booking, priced, user, lodging=lodging)
    return booking


# --- the file's general information --------------------------------------------------------------


@transaction.atomic
def booking_confirm(*, booking: Booking, user=None) -> Booking:
    """ "Passer en statut confirmé": the owner confirms an option by hand."""
    booking = booking_lock(booking)
    if booking.status != BookingStatus.OPTION:
        raise ValidationError(_("Only a file in option can be confirmed."))
    booking.confirmed_manually = True
    booking.save(update_fields=["confirmed_manually", "updated_at"])
    log_action(booking, "booking.confirmed", user=user)
    return booking_refresh(booking=booking, user=user)


@transaction.atomic
def booking_contract_received(*, booking: Booking, user=None) -> Booking:
    """ "Confirmer la réception" of the signed contract."""
    booking = booking_lock(booking)
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
    booking = booking_lock(booking)
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
    booking = booking_lock(booking)
    before = {
        "deposit": audit_date(booking.deposit_due_date),
        "balance": audit_date(booking.balance_due_date),
    }
    booking.deposit_due_date = deposit_due_date
    booking.balance_due_date = balance_due_date
    booking.full_clean()
    booking.save(update_fields=["deposit_due_date", "balance_due_date", "updated_at"])
    log_action(
        booking,
        "booking.reminders.changed",
        user=user,
        data={
            "from": before,
            "to": {"deposit": audit_date(deposit_due_date), "balance": audit_date(balance_due_date)},
        },
    )
    return booking


@transaction.atomic
def booking_update_note(*, booking: Booking, field: str, text: str, user=None) -> Booking:
    """The note shown to the client (``note``) or the internal note (``internal_note``)."""
    if field not in ("note", "internal_note"):
        raise ValueError(field)
    booking = booking_lock(booking)
    setattr(booking, field, text.strip())
    booking.full_clean()
    booking.save(update_fields=[field, "updated_at"])
    log_action(booking, f"booking.{field}.changed", user=user)
    return booking


@transaction.atomic
def booking_update_client(*, booking: Booking, data: Mapping[str, object], user=None) -> Client:
    """Edit the client's contact details (the client record is shared by the client's files)."""
    booking = booking_lock(booking)
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
    today: date | None = None,
) -> Stay:
    """Change the dates, occupants and price of one lodging of a file (refused if the new dates
    overlap another stay or a sale prohibition of a one-unit lodging, or fill a lodging's units).

    The price typed is kept as it is when nothing else changed; it becomes the engine's price when
    it equals the engine's quote for the new stay, and an explicit manual price otherwise."""
    booking = booking_lock(stay.booking)
    stay = Stay.objects.select_related("lodging").get(pk=stay.pk)
    nights = availability.check_dates(arrival, departure)
    _check_occupants(stay.lodging, occupants)
    price, discount = _check_price(lodging_price, discount)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("This file is cancelled: its stays can no longer be changed."))
    before = {
        "arrival": audit_date(stay.arrival),
        "departure": audit_date(stay.departure),
        "price": str(stay.lodging_price),
        "discount": str(stay.discount),
    }
    previous_occupants = dict(stay.occupants.values_list("age_bracket_id", "count"))
    wanted_occupants = {int(k): int(v) for k, v in occupants.items() if int(v) > 0}
    unchanged = (
        (arrival, departure) == (stay.arrival, stay.departure)
        and wanted_occupants == previous_occupants
        and (price, discount) == (stay.lodging_price, stay.discount)
    )
    # Per-day and per-person supplements follow the new length and occupants.
    offered = set(Supplement.objects.filter(lodgings=stay.lodging).values_list("pk", flat=True))
    chosen = {
        line.supplement_id: line.quantity
        for line in stay.supplements.filter(supplement__isnull=False, mandatory=False)
        if line.supplement_id in offered
    }
    priced = None
    if not unchanged:
        priced = _price_stay(
            lodging=stay.lodging,
            arrival=arrival,
            nights=nights,
            occupants=occupants,
            supplements=chosen,
            promo_code="",
            online=False,
            owner_price=OwnerPrice(price, discount),
            platform_amount=None,
            today=today or timezone.localdate(),
            now=None,
        )
    if booking.balance_due_date == stay.arrival and arrival != stay.arrival:
        booking.balance_due_date = arrival  # "at arrival" follows the new arrival
        booking.save(update_fields=["balance_due_date", "updated_at"])
    if (arrival, departure) != (stay.arrival, stay.departure):
        stay.exclusive = availability.reserve(
            lodging=stay.lodging, arrival=arrival, departure=departure, units=stay.units, exclude_stay=stay
        )
        alert_badge_forget(booking.provider_id)  # e.g. a file moved after its platform's reservation
    stay.arrival, stay.departure = arrival, departure
    if priced is not None:
        stay.lodging_price, stay.discount, stay.price_source = priced.initial, priced.discount, priced.source
    stay.full_clean(validate_constraints=False)
    with availability.guard("arrival"):
        stay.save()
    _set_occupants(stay, occupants)
    if priced is not None:
        _write_lines(stay, priced)
    log_action(
        booking,
        "booking.stay.changed",
        user=user,
        data={
            "lodging": stay.lodging.name,
            "from": before,
            "to": {
                "arrival": audit_date(arrival),
                "departure": audit_date(departure),
                "price": str(stay.lodging_price),
                "discount": str(stay.discount),
            },
        },
    )
    if priced is not None:
        _log_price(booking, priced, user, lodging=stay.lodging)
    booking_refresh(booking=booking, user=user)
    availability.changed(stay.lodging_id)
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
    booking = booking_lock(booking)
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
    booking = booking_lock(line.booking)
    if not BookingSupplement.objects.select_for_update(no_key=True).filter(pk=line.pk).exists():
        raise AlreadyDone(_("This supplement is already deleted."))
    log_action(
        booking,
        "booking.supplement.deleted",
        user=user,
        data={"label": line.label, "amount": str(line.amount)},
    )
    line.delete()
    booking_refresh(booking=booking, user=user)


# --- cancel, delete -------------------------------------------------------------------------------


@transaction.atomic
def booking_cancel(*, booking: Booking, user=None) -> Booking:
    """ "Annuler le dossier": the file keeps its number with status cancelled; its dates are free."""
    booking = booking_lock(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise AlreadyDone(_("This file is already cancelled."))
    lodging_ids = set(Stay.objects.filter(booking=booking).values_list("lodging_id", flat=True))
    Stay.objects.filter(booking=booking).update(active=False, updated_at=timezone.now())
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at", "updated_at"])
    log_action(booking, "booking.cancelled", user=user)
    booking_refresh(booking=booking, user=user)
    for lodging_id in sorted(lodging_ids):
        availability.changed(lodging_id)
    return booking


@transaction.atomic
def booking_delete(*, booking: Booking, user=None) -> int:
    """ "Supprimer le dossier": the file, its stays and payments go; the number is never reused."""
    booking = booking_lock(booking)
    number = booking.number
    log_action(
        booking,
        "booking.deleted",
        user=user,
        data={"number": number, "client": booking.client.display_name, "total": str(booking.total_amount)},
    )
    lodging_ids = set(Stay.objects.filter(booking=booking).values_list("lodging_id", flat=True))
    booking.delete()
    alert_badge_forget(booking.provider_id)
    for lodging_id in sorted(lodging_ids):
        availability.changed(lodging_id)
    return number


@transaction.atomic
def test_bookings_delete(*, provider: Provider, user=None) -> int:
    """ "Supprimer tous les dossiers de test": every test file of the provider goes at once (stays,
    payments, reminders with it), and the clients that only test files used; one audit entry on the
    account. The real series of numbers is untouched (test files have their own). Returns how many
    files were deleted."""
    files = list(Booking.objects.tests().filter(provider=provider).select_for_update().order_by("number"))
    if not files:
        return 0
    ids = [booking.pk for booking in files]
    client_ids = {booking.client_id for booking in files}
    lodging_ids = set(Stay.objects.filter(booking_id__in=ids).values_list("lodging_id", flat=True))
    Booking.objects.filter(pk__in=ids).delete()
    Client.objects.filter(pk__in=client_ids, bookings__isnull=True).delete()
    log_action(
        provider,
        "booking.tests_deleted",
        user=user,
        data={"count": len(ids), "numbers": [booking.display_number for booking in files]},
    )
    alert_badge_forget(provider.pk)
    for lodging_id in sorted(lodging_ids):
        availability.changed(lodging_id)
    return len(ids)
