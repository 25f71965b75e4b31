"""Stay prices and promotions: the rules of the price grid ("Créer des tarifs", "Voir les tarifs",
"Créer des promos").

The generation rule lives in ``stay_arrivals``; ``stay_prices_generate`` builds the plan the user
sees before confirming *and* writes it, with the same computation, so the preview never differs
from what is written. Prices are written with one bulk upsert on (lodging, arrival, nights).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ZERO, percent_of, round_money
from comptes.audit import audit_date, log_action
from comptes.models import Provider
from hebergements.models import AgeBracket, Lodging
from tarifs.models import (
    MAX_GROUP_PERSONS,
    MAX_STAY_NIGHTS,
    LastPriceEntry,
    PromoCode,
    PromoCodePeriod,
    Promotion,
    StayPrice,
    StayPriceBracket,
    StayPriceGroup,
)

ONE_DAY = timedelta(days=1)
WEEKDAYS = range(7)  # Python's date.weekday(): Monday = 0 … Sunday = 6
MAX_PERIODS = 12
MAX_PERIOD_DAYS = 731  # two years: a longer period is a typing mistake
# A price per night: the weekly discount applies from WEEKLY_FROM nights, the monthly one (which
# replaces it) from MONTHLY_FROM nights.
WEEKLY_FROM = 7
MONTHLY_FROM = 28
# One "Créer des tarifs" entry writes at most this many stays (a year of arrivals × 2–30 nights is
# 10 585): the storage of a lodging stays bounded (benchmarks/nightly_storage.py).
MAX_GENERATED_STAYS = 12_000


# ---------------------------------------------------------------------------------------------
# Rules on single values (shared by the forms, which show the message next to the field)


def period_check(*, start: date, end: date) -> None:
    """A period of application runs from ``start`` to ``end`` (the last possible departure day)."""
    if end < start:
        raise ValidationError(_("The end of the period is before its start."), code="period_order")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError(
            _("A period cannot be longer than %(days)s days.") % {"days": MAX_PERIOD_DAYS},
            code="period_length",
        )


def nights_check(nights: int) -> None:
    if not 1 <= nights <= MAX_STAY_NIGHTS:
        raise ValidationError(
            _("A stay lasts from 1 to %(max)s nights.") % {"max": MAX_STAY_NIGHTS}, code="nights_range"
        )


def price_check(price: Decimal, *, allow_zero: bool = False) -> Decimal:
    """A price is a positive amount of euros (0 allowed for a free age bracket)."""
    price = round_money(price)
    if price < 0 or (price == 0 and not allow_zero):
        raise ValidationError(
            _("The price cannot be negative.") if allow_zero else _("The price must be greater than 0."),
            code="price_positive",
        )
    return price


@dataclass(frozen=True)
class Discount:
    """The "Remise": an amount in euros, or a percentage of the price when ``percent``."""

    value: Decimal = ZERO
    percent: bool = False


NO_DISCOUNT = Discount()


@dataclass(frozen=True)
class Amounts:
    initial_price: Decimal
    discount: Decimal
    sale_price: Decimal

    @property
    def discount_percent(self) -> Decimal:
        """The discount as a whole percentage of the initial price, rounded down like the manual's
        "-16 %" for 15,00 € off 90,00 €."""
        if not self.initial_price:
            return ZERO
        return (self.discount * 100 / self.initial_price).quantize(Decimal("1"), rounding=ROUND_DOWN)


def discount_amount(*, price: Decimal, discount: Discount) -> Decimal:
    """The discount in euros on ``price``; it must leave a sale price above 0."""
    if discount.value < 0:
        raise ValidationError(_("The discount cannot be negative."), code="discount_negative")
    if discount.percent:
        if discount.value >= 100:
            raise ValidationError(
                _("A discount percentage must be less than 100 %."), code="discount_percent_range"
            )
        amount = percent_of(price, discount.value)
    else:
        amount = round_money(discount.value)
    if amount and amount >= price:
        raise ValidationError(_("The discount must be less than the initial price."), code="discount_too_big")
    return amount


def stay_amounts(*, initial_price: Decimal, discount: Discount = NO_DISCOUNT) -> Amounts:
    """Initial price, discount and sale price of a stay priced for the whole lodging."""
    try:
        price = price_check(initial_price)
    except ValidationError as error:
        raise ValidationError({"initial_price": error}) from None
    try:
        amount = discount_amount(price=price, discount=discount)
    except ValidationError as error:
        raise ValidationError({"discount": error}) from None
    return Amounts(price, amount, price - amount)


def bracket_amounts(
    *, prices: Mapping[AgeBracket, Decimal], discount: Discount = NO_DISCOUNT
) -> dict[AgeBracket, Amounts]:
    """Per-occupant amounts by age bracket. A bracket may be free (0, e.g. babies), not all of them.

    The discount applies to each paying bracket (a percentage of its price, or the amount per
    occupant); it never applies to a free bracket.
    """
    if not prices:
        raise ValidationError({"bracket_prices": _("Define your age brackets before pricing per occupant.")})
    result: dict[AgeBracket, Amounts] = {}
    for bracket, raw_price in prices.items():
        try:
            price = price_check(raw_price, allow_zero=True)
        except ValidationError as error:
            raise ValidationError({"bracket_prices": error}) from None
        if price == 0:
            result[bracket] = Amounts(ZERO, ZERO, ZERO)
            continue
        try:
            amount = discount_amount(price=price, discount=discount)
        except ValidationError as error:
            raise ValidationError({"discount": error}) from None
        result[bracket] = Amounts(price, amount, price - amount)
    if all(amounts.initial_price == 0 for amounts in result.values()):
        raise ValidationError(
            {"bracket_prices": _("Give a price greater than 0 for at least one age bracket.")}
        )
    return result


def group_amounts(
    *, prices: Mapping[int, Decimal], lodging: Lodging, discount: Discount = NO_DISCOUNT
) -> dict[int, Amounts]:
    """The price of the stay for each party size ("prix en fonction du nombre de personnes"): one
    price for every number of people the lodging sleeps, from its minimum to its maximum; the
    discount applies to each of them. Sizes outside the lodging's capacity are left out."""
    low, high = lodging.capacity_min, min(lodging.capacity_max, MAX_GROUP_PERSONS)
    missing = [persons for persons in range(low, high + 1) if prices.get(persons) is None]
    if missing:
        raise ValidationError(
            {
                "group_prices": ngettext(
                    "Enter the price for %(count)s person.",
                    "Enter the price for %(count)s people.",
                    missing[0],
                )
                % {"count": missing[0]}
            }
        )
    result: dict[int, Amounts] = {}
    for persons in range(low, high + 1):
        try:
            price = price_check(prices[persons])
        except ValidationError as error:
            raise ValidationError({"group_prices": error}) from None
        try:
            amount = discount_amount(price=price, discount=discount)
        except ValidationError as error:
            raise ValidationError({"discount": error}) from None
        result[persons] = Amounts(price, amount, price - amount)
    return result


# ---------------------------------------------------------------------------------------------
# A price per night ("prix à la nuitée"): every length of a range priced from it


@dataclass(frozen=True)
class NightlyRule:
    """A price per night, for stays of ``min_nights`` to ``max_nights`` nights; ``weekly_percent``
    off from ``WEEKLY_FROM`` nights, ``monthly_percent`` off (instead) from ``MONTHLY_FROM``."""

    nightly_price: Decimal
    min_nights: int
    max_nights: int
    weekly_percent: Decimal = ZERO
    monthly_percent: Decimal = ZERO

    def percent_for(self, nights: int) -> Decimal:
        if nights >= MONTHLY_FROM and self.monthly_percent:
            return self.monthly_percent
        if nights >= WEEKLY_FROM and self.weekly_percent:
            return self.weekly_percent
        return ZERO

    @property
    def lengths(self) -> range:
        return range(self.min_nights, self.max_nights + 1)


def stay_percent_check(percent: Decimal) -> Decimal:
    """A weekly or monthly discount: a percentage from 0 to less than 100."""
    if not 0 <= percent < 100:
        raise ValidationError(
            _("A discount percentage is at least 0 and less than 100."), code="discount_percent_range"
        )
    return percent


def nightly_rule_check(rule: NightlyRule) -> None:
    """The rule's values, each error on its field (``nightly_price``, ``min_nights``, …)."""
    errors: dict[str, ValidationError] = {}
    try:
        price_check(rule.nightly_price)
    except ValidationError as error:
        errors["nightly_price"] = error
    for name in ("min_nights", "max_nights"):
        try:
            nights_check(getattr(rule, name))
        except ValidationError as error:
            errors[name] = error
    if not errors.keys() & {"min_nights", "max_nights"} and rule.max_nights < rule.min_nights:
        errors["max_nights"] = ValidationError(
            _("The maximum stay is shorter than the minimum stay."), code="nights_order"
        )
    for name in ("weekly_percent", "monthly_percent"):
        try:
            stay_percent_check(getattr(rule, name))
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)


def nightly_amounts(*, rule: NightlyRule, nights: int) -> Amounts:
    """A stay of ``nights`` nights priced by the night: nights × price, less the weekly or monthly
    percentage, rounded half-up to the cent (7 × 90,00 € − 10 % = 567,00 €)."""
    initial = round_money(rule.nightly_price * nights)
    discount = percent_of(initial, rule.percent_for(nights))
    return Amounts(initial, discount, initial - discount)


# ---------------------------------------------------------------------------------------------
# The generation rule


def stay_arrivals(
    *, periods: Iterable[tuple[date, date]], nights: int, weekdays: Collection[int]
) -> list[date]:
    """Every arrival day ``s`` whose weekday is allowed and whose whole stay ``[s, s + nights]``
    lies inside one of the periods; sorted, each day once (periods may overlap)."""
    arrivals: set[date] = set()
    step = timedelta(days=nights)
    for start, end in periods:
        day, last = start, end - step
        while day <= last:
            if day.weekday() in weekdays:
                arrivals.add(day)
            day += ONE_DAY
    return sorted(arrivals)


@dataclass(frozen=True)
class PlannedStay:
    arrival: date
    nights: int
    amounts: Amounts | None  # None for a price per occupant (see ``GenerationPlan.brackets``)
    replaces: bool

    @property
    def departure(self) -> date:
        return self.arrival + timedelta(days=self.nights)


@dataclass
class GenerationPlan:
    """What "Générer les tarifs" shows and "Confirmer la création des N tarifs" writes."""

    lodging: Lodging
    mode: str
    stays: list[PlannedStay]
    amounts: Amounts | None = None
    brackets: dict[AgeBracket, Amounts] = field(default_factory=dict)
    groups: dict[int, Amounts] = field(default_factory=dict)  # by number of people
    nightly: NightlyRule | None = None
    written: bool = False

    @property
    def count(self) -> int:
        return len(self.stays)

    @property
    def replaced(self) -> int:
        return sum(1 for stay in self.stays if stay.replaces)

    @property
    def created(self) -> int:
        return self.count - self.replaced

    @property
    def by_length(self) -> list[LengthSummary]:
        """The preview's summary: one line per length (count, first and last arrival, price)."""
        lines: dict[int, LengthSummary] = {}
        for stay in self.stays:
            line = lines.get(stay.nights)
            if line is None:
                lines[stay.nights] = LengthSummary(stay.nights, 1, stay.arrival, stay.arrival, stay.amounts)
            else:
                line.count += 1
                line.first = min(line.first, stay.arrival)
                line.last = max(line.last, stay.arrival)
            lines[stay.nights].replaced += stay.replaces
        return [lines[nights] for nights in sorted(lines)]

    def stays_of(self, nights: int) -> list[PlannedStay]:
        return [stay for stay in self.stays if stay.nights == nights]


@dataclass
class LengthSummary:
    nights: int
    count: int
    first: date
    last: date
    amounts: Amounts | None
    replaced: int = 0


def _validated_periods(periods: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    if not periods:
        raise ValidationError({"periods": _("Enter at least one period.")})
    if len(periods) > MAX_PERIODS:
        raise ValidationError({"periods": _("Enter at most %(max)s periods.") % {"max": MAX_PERIODS}})
    for start, end in periods:
        try:
            period_check(start=start, end=end)
        except ValidationError as error:
            raise ValidationError({"periods": error}) from None
    return list(periods)


def _validated_weekdays(weekdays: Collection[int]) -> frozenset[int]:
    days = frozenset(weekdays)
    if not days:
        raise ValidationError({"weekdays": _("Tick at least one arrival day.")})
    if not days <= frozenset(WEEKDAYS):
        raise ValidationError({"weekdays": _("Unknown day of the week.")})
    return days


def stay_prices_generate(
    *,
    provider: Provider,
    lodging: Lodging,
    periods: Sequence[tuple[date, date]],
    nights: int | Sequence[int] | None = None,
    weekdays: Collection[int],
    initial_price: Decimal | None = None,
    discount: Discount = NO_DISCOUNT,
    bracket_prices: Mapping[AgeBracket, Decimal] | None = None,
    group_prices: Mapping[int, Decimal] | None = None,
    nightly: NightlyRule | None = None,
    user=None,
    commit: bool = False,
) -> GenerationPlan:
    """Plan — and with ``commit`` write — one stay price per arrival day of the generation rule.

    The price is for the whole lodging (``initial_price``), per occupant by age bracket
    (``bracket_prices``), by number of people (``group_prices``: {people: price}), or by the night
    (``nightly``: every length from its minimum to its maximum, each priced ``nightly_amounts``).
    Existing prices of the same (lodging, arrival, nights) are replaced, the others are left
    alone. The write is one bulk upsert (plus one for the per-occupant or per-party rows) and one
    audit entry on the lodging.
    """
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Unknown lodging.")})
    periods = _validated_periods(periods)
    days = _validated_weekdays(weekdays)
    groups: dict[int, Amounts] = {}
    brackets: dict[AgeBracket, Amounts] = {}
    amounts: Amounts | None = None
    if nightly is not None:
        nightly_rule_check(nightly)
        durations = list(nightly.lengths)
        mode = StayPrice.Mode.LODGING
        by_length = {duration: nightly_amounts(rule=nightly, nights=duration) for duration in durations}
    else:
        durations = sorted({nights} if isinstance(nights, int) else set(nights or ()))
        if not durations:
            raise ValidationError(
                {"nights": _("A stay lasts from 1 to %(max)s nights.") % {"max": MAX_STAY_NIGHTS}}
            )
        for duration in durations:
            try:
                nights_check(duration)
            except ValidationError as error:
                raise ValidationError({"nights": error}) from None
        if bracket_prices is not None:
            if any(bracket.provider_id != provider.pk for bracket in bracket_prices):
                raise ValidationError({"bracket_prices": _("Unknown age bracket.")})
            mode = StayPrice.Mode.PER_PERSON
            brackets = bracket_amounts(prices=bracket_prices, discount=discount)
        elif group_prices is not None:
            mode = StayPrice.Mode.PER_GROUP
            groups = group_amounts(prices=group_prices, lodging=lodging, discount=discount)
            amounts = groups[min(groups)]
        else:
            if initial_price is None:
                raise ValidationError({"initial_price": _("Enter the price.")})
            mode = StayPrice.Mode.LODGING
            amounts = stay_amounts(initial_price=initial_price, discount=discount)
        by_length = dict.fromkeys(durations, amounts)

    stays = [
        (arrival, duration)
        for duration in durations
        for arrival in stay_arrivals(periods=periods, nights=duration, weekdays=days)
    ]
    if not stays:
        raise ValidationError(
            _(
                "No stay fits: with this length, every stay would end after the period, or no "
                "arrival day of the period is ticked."
            ),
            code="no_stay",
        )
    if len(stays) > MAX_GENERATED_STAYS:
        raise ValidationError(
            {
                "max_nights" if nightly is not None else "periods": _(
                    "This entry would create %(count)s stay prices, more than %(max)s: shorten the "
                    "period or the range of lengths, and make several entries."
                )
                % {"count": len(stays), "max": MAX_GENERATED_STAYS}
            }
        )
    stays.sort()

    with transaction.atomic():
        arrivals = [arrival for arrival, _duration in stays]
        existing = set(
            StayPrice.objects.filter(
                lodging=lodging,
                nights__in=durations,
                arrival__gte=min(arrivals),
                arrival__lte=max(arrivals),
            ).values_list("arrival", "nights")
        )
        plan = GenerationPlan(
            lodging=lodging,
            mode=mode,
            amounts=amounts,
            brackets=brackets,
            groups=groups,
            nightly=nightly,
            stays=[
                PlannedStay(arrival, duration, by_length[duration], (arrival, duration) in existing)
                for arrival, duration in stays
            ],
        )
        if commit:
            _plan_write(provider=provider, plan=plan)
            data = {
                "periods": [[start.isoformat(), end.isoformat()] for start, end in periods],
                "nights": durations,
                "weekdays": sorted(days),
                "mode": mode,
                "initial_price": str(amounts.initial_price) if amounts else None,
                "discount": str(amounts.discount) if amounts else None,
                "sale_price": str(amounts.sale_price) if amounts else None,
                "brackets": {str(bracket.pk): str(value.sale_price) for bracket, value in brackets.items()},
                "count": plan.count,
                "created": plan.created,
                "replaced": plan.replaced,
            }
            if groups:
                data["groups"] = {str(persons): str(value.sale_price) for persons, value in groups.items()}
            if nightly is not None:
                data["nightly"] = {
                    "nightly_price": str(nightly.nightly_price),
                    "min_nights": nightly.min_nights,
                    "max_nights": nightly.max_nights,
                    "weekly_percent": str(nightly.weekly_percent),
                    "monthly_percent": str(nightly.monthly_percent),
                }
            log_action(lodging, "stay_prices.generated", user=user, data=data)
            plan.written = True
    return plan


def _plan_write(*, provider: Provider, plan: GenerationPlan) -> None:
    rows = [
        StayPrice(
            provider=provider,
            lodging=plan.lodging,
            arrival=stay.arrival,
            nights=stay.nights,
            mode=plan.mode,
            initial_price=stay.amounts.initial_price if stay.amounts else None,
            discount=stay.amounts.discount if stay.amounts else ZERO,
            sale_price=stay.amounts.sale_price if stay.amounts else None,
        )
        for stay in plan.stays
    ]
    StayPrice.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["lodging", "arrival", "nights"],
        update_fields=["mode", "initial_price", "discount", "sale_price", "updated_at"],
    )
    if plan.replaced:
        # A replaced price may have had per-occupant rows (or other brackets): start afresh.
        replaced_ids = [row.pk for row, stay in zip(rows, plan.stays, strict=True) if stay.replaces]
        StayPriceBracket.objects.filter(stay_price_id__in=replaced_ids).delete()
        StayPriceGroup.objects.filter(stay_price_id__in=replaced_ids).delete()
    if plan.groups:
        StayPriceGroup.objects.bulk_create(
            [
                StayPriceGroup(
                    provider=provider,
                    stay_price_id=row.pk,
                    persons=persons,
                    initial_price=value.initial_price,
                    discount=value.discount,
                    sale_price=value.sale_price,
                )
                for row in rows
                for persons, value in plan.groups.items()
            ],
        )
    if plan.brackets:
        StayPriceBracket.objects.bulk_create(
            [
                StayPriceBracket(
                    provider=provider,
                    stay_price_id=row.pk,
                    age_bracket=bracket,
                    initial_price=value.initial_price,
                    discount=value.discount,
                    sale_price=value.sale_price,
                )
                for row in rows
                for bracket, value in plan.brackets.items()
            ],
        )


# ---------------------------------------------------------------------------------------------
# One stay price: edit, delete


def _stay_price_snapshot(stay_price: StayPrice) -> dict:
    return {
        "mode": stay_price.mode,
        "initial_price": None if stay_price.initial_price is None else str(stay_price.initial_price),
        "discount": str(stay_price.discount),
        "sale_price": None if stay_price.sale_price is None else str(stay_price.sale_price),
        "brackets": {str(row.age_bracket_id): str(row.sale_price) for row in stay_price.bracket_prices.all()},
        "groups": {str(row.persons): str(row.sale_price) for row in stay_price.group_prices.all()},
    }


@transaction.atomic
def stay_price_update(
    *,
    stay_price: StayPrice,
    initial_price: Decimal | None = None,
    discount: Discount = NO_DISCOUNT,
    bracket_prices: Mapping[AgeBracket, Decimal] | None = None,
    group_prices: Mapping[int, Decimal] | None = None,
    user=None,
) -> StayPrice:
    """ "Modifier" one row of "Voir les tarifs": new amounts, whole-lodging, by number of people or
    per occupant."""
    before = _stay_price_snapshot(stay_price)
    groups: dict[int, Amounts] = {}
    if group_prices is not None:
        groups = group_amounts(prices=group_prices, lodging=stay_price.lodging, discount=discount)
        brackets = {}
        smallest = groups[min(groups)]
        stay_price.mode = StayPrice.Mode.PER_GROUP
        stay_price.initial_price = smallest.initial_price
        stay_price.discount = smallest.discount
        stay_price.sale_price = smallest.sale_price
    elif bracket_prices is not None:
        if any(bracket.provider_id != stay_price.provider_id for bracket in bracket_prices):
            raise ValidationError({"bracket_prices": _("Unknown age bracket.")})
        brackets = bracket_amounts(prices=bracket_prices, discount=discount)
        stay_price.mode = StayPrice.Mode.PER_PERSON
        stay_price.initial_price = stay_price.sale_price = None
        stay_price.discount = ZERO
    else:
        if initial_price is None:
            raise ValidationError({"initial_price": _("Enter the price.")})
        amounts = stay_amounts(initial_price=initial_price, discount=discount)
        brackets = {}
        stay_price.mode = StayPrice.Mode.LODGING
        stay_price.initial_price = amounts.initial_price
        stay_price.discount = amounts.discount
        stay_price.sale_price = amounts.sale_price
    stay_price.full_clean()
    stay_price.save()
    StayPriceBracket.objects.filter(stay_price=stay_price).delete()
    StayPriceGroup.objects.filter(stay_price=stay_price).delete()
    for persons, value in groups.items():
        group = StayPriceGroup(
            provider_id=stay_price.provider_id,
            stay_price=stay_price,
            persons=persons,
            initial_price=value.initial_price,
            discount=value.discount,
            sale_price=value.sale_price,
        )
        group.full_clean()
        group.save()
    for bracket, value in brackets.items():
        row = StayPriceBracket(
            provider_id=stay_price.provider_id,
            stay_price=stay_price,
            age_bracket=bracket,
            initial_price=value.initial_price,
            discount=value.discount,
            sale_price=value.sale_price,
        )
        row.full_clean()
        row.save()
    stay_price = StayPrice.objects.prefetch_related("bracket_prices", "group_prices").get(pk=stay_price.pk)
    log_action(
        stay_price,
        "stay_price.updated",
        user=user,
        data={"before": before, "after": _stay_price_snapshot(stay_price)},
    )
    return stay_price


@transaction.atomic
def stay_prices_delete(*, stay_prices, user=None) -> int:
    """Delete the given stay prices (a queryset in the provider's scope); one audit entry per lodging."""
    rows = list(
        stay_prices.order_by("lodging_id", "arrival", "nights").values_list(
            "pk", "lodging_id", "arrival", "nights"
        )
    )
    if not rows:
        return 0
    by_lodging: dict[int, list[tuple[int, date, int]]] = {}
    for pk, lodging_id, arrival, nights in rows:
        by_lodging.setdefault(lodging_id, []).append((pk, arrival, nights))
    StayPrice.objects.filter(pk__in=[row[0] for row in rows]).delete()
    for lodging in Lodging.objects.filter(pk__in=by_lodging):
        deleted = by_lodging[lodging.pk]
        log_action(
            lodging,
            "stay_prices.deleted",
            user=user,
            data={
                "count": len(deleted),
                "first_arrival": min(arrival for _pk, arrival, _n in deleted).isoformat(),
                "last_arrival": max(arrival for _pk, arrival, _n in deleted).isoformat(),
                "nights": sorted({nights for _pk, _a, nights in deleted}),
            },
        )
    return len(rows)


# ---------------------------------------------------------------------------------------------
# "Initialiser avec la dernière saisie"


# The two ways into "Créer des tarifs" each keep their own last entry, side by side in one row.
STAY_ENTRY, NIGHTLY_ENTRY = "stay", "nightly"


def price_entry_remember(*, provider: Provider, data: Mapping, kind: str = STAY_ENTRY) -> None:
    """Keep the last form submitted on "Créer des tarifs" (JSON-friendly values) for the provider:
    the price of a whole stay (``STAY_ENTRY``) or by the night (``NIGHTLY_ENTRY``)."""
    with transaction.atomic():
        entry, _created = LastPriceEntry.objects.select_for_update().get_or_create(provider=provider)
        entry.data = {**_entries(entry.data), kind: dict(data)}
        entry.save(update_fields=["data", "updated_at"])


def price_entry_last(*, provider: Provider, kind: str = STAY_ENTRY) -> dict | None:
    entry = LastPriceEntry.objects.filter(provider=provider).first()
    found = _entries(entry.data).get(kind) if entry else None
    return dict(found) if found else None


def _entries(data: Mapping) -> dict:
    """The entries by kind; a row written before there were two kinds holds a whole-stay entry."""
    if "lodging" in data:
        return {STAY_ENTRY: dict(data)}
    return dict(data)


# ---------------------------------------------------------------------------------------------
# Promotions ("Créer des promos")


def promotion_period_check(*, valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end of the validity period is before its start."), code="period_order")


def _promotion_snapshot(promotion: Promotion) -> dict:
    return {
        "lodging": promotion.lodging_id,
        "kind": promotion.kind,
        "percent": f"{Decimal(promotion.percent):.2f}",
        "days": promotion.days,
        "valid_from": audit_date(promotion.valid_from),
        "valid_to": audit_date(promotion.valid_to),
        "active": promotion.active,
    }


def _promotion_save(promotion: Promotion) -> None:
    """Checks, then saves: an identical promotion of the same lodging (kind, discount, days and
    validity) is refused, under the lodging's row lock so two clicks cannot both save it."""
    try:
        promotion_period_check(valid_from=promotion.valid_from, valid_to=promotion.valid_to)
    except ValidationError as error:
        raise ValidationError({"valid_to": error}) from None
    promotion.full_clean()
    Lodging.objects.select_for_update(no_key=True).filter(pk=promotion.lodging_id).first()
    same = Promotion.objects.filter(
        lodging_id=promotion.lodging_id,
        kind=promotion.kind,
        percent=promotion.percent,
        days=promotion.days,
        valid_from=promotion.valid_from,
        valid_to=promotion.valid_to,
    ).exclude(pk=promotion.pk)
    if same.exists():
        raise ValidationError(_("This lodging already has this very promotion."), code="duplicate")
    promotion.save()


@transaction.atomic
def promotion_create(
    *,
    provider: Provider,
    lodging: Lodging,
    kind: str,
    percent: Decimal,
    days: int,
    valid_from: date | None = None,
    valid_to: date | None = None,
    active: bool = True,
    user=None,
) -> Promotion:
    """Last-minute (X % if the stay starts in less than N days) or early booking (more than N days)."""
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Unknown lodging.")})
    promotion = Promotion(
        provider=provider,
        lodging=lodging,
        kind=kind,
        percent=percent,
        days=days,
        valid_from=valid_from,
        valid_to=valid_to,
        active=active,
    )
    _promotion_save(promotion)
    log_action(promotion, "promotion.created", user=user, data=_promotion_snapshot(promotion))
    return promotion


PROMOTION_FIELDS = ("lodging", "kind", "percent", "days", "valid_from", "valid_to", "active")


@transaction.atomic
def promotion_update(*, promotion: Promotion, user=None, **fields) -> Promotion:
    unknown = set(fields) - set(PROMOTION_FIELDS)
    if unknown:
        raise TypeError(f"promotion_update() got unexpected fields: {sorted(unknown)}")
    lodging = fields.get("lodging")
    if lodging is not None and lodging.provider_id != promotion.provider_id:
        raise ValidationError({"lodging": _("Unknown lodging.")})
    before = _promotion_snapshot(promotion)
    for name, value in fields.items():
        setattr(promotion, name, value)
    _promotion_save(promotion)
    log_action(
        promotion,
        "promotion.updated",
        user=user,
        data={"before": before, "after": _promotion_snapshot(promotion)},
    )
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion, user=None) -> None:
    log_action(promotion.lodging, "promotion.deleted", user=user, data=_promotion_snapshot(promotion))
    promotion.delete()


# ---------------------------------------------------------------------------------------------
# Promo codes


def promo_code_use(*, promo: PromoCode) -> None:
    """Count one use of ``promo`` in the caller's transaction (the booking's): a single-use code
    already used — by a booking that committed first, even at the same second — is refused, so a
    single-use code gives exactly one discount. The row lock of the UPDATE queues racing bookings."""
    used = (
        PromoCode.objects.filter(pk=promo.pk, active=True)
        .filter(Q(usage=PromoCode.Usage.MULTIPLE) | Q(times_used=0))
        .update(times_used=F("times_used") + 1)
    )
    if not used:
        raise ValidationError({"promo_code": _("This promo code has already been used.")})


PROMO_CODE_FIELDS = (
    "code",
    "internal_label",
    "label",
    "label_en",
    "usage",
    "valid_from",
    "valid_to",
    "kind",
    "value",
    "all_stays",
    "active",
)


def _promo_code_snapshot(promo: PromoCode) -> dict:
    return {
        "code": promo.code,
        "usage": promo.usage,
        "kind": promo.kind,
        "value": f"{Decimal(promo.value):.2f}",
        "valid_from": promo.valid_from.isoformat(),
        "valid_to": promo.valid_to.isoformat(),
        "lodgings": sorted(promo.lodgings.values_list("pk", flat=True)),
        "periods": [[p.start.isoformat(), p.end.isoformat()] for p in promo.periods.all()],
        "active": promo.active,
    }


@transaction.atomic
def promo_code_save(
    *,
    provider: Provider,
    promo: PromoCode | None = None,
    lodgings: Iterable[Lodging],
    periods: Sequence[tuple[date, date]] = (),
    user=None,
    **fields,
) -> PromoCode:
    """Create (``promo`` None) or change a promo code ("COMMERCIALISATION > Codes promo").

    The code is written in capitals (A–Z, 0–9), unique per provider; a percentage is at most 100;
    it is for at least one lodging of the provider; "selected stays" need at least one period
    (the stay arrives in it). Raises ``ValidationError`` on the fields at fault; saves nothing then.
    """
    unknown = set(fields) - set(PROMO_CODE_FIELDS)
    if unknown:
        raise TypeError(f"promo_code_save() got unexpected fields: {sorted(unknown)}")
    creating = promo is None
    promo = promo or PromoCode(provider=provider)
    before = None if creating else _promo_code_snapshot(promo)
    for name, value in fields.items():
        setattr(promo, name, value)
    promo.code = (promo.code or "").strip().upper()
    errors: dict[str, list] = {}
    lodgings = list(lodgings)
    if not lodgings:
        errors["lodgings"] = [_("Choose at least one lodging.")]
    elif any(lodging.provider_id != provider.pk for lodging in lodgings):
        errors["lodgings"] = [_("Choose among your lodgings.")]
    periods = [(start, end) for start, end in periods if start or end]
    if not promo.all_stays and not periods:
        errors["periods"] = [_("Give at least one period of stays, or choose all stays.")]
    for start, end in periods:
        if start is None or end is None or end < start:
            errors["periods"] = [_("Each period needs a first and a last day, in that order.")]
    if promo.code and PromoCode.objects.filter(code=promo.code).exclude(pk=promo.pk).exists():
        errors["code"] = [_("You already have a promo code %(code)s.") % {"code": promo.code}]
    if promo.valid_from and promo.valid_to and promo.valid_to < promo.valid_from:
        errors["valid_to"] = [_("The end of the validity period is before its start.")]
    if promo.kind == PromoCode.Kind.PERCENT and promo.value is not None and promo.value > 100:
        errors["value"] = [_("A percentage is at most 100.")]
    try:
        promo.full_clean(exclude=[name for name in errors if name in ("code", "valid_to", "value")])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    promo.save()
    promo.lodgings.set(lodgings)
    PromoCodePeriod.objects.filter(promo_code=promo).delete()
    PromoCodePeriod.objects.bulk_create(
        PromoCodePeriod(provider=provider, promo_code=promo, start=start, end=end)
        for start, end in ([] if promo.all_stays else periods)
    )
    after = _promo_code_snapshot(promo)
    if creating:
        log_action(promo, "promo_code.created", user=user, data=after)
    else:
        log_action(promo, "promo_code.updated", user=user, data={"before": before, "after": after})
    return promo


@transaction.atomic
def promo_code_delete(*, promo: PromoCode, user=None) -> None:
    """Delete a promo code; files booked with it keep the code written on them."""
    log_action(promo, "promo_code.deleted", user=user, data=_promo_code_snapshot(promo))
    promo.delete()
