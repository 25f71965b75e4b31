"""The price engine: every price shown anywhere (planning, booking files, public pages) comes from here.

``quote_stay`` turns (lodging, arrival, nights, occupants, optional supplements, booking date, promo
code) into a ``Quote``: priced lines, total, deposit and balance — or raises ``StayNotBookable`` with
the reason. ``planning_day_prices`` gives the planning's "Prix nuitée" row in a constant number of
queries.

Rules (see the manuals and ``DESIGN.md`` "Prices"):
- a stay is bookable only if a stay price exists for that exact (lodging, arrival, nights);
- promotions (last-minute / early booking; the best one applies) and promo codes reduce the lodging
  price only, never the supplements;
- mandatory supplements of the lodging are always added; optional ones when chosen, up to their
  maximum quantity; "per day" multiplies by the nights, "per person" by the occupants;
- deposit = deposit % × (lodging price + supplements that count toward the deposit); the percentage
  is the provider's default, or the proximity rule for a stay starting soon (``file_amounts`` is the
  one computation of total and deposit, used by quotes and by stored booking files alike);
- the deposit is due ``option_days`` after booking, but never after arrival: when arrival is closer,
  it is due at once; the balance is due at arrival, or N days before it but not before the booking
  day (``due_dates``);
- every line is rounded half-up to the cent;
- the taxe de séjour (``tarifs.tourist_tax``: the commune's rate for the lodging's category, per
  adult and night, each night at its year's rate) is its own line, ``LineKind.TOURIST_TAX``: it is
  collected for the commune, so it is outside the total of the stay, outside the deposit and outside
  VAT (``Quote.tourist_tax``; the guest pays it on top, "en sus").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.db.models.expressions import RawSQL
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ZERO, percent_of, round_money
from comptes.models import DepositRule, Provider, ProviderSettings
from hebergements.models import AgeBracket, Lodging, Supplement
from tarifs.models import PromoCode, PromoCodePeriod, Promotion, StayPrice, StayPriceBracket, StayPriceGroup
from tarifs.tourist_tax import TaxTable, TouristTax, is_adult, load_tax_table, lodging_tourist_tax, years_of


class Reason(StrEnum):
    """Why a stay cannot be booked."""

    INVALID = "invalid"
    PAST = "past"
    NO_PRICE = "no_price"
    ARRIVAL_DAY = "arrival_day"
    MIN_STAY = "min_stay"
    NO_OCCUPANT = "no_occupant"
    UNDER_CAPACITY = "under_capacity"
    OVER_CAPACITY = "over_capacity"
    BRACKET_PRICE = "bracket_price"
    GROUP_PRICE = "group_price"
    TOO_LATE = "too_late"
    SUPPLEMENT = "supplement"
    PROMO_CODE = "promo_code"


class StayNotBookable(Exception):
    """The stay cannot be sold; ``message`` says why in the user's language."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class LineKind(StrEnum):
    LODGING = "lodging"
    DISCOUNT = "discount"
    PROMOTION = "promotion"
    PROMO_CODE = "promo_code"
    SUPPLEMENT = "supplement"
    GLOBAL_SUPPLEMENT = "global_supplement"  # added to a file by hand ("supplément global libre")
    TOURIST_TAX = "tourist_tax"  # collected for the commune: outside the total, the deposit and VAT


LODGING_KINDS = (LineKind.LODGING, LineKind.DISCOUNT, LineKind.PROMOTION, LineKind.PROMO_CODE)


@dataclass(frozen=True)
class FileAmounts:
    """What a quote or a booking file costs: total and deposit (the balance follows)."""

    total: Decimal
    deposit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.total - self.deposit


def file_amounts(
    *,
    lodging: Decimal,
    supplements: Iterable[tuple[Decimal, bool]] = (),
    global_supplements: Iterable[tuple[Decimal, bool]] = (),
    deposit_percent: Decimal,
    cancelled: bool = False,
) -> FileAmounts:
    """The one computation of a file's total and deposit.

    ``lodging``: the lodging prices after their reductions; ``supplements`` / ``global_supplements``:
    (amount, counts toward the deposit) of the stays' supplements and of the file's global ones.
    Deposit = deposit % × (lodging + supplements counting toward it, global ones included), rounded
    half-up. A cancelled file only owes its global supplements (the cancellation fees), no deposit.
    """
    supplements, global_supplements = list(supplements), list(global_supplements)
    global_total = sum((amount for amount, _counts in global_supplements), ZERO)
    if cancelled:
        return FileAmounts(total=round_money(global_total), deposit=ZERO)
    supplement_total = sum((amount for amount, _counts in supplements), ZERO)
    counted = sum((amount for amount, counts in supplements + global_supplements if counts), ZERO)
    return FileAmounts(
        total=round_money(lodging + supplement_total + global_total),
        deposit=percent_of(lodging + counted, deposit_percent),
    )


@dataclass(frozen=True)
class DueDates:
    """When the deposit and the balance of a new file are due.

    ``deposit_at_once``: arrival is closer than the option's delay, so the deposit is due on the
    booking day (documents say "à régler dès réception") rather than on a date after arrival.
    """

    deposit: date
    balance: date
    deposit_at_once: bool = False


def due_dates(
    *, provider: Provider, arrival: date, booking_date: date, data: Pricing | None = None
) -> DueDates:
    """Deposit: ``option_days`` after booking, never on or after arrival (then at once). Balance: at
    arrival, or ``balance_days_before`` before it but not before the booking day."""
    settings = _settings(provider, data)
    deposit = booking_date + timedelta(days=settings.option_days)
    at_once = deposit >= arrival
    if at_once:
        deposit = booking_date
    if settings.balance_rule == ProviderSettings.BalanceRule.DAYS_BEFORE:
        balance = max(booking_date, arrival - timedelta(days=settings.balance_days_before))
    else:
        balance = arrival
    return DueDates(deposit=deposit, balance=balance, deposit_at_once=at_once)


@dataclass(frozen=True)
class QuoteLine:
    kind: LineKind
    label: str
    unit_price: Decimal
    quantity: int
    amount: Decimal  # signed: reductions are negative
    counts_toward_deposit: bool = False
    supplement_id: int | None = None
    age_bracket_id: int | None = None
    mandatory: bool = False
    days: int = 1  # "per day" supplements: the number of nights
    persons: int = 1  # "per person" supplements: the number of occupants


@dataclass(frozen=True)
class Quote:
    lodging: Lodging
    arrival: date
    nights: int
    occupants: Mapping[int, int]
    lines: tuple[QuoteLine, ...]
    deposit_percent: Decimal
    stay_price: StayPrice
    promotion: Promotion | None = None
    promo_code: PromoCode | None = None
    warnings: tuple[str, ...] = field(default=())
    due_dates: DueDates | None = None
    tourist_tax_detail: TouristTax | None = None

    @property
    def tourist_tax(self) -> Decimal:
        """The taxe de séjour of the stay (0 when its commune voted none), on top of ``total``."""
        return self._sum(LineKind.TOURIST_TAX)

    @property
    def total_with_tax(self) -> Decimal:
        return self.total + self.tourist_tax

    @property
    def departure(self) -> date:
        return self.arrival + timedelta(days=self.nights)

    @property
    def persons(self) -> int:
        return sum(self.occupants.values())

    def _sum(self, *kinds: LineKind) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind in kinds), ZERO)

    @property
    def lodging_initial_price(self) -> Decimal:
        """The lodging's price before any reduction ("prix initial")."""
        return self._sum(LineKind.LODGING)

    @property
    def lodging_price(self) -> Decimal:
        """What the lodging costs after the discount, the promotion and the promo code."""
        return self._sum(*LODGING_KINDS)

    @property
    def reductions(self) -> Decimal:
        """Discount + promotion + promo code, as a positive amount."""
        return -self._sum(LineKind.DISCOUNT, LineKind.PROMOTION, LineKind.PROMO_CODE)

    @property
    def lodging_lines(self) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.kind in LODGING_KINDS)

    @property
    def supplement_lines(self) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.kind == LineKind.SUPPLEMENT)

    @property
    def supplements_total(self) -> Decimal:
        return self._sum(LineKind.SUPPLEMENT, LineKind.GLOBAL_SUPPLEMENT)

    @cached_property
    def amounts(self) -> FileAmounts:
        return file_amounts(
            lodging=self.lodging_price,
            supplements=[(line.amount, line.counts_toward_deposit) for line in self.supplement_lines],
            global_supplements=[
                (line.amount, line.counts_toward_deposit)
                for line in self.lines
                if line.kind == LineKind.GLOBAL_SUPPLEMENT
            ],
            deposit_percent=self.deposit_percent,
        )

    @property
    def total(self) -> Decimal:
        return self.amounts.total

    @property
    def deposit_amount(self) -> Decimal:
        return self.amounts.deposit

    @property
    def balance(self) -> Decimal:
        return self.amounts.balance

    def with_global_supplements(self, supplements: Iterable[tuple[str, Decimal, int, bool]]) -> Quote:
        """This quote with global supplements added by hand, (label, unit price, quantity, counts
        toward the deposit) each: what the file will owe once the owner adds them."""
        extra = tuple(
            QuoteLine(
                LineKind.GLOBAL_SUPPLEMENT,
                label,
                round_money(unit_price),
                quantity,
                round_money(unit_price * quantity),
                counts_toward_deposit=counts,
            )
            for label, unit_price, quantity, counts in supplements
        )
        return replace(self, lines=self.lines + extra)


# --- what the engine reads, loaded at once --------------------------------------------------------


@dataclass
class Pricing:
    """Everything the engine reads to price stays of some lodgings, loaded in a constant number of
    queries whatever their number (``load_pricing``): ``quote_stay`` loads it for one lodging, the
    public search for hundreds (``quote_batch``), and both price with the same code.

    Loaded with the tenant scope disabled, for the lodgings given only (the marketplace prices
    lodgings of several providers at once)."""

    settings: dict[int, ProviderSettings] = field(default_factory=dict)  # by provider id
    rules: dict[int, list[DepositRule]] = field(default_factory=dict)  # by provider id, ascending
    prices: dict[tuple[int, date, int], StayPrice] = field(default_factory=dict)  # lodging, arrival, nights
    promotions: dict[int, list[Promotion]] = field(default_factory=dict)  # by lodging id, largest first
    supplements: dict[int, list[Supplement]] = field(default_factory=dict)  # by lodging id
    brackets: dict[int, dict[int, AgeBracket]] = field(default_factory=dict)  # by provider id
    promo_codes: dict[tuple[int, str], PromoCode] = field(default_factory=dict)  # (provider id, code)
    promo_lodgings: dict[int, set[int]] = field(default_factory=dict)  # promo code id → lodging ids
    promo_periods: dict[int, list[tuple[date, date]]] = field(default_factory=dict)  # code id → periods
    tax_table: TaxTable | None = None  # the communes' tourist tax rates (``quote_stay`` only)


NEAR_DAYS = 7  # "arrivals on that weekday are not possible": a price of that length this close


def load_pricing(
    lodgings: Iterable[Lodging],
    stays: Iterable[tuple[date, int]] = (),
    *,
    promo_codes: Iterable[str] = (),
    exact: Iterable[tuple[int, date, int]] = (),
    tourist_tax: bool = False,
) -> Pricing:
    """What pricing ``stays`` ((arrival, nights) pairs, for every lodging, with the prices a week
    around to explain a refusal) or ``exact`` ((lodging id, arrival, nights) triples, each lodging
    its own stays) of ``lodgings`` needs, in 8 queries at most."""
    from django_scopes import scopes_disabled

    lodgings = list(lodgings)
    stays = list(stays)
    lodging_ids = [lodging.pk for lodging in lodgings]
    provider_ids = sorted({lodging.provider_id for lodging in lodgings})
    data = Pricing()
    if not lodgings:
        return data
    with scopes_disabled():
        data.settings = {
            row.provider_id: row for row in ProviderSettings.objects.filter(provider_id__any=provider_ids)
        }
        for rule in DepositRule.objects.filter(provider_id__any=provider_ids).order_by("days_before"):
            data.rules.setdefault(rule.provider_id, []).append(rule)
        if stays:
            first = min(arrival for arrival, _nights in stays) - timedelta(days=NEAR_DAYS)
            last = max(arrival for arrival, _nights in stays) + timedelta(days=NEAR_DAYS)
            lengths = sorted({nights for _arrival, nights in stays})
            prices = _with_bracket_rows(
                StayPrice.objects.filter(
                    lodging_id__any=lodging_ids, arrival__gte=first, arrival__lte=last, nights__any=lengths
                )
            )
            for price in prices:
                data.prices[(price.lodging_id, price.arrival, price.nights)] = price
        exact = list(exact)
        if exact:
            # One query whatever the number of stays: the triples joined as arrays (unnest).
            matching = RawSQL(
                "SELECT price.id FROM tarifs_stayprice price "
                "JOIN unnest(%s::integer[], %s::date[], %s::integer[]) "
                "AS wanted(lodging_id, arrival, nights) "
                "ON price.lodging_id = wanted.lodging_id AND price.arrival = wanted.arrival "
                "AND price.nights = wanted.nights",
                [[row[0] for row in exact], [row[1] for row in exact], [row[2] for row in exact]],
            )
            prices = _with_bracket_rows(StayPrice.objects.filter(pk__in=matching))
            for price in prices:
                data.prices[(price.lodging_id, price.arrival, price.nights)] = price
        promotions = Promotion.objects.filter(lodging_id__any=lodging_ids, active=True).order_by(
            "-percent", "id"
        )
        for promotion in promotions:
            data.promotions.setdefault(promotion.lodging_id, []).append(promotion)
        through = Supplement.lodgings.through
        for row in through.objects.filter(lodging_id__any=lodging_ids).select_related("supplement"):
            data.supplements.setdefault(row.lodging_id, []).append(row.supplement)
        for bracket in AgeBracket.objects.filter(provider_id__any=provider_ids):
            data.brackets.setdefault(bracket.provider_id, {})[bracket.pk] = bracket
        codes = sorted({code.strip().upper() for code in promo_codes if code and code.strip()})
        if codes:
            for promo in PromoCode.objects.filter(provider_id__in=provider_ids, code__in=codes, active=True):
                data.promo_codes[(promo.provider_id, promo.code)] = promo
            promo_ids = [promo.pk for promo in data.promo_codes.values()]
            for row in PromoCode.lodgings.through.objects.filter(promocode_id__in=promo_ids):
                data.promo_lodgings.setdefault(row.promocode_id, set()).add(row.lodging_id)
            for period in PromoCodePeriod.objects.filter(promo_code_id__in=promo_ids):
                data.promo_periods.setdefault(period.promo_code_id, []).append((period.start, period.end))
        if tourist_tax and stays:
            data.tax_table = load_tax_table(
                commune_ids=[lodging.commune_id for lodging in lodgings if lodging.commune_id],
                years={year for arrival, nights in stays for year in years_of(arrival, nights)},
            )
    return data


def _with_bracket_rows(prices: Iterable[StayPrice]) -> list[StayPrice]:
    """The stay prices, each with its per-occupant rows as ``bracket_rows`` and its per-party rows
    as ``group_rows`` (one query for all the per-person prices, one for all the by-number-of-people
    ones; a prefetch would build a manager per price)."""
    prices = list(prices)
    per_person = [price.pk for price in prices if price.mode == StayPrice.Mode.PER_PERSON]
    per_group = [price.pk for price in prices if price.mode == StayPrice.Mode.PER_GROUP]
    rows: dict[int, list[StayPriceBracket]] = {}
    groups: dict[int, dict[int, StayPriceGroup]] = {}
    if per_person:
        for row in StayPriceBracket.objects.filter(stay_price_id__any=per_person).select_related(
            "age_bracket"
        ):
            rows.setdefault(row.stay_price_id, []).append(row)
    if per_group:
        for group in StayPriceGroup.objects.filter(stay_price_id__any=per_group):
            groups.setdefault(group.stay_price_id, {})[group.persons] = group
    for price in prices:
        price.bracket_rows = rows.get(price.pk, [])
        price.group_rows = groups.get(price.pk, {})
    return prices


def _settings(provider: Provider, data: Pricing | None = None) -> ProviderSettings:
    if data is not None and provider.pk in data.settings:
        return data.settings[provider.pk]
    return ProviderSettings.objects.get(provider=provider)


def deposit_percent_for(
    *, provider: Provider, arrival: date, booking_date: date, data: Pricing | None = None
) -> Decimal:
    """The default percentage, or the proximity rule with the smallest N such that the stay starts
    in less than N days ("appliquer un pourcentage différent en fonction de la proximité du séjour")."""
    settings = _settings(provider, data)
    if settings.use_proximity_rules:
        days_until = (arrival - booking_date).days
        if data is not None and provider.pk in data.settings:
            rules = data.rules.get(provider.pk, [])
        else:
            rules = list(DepositRule.objects.filter(provider=provider).order_by("days_before"))
        rule = next((rule for rule in rules if rule.days_before > days_until), None)
        if rule is not None:
            return rule.percent
    return settings.deposit_percent


def occupants_check(*, lodging: Lodging, persons: int, minimum: bool = True) -> None:
    """The lodging's capacity ("de 2 à 4 pers."): at least one occupant, at most ``capacity_max``,
    at least ``capacity_min`` unless ``minimum`` is off (the back office may let a lodging to fewer
    people than the online rule). Raises ``StayNotBookable``."""
    if persons < 1:
        raise StayNotBookable(Reason.NO_OCCUPANT, _("Give at least one occupant."))
    if persons > lodging.capacity_max:
        raise StayNotBookable(
            Reason.OVER_CAPACITY,
            ngettext(
                "This lodging sleeps %(count)d person at most.",
                "This lodging sleeps %(count)d people at most.",
                lodging.capacity_max,
            )
            % {"count": lodging.capacity_max},
        )
    if minimum and persons < lodging.capacity_min:
        raise StayNotBookable(
            Reason.UNDER_CAPACITY,
            ngettext(
                "This lodging is let to %(count)d person at least.",
                "This lodging is let to %(count)d people at least.",
                lodging.capacity_min,
            )
            % {"count": lodging.capacity_min},
        )


def check_booking_delay(
    *,
    provider: Provider,
    arrival: date,
    now: datetime,
    data: Pricing | None = None,
    local_now: datetime | None = None,
) -> None:
    """Online booking deadline ("délai de réservation"), in the provider's time zone (``local_now``:
    ``now`` already in it, as a batch computes it once)."""
    settings = _settings(provider, data)
    local = local_now or timezone.localtime(now)
    today = local.date()
    delay = ProviderSettings.BookingDelay
    hour = settings.booking_delay_hour
    earliest = {
        delay.SAME_DAY: today,
        delay.SAME_DAY_UNTIL: today if hour is None or local.time() < hour else today + timedelta(days=1),
        delay.NEXT_DAY: today + timedelta(days=1),
        delay.NEXT_DAY_UNTIL: today + timedelta(days=1 if hour is None or local.time() < hour else 2),
        delay.MIN_DAYS: today + timedelta(days=settings.booking_delay_days),
    }.get(settings.booking_delay, today)
    if arrival < earliest:
        raise StayNotBookable(
            Reason.TOO_LATE,
            _("This stay can no longer be booked online: the first possible arrival is %(date)s.")
            % {"date": formats.date_format(earliest, "SHORT_DATE_FORMAT")},
        )


def check_stay_dates(
    *,
    provider: Provider,
    arrival: date,
    nights: int,
    online: bool,
    now: datetime,
    local_now: datetime | None = None,
    data: Pricing | None = None,
) -> None:
    """What the provider's rules say of the dates alone, whatever the lodging: a length, not in the
    past and within the booking delay (online), the minimum stay. Raises ``StayNotBookable``."""
    local_now = local_now or timezone.localtime(now)
    if nights < 1:
        raise StayNotBookable(Reason.INVALID, _("A stay lasts at least one night."))
    if online:
        if arrival < local_now.date():
            raise StayNotBookable(Reason.PAST, _("This stay starts in the past."))
        check_booking_delay(provider=provider, arrival=arrival, now=now, data=data, local_now=local_now)
    if nights < provider.min_stay_nights:
        raise StayNotBookable(
            Reason.MIN_STAY,
            ngettext(
                "The minimum stay is %(count)d night.",
                "The minimum stay is %(count)d nights.",
                provider.min_stay_nights,
            )
            % {"count": provider.min_stay_nights},
        )


def providers_refusing(
    providers: Iterable[Provider],
    *,
    arrival: date,
    nights: int,
    online: bool = True,
    now: datetime | None = None,
) -> set[int]:
    """The providers whose rules refuse these dates (``check_stay_dates``), in one query: a search
    leaves their lodgings out before quoting any."""
    from django_scopes import scopes_disabled

    providers = list(providers)
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    data = Pricing()
    with scopes_disabled():
        ids = [provider.pk for provider in providers]
        data.settings = {
            row.provider_id: row for row in ProviderSettings.objects.filter(provider_id__any=ids)
        }
    refusing = set()
    for provider in providers:
        try:
            check_stay_dates(
                provider=provider,
                arrival=arrival,
                nights=nights,
                online=online,
                now=now,
                local_now=local_now,
                data=data,
            )
        except StayNotBookable:
            refusing.add(provider.pk)
    return refusing


# --- the quote ------------------------------------------------------------------------------------


def _find_stay_price(lodging: Lodging, arrival: date, nights: int, data: Pricing) -> StayPrice:
    stay_price = data.prices.get((lodging.pk, arrival, nights))
    if stay_price is not None:
        return stay_price
    near = any(
        (lodging.pk, arrival + timedelta(days=offset), nights) in data.prices
        for offset in range(-NEAR_DAYS, NEAR_DAYS + 1)
    )
    if near:
        raise StayNotBookable(
            Reason.ARRIVAL_DAY,
            _("Arrivals on %(weekday)s are not possible for a stay of this length.")
            % {"weekday": formats.date_format(arrival, "l")},
        )
    raise StayNotBookable(
        Reason.NO_PRICE,
        ngettext(
            "There is no price for a stay of %(nights)d night from %(date)s.",
            "There is no price for a stay of %(nights)d nights from %(date)s.",
            nights,
        )
        % {"nights": nights, "date": formats.date_format(arrival, "SHORT_DATE_FORMAT")},
    )


def _group_lines(stay_price: StayPrice, persons: int) -> list[QuoteLine]:
    """The lodging's price for a party of ``persons`` people (price by number of people)."""
    groups = getattr(stay_price, "group_rows", None)
    if groups is None:
        groups = {row.persons: row for row in stay_price.group_prices.all()}
    row = groups.get(persons)
    if row is None:
        raise StayNotBookable(
            Reason.GROUP_PRICE,
            ngettext(
                "There is no price for %(count)d person on this stay.",
                "There is no price for %(count)d people on this stay.",
                persons,
            )
            % {"count": persons},
        )
    label = ngettext("Lodging — %(count)d person", "Lodging — %(count)d people", persons) % {"count": persons}
    lines = [QuoteLine(LineKind.LODGING, label, row.initial_price, 1, round_money(row.initial_price))]
    if row.discount:
        lines.append(
            QuoteLine(LineKind.DISCOUNT, _("Discount"), -row.discount, 1, -round_money(row.discount))
        )
    return lines


def _lodging_lines(
    stay_price: StayPrice, occupants: Mapping[int, int], brackets: dict[int, AgeBracket]
) -> list[QuoteLine]:
    label = _("Lodging")
    if stay_price.mode == StayPrice.Mode.PER_GROUP:
        return _group_lines(stay_price, sum(occupants.values()))
    if stay_price.mode == StayPrice.Mode.LODGING:
        lines = [
            QuoteLine(
                LineKind.LODGING, label, stay_price.initial_price, 1, round_money(stay_price.initial_price)
            )
        ]
        if stay_price.discount:
            lines.append(
                QuoteLine(
                    LineKind.DISCOUNT,
                    _("Discount"),
                    -stay_price.discount,
                    1,
                    -round_money(stay_price.discount),
                )
            )
        return lines
    rows = getattr(stay_price, "bracket_rows", None)
    if rows is None:
        rows = stay_price.bracket_prices.select_related("age_bracket")
    by_bracket = {row.age_bracket_id: row for row in rows}
    lines, discount = [], ZERO
    for bracket_id, count in occupants.items():
        if not count:
            continue
        row = by_bracket.get(bracket_id)
        if row is None:
            raise StayNotBookable(
                Reason.BRACKET_PRICE,
                _("There is no price for the age bracket “%(bracket)s” on this stay.")
                % {"bracket": brackets[bracket_id].label_fr if bracket_id in brackets else bracket_id},
            )
        lines.append(
            QuoteLine(
                LineKind.LODGING,
                f"{label} — {row.age_bracket.label_fr}",
                row.initial_price,
                count,
                round_money(row.initial_price * count),
                age_bracket_id=bracket_id,
            )
        )
        discount += round_money(row.discount * count)
    if discount:
        lines.append(QuoteLine(LineKind.DISCOUNT, _("Discount"), -discount, 1, -discount))
    return lines


def promotion_offered_on(promotion: Promotion, booking_date: date) -> bool:
    """Offered on that booking day: inside its validity dates, each of them optional."""
    return (promotion.valid_from is None or promotion.valid_from <= booking_date) and (
        promotion.valid_to is None or booking_date <= promotion.valid_to
    )


def _best_promotion(lodging: Lodging, arrival: date, booking_date: date, data: Pricing) -> Promotion | None:
    """The largest promotion that applies on the booking day (last minute: the stay starts in less
    than N days; early booking: in more than N days)."""
    days_until = (arrival - booking_date).days
    for promotion in data.promotions.get(lodging.pk, []):  # largest first
        if not promotion_offered_on(promotion, booking_date):
            continue
        if (promotion.kind == Promotion.Kind.LAST_MINUTE and promotion.days > days_until) or (
            promotion.kind == Promotion.Kind.EARLY_BOOKING and promotion.days < days_until
        ):
            return promotion
    return None


def _promo_code(lodging: Lodging, code: str, arrival: date, booking_date: date, data: Pricing) -> PromoCode:
    """The provider's code for this stay, or ``StayNotBookable`` saying plainly why not."""
    promo = data.promo_codes.get((lodging.provider_id, code.strip().upper()))

    def refuse(message: str):
        raise StayNotBookable(Reason.PROMO_CODE, message)

    if promo is None:
        refuse(_("This promo code does not exist."))
    if booking_date < promo.valid_from:
        refuse(
            _("This promo code can be used from %(date)s.")
            % {"date": formats.date_format(promo.valid_from, "SHORT_DATE_FORMAT")}
        )
    if booking_date > promo.valid_to:
        refuse(
            _("This promo code expired on %(date)s.")
            % {"date": formats.date_format(promo.valid_to, "SHORT_DATE_FORMAT")}
        )
    if lodging.pk not in data.promo_lodgings.get(promo.pk, set()):
        refuse(_("This promo code is not valid for this lodging."))
    if not promo.all_stays and not any(
        start <= arrival <= end for start, end in data.promo_periods.get(promo.pk, [])
    ):
        refuse(_("This promo code is not valid for these dates."))
    if promo.usage == PromoCode.Usage.SINGLE and promo.times_used > 0:
        refuse(_("This promo code has already been used."))
    return promo


def supplement_lines(
    lodging: Lodging, nights: int, persons: int, chosen: Mapping[int, int], data: Pricing | None = None
) -> tuple[list[QuoteLine], list[str]]:
    """The supplement lines of a stay: the lodging's mandatory supplements, plus the optional ones
    ``chosen`` ({supplement id: quantity}); "per day" × nights, "per person" × occupants."""
    if data is not None:
        offered = data.supplements.get(lodging.pk, [])
    else:
        offered = Supplement.objects.filter(lodgings=lodging)
    supplements = {s.pk: s for s in offered}
    unknown = set(chosen) - set(supplements)
    if unknown:
        raise StayNotBookable(Reason.SUPPLEMENT, _("A chosen supplement is not offered for this lodging."))
    lines, warnings = [], []
    for supplement in sorted(supplements.values(), key=lambda s: (not s.mandatory, s.position, s.pk)):
        quantity = chosen.get(supplement.pk, 0)
        if supplement.mandatory:
            quantity = max(quantity, 1)
        if quantity <= 0:
            continue
        if quantity > supplement.max_quantity:
            raise StayNotBookable(
                Reason.SUPPLEMENT,
                ngettext(
                    "“%(label)s” can be chosen %(max)d time at most.",
                    "“%(label)s” can be chosen %(max)d times at most.",
                    supplement.max_quantity,
                )
                % {"label": supplement.label, "max": supplement.max_quantity},
            )
        days = nights if supplement.per_day else 1
        per_persons = persons if supplement.per_person else 1
        if supplement.per_person and not persons:
            warnings.append(
                _("“%(label)s” is priced per person: give the occupants.") % {"label": supplement.label}
            )
        amount = round_money(supplement.price * quantity * days * per_persons)
        lines.append(
            QuoteLine(
                LineKind.SUPPLEMENT,
                supplement.label,
                supplement.price,
                quantity,
                amount,
                counts_toward_deposit=supplement.counts_toward_deposit,
                supplement_id=supplement.pk,
                mandatory=supplement.mandatory,
                days=days,
                persons=per_persons,
            )
        )
    return lines, warnings


def quote_stay(
    *,
    lodging: Lodging,
    arrival: date,
    nights: int,
    occupants: Mapping[int, int] | None = None,
    supplements: Mapping[int, int] | None = None,
    booking_date: date | None = None,
    promo_code: str = "",
    online: bool = False,
    now: datetime | None = None,
    deposit_percent: Decimal | None = None,
    enforce_capacity: bool = True,
    data: Pricing | None = None,
) -> Quote:
    """Price a stay, or raise ``StayNotBookable`` with the reason.

    ``occupants`` maps age-bracket ids to counts (None: not known yet, capacity unchecked);
    ``supplements`` maps optional supplement ids to quantities. ``online`` applies the rules of
    the public booking flows (online booking deadline, arrival not in the past).
    ``deposit_percent`` overrides the provider's percentage (a file keeps its own).
    ``enforce_capacity=False`` (the back office: an owner may book outside the online capacity
    rules) prices the occupants given without refusing too many or too few. ``data``: what
    ``load_pricing`` loaded (else it is loaded now for this stay).
    """
    if data is None:
        data = load_pricing([lodging], [(arrival, nights)], promo_codes=[promo_code], tourist_tax=True)
    return _quote(
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        occupants=occupants,
        supplements=supplements,
        booking_date=booking_date,
        promo_code=promo_code,
        online=online,
        now=now,
        deposit_percent=deposit_percent,
        enforce_capacity=enforce_capacity,
        data=data,
    )


def quote_batch(
    *,
    stays: Iterable[tuple[Lodging, date, int]],
    occupants_for: Callable[[Lodging, Pricing], Mapping[int, int] | None],
    promo_code: str = "",
    online: bool = True,
    now: datetime | None = None,
) -> dict[tuple[int, date, int], Quote | StayNotBookable]:
    """The batch entry point: for each (lodging, arrival, nights), the very quote ``quote_stay``
    gives, in a constant number of queries (the public search, a lodging's calendar).
    ``occupants_for(lodging, data)`` gives each lodging's occupants by age bracket (e.g. the party
    searched, as adults of its provider). Returns {(lodging id, arrival, nights): the quote, or why
    that stay cannot be sold}."""
    stays = list(stays)
    lodgings = list({lodging.pk: lodging for lodging, _arrival, _nights in stays}.values())
    data = load_pricing(
        lodgings,
        promo_codes=[promo_code],
        exact=[(lodging.pk, arrival, nights) for lodging, arrival, nights in stays],
    )
    now = now or timezone.now()
    local_now = timezone.localtime(now)  # once: the current time zone is a context-local lookup
    result: dict[tuple[int, date, int], Quote | StayNotBookable] = {}
    for lodging, arrival, nights in stays:
        try:
            result[(lodging.pk, arrival, nights)] = _quote(
                lodging=lodging,
                arrival=arrival,
                nights=nights,
                occupants=occupants_for(lodging, data),
                promo_code=promo_code,
                online=online,
                now=now,
                local_now=local_now,
                data=data,
            )
        except StayNotBookable as error:
            result[(lodging.pk, arrival, nights)] = error
    return result


def adults_of(persons: int) -> Callable[[Lodging, Pricing], dict[int, int]]:
    """``occupants_for`` of a party of ``persons`` people searched without their ages: adults of
    each lodging's provider (its first age bracket)."""

    def occupants(lodging: Lodging, data: Pricing) -> dict[int, int]:
        brackets = data.brackets.get(lodging.provider_id, {})
        if not brackets:
            return {}
        first = min(brackets.values(), key=lambda bracket: (bracket.position, -bracket.age_max))
        return {first.pk: persons}

    return occupants


def _quote(
    *,
    lodging: Lodging,
    arrival: date,
    nights: int,
    occupants: Mapping[int, int] | None,
    supplements: Mapping[int, int] | None = None,
    booking_date: date | None = None,
    promo_code: str = "",
    online: bool = False,
    now: datetime | None = None,
    deposit_percent: Decimal | None = None,
    enforce_capacity: bool = True,
    data: Pricing,
    local_now: datetime | None = None,
) -> Quote:
    now = now or timezone.now()
    local_now = local_now or timezone.localtime(now)
    today = local_now.date()
    booking_date = booking_date or today
    provider = lodging.provider
    check_stay_dates(
        provider=provider,
        arrival=arrival,
        nights=nights,
        online=online,
        now=now,
        local_now=local_now,
        data=data,
    )

    occupants = (
        {int(k): int(v) for k, v in (occupants or {}).items() if int(v) > 0}
        if occupants is not None
        else None
    )
    persons = sum(occupants.values()) if occupants is not None else 0
    if occupants is not None and enforce_capacity:
        occupants_check(lodging=lodging, persons=persons)

    stay_price = _find_stay_price(lodging, arrival, nights, data)
    if stay_price.mode in (StayPrice.Mode.PER_PERSON, StayPrice.Mode.PER_GROUP) and not persons:
        raise StayNotBookable(
            Reason.NO_OCCUPANT, _("This lodging is priced per occupant: give the occupants.")
        )
    brackets = data.brackets.get(lodging.provider_id, {})
    lines = _lodging_lines(stay_price, occupants or {}, brackets)

    net = sum((line.amount for line in lines), ZERO)
    promotion = _best_promotion(lodging, arrival, booking_date, data)
    if promotion is not None:
        reduction = percent_of(net, promotion.percent)
        label = _("Promotion −%(percent)s %%") % {
            "percent": formats.number_format(promotion.percent.normalize())
        }
        lines.append(QuoteLine(LineKind.PROMOTION, label, -reduction, 1, -reduction))
        net -= reduction
    promo = None
    if promo_code.strip():
        promo = _promo_code(lodging, promo_code, arrival, booking_date, data)
        if promo.kind == PromoCode.Kind.PERCENT:
            reduction = percent_of(net, promo.value)
        else:
            reduction = min(round_money(promo.value), net)
        lines.append(
            QuoteLine(
                LineKind.PROMO_CODE,
                _("%(label)s (promo code %(code)s)") % {"label": promo.public_label, "code": promo.code},
                -reduction,
                1,
                -reduction,
            )
        )

    extra_lines, warnings = supplement_lines(lodging, nights, persons, supplements or {}, data)
    lines.extend(extra_lines)
    tax = None
    if data.tax_table is not None and occupants is not None:
        adults = sum(
            count for pk, count in occupants.items() if pk in brackets and is_adult(brackets[pk].age_max)
        )
        tax = lodging_tourist_tax(
            lodging=lodging,
            arrival=arrival,
            nights=nights,
            adults=adults,
            persons=persons,
            stay_price=sum((line.amount for line in lines if line.kind in LODGING_KINDS), ZERO),
            table=data.tax_table,
        )
        if tax is not None and tax.total:
            lines.append(QuoteLine(LineKind.TOURIST_TAX, _("Tourist tax"), tax.total, 1, tax.total))
    percent = (
        deposit_percent
        if deposit_percent is not None
        else deposit_percent_for(provider=provider, arrival=arrival, booking_date=booking_date, data=data)
    )
    return Quote(
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        occupants=occupants or {},
        lines=tuple(lines),
        deposit_percent=percent,
        stay_price=stay_price,
        promotion=promotion,
        promo_code=promo,
        warnings=tuple(warnings),
        due_dates=due_dates(provider=provider, arrival=arrival, booking_date=booking_date, data=data),
        tourist_tax_detail=tax,
    )


# --- the planning's price row ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayPrice:
    """A planning cell: a stay can start that day; its nightly price is that of the shortest stay."""

    nights: int
    sale_price: Decimal
    per_person: bool = False

    @property
    def nightly_price(self) -> Decimal:
        return round_money(self.sale_price / self.nights)


def planning_day_prices(
    *, lodgings: Iterable[Lodging], start: date, end: date, min_nights: int = 1
) -> dict[int, dict[date, DayPrice]]:
    """For each lodging and each day in ``[start, end)`` where a stay can start: the shortest priced
    stay starting that day (at least ``min_nights``). Two queries whatever the size of the range.

    Per-person prices are shown for one occupant of the first age bracket (the adult price).
    """
    lodging_ids = [lodging.pk for lodging in lodgings]
    result: dict[int, dict[date, DayPrice]] = {pk: {} for pk in lodging_ids}
    if not lodging_ids:
        return result
    rows = list(
        StayPrice.objects.filter(
            lodging_id__any=lodging_ids, arrival__gte=start, arrival__lt=end, nights__gte=min_nights
        )
        .order_by("lodging_id", "arrival", "nights")
        .distinct("lodging_id", "arrival")
        .values("id", "lodging_id", "arrival", "nights", "mode", "sale_price")
    )
    per_person_ids = [row["id"] for row in rows if row["mode"] == StayPrice.Mode.PER_PERSON]
    first_bracket_price: dict[int, Decimal] = {}
    if per_person_ids:
        for row in (
            StayPriceBracket.objects.filter(stay_price_id__any=per_person_ids)
            .order_by("stay_price_id", "age_bracket__position", "-age_bracket__age_max")
            .distinct("stay_price_id")
            .values("stay_price_id", "sale_price")
        ):
            first_bracket_price[row["stay_price_id"]] = row["sale_price"]
    for row in rows:
        if row["mode"] == StayPrice.Mode.PER_PERSON:
            price = first_bracket_price.get(row["id"])
            if price is None:
                continue
            result[row["lodging_id"]][row["arrival"]] = DayPrice(row["nights"], price, per_person=True)
        else:
            result[row["lodging_id"]][row["arrival"]] = DayPrice(row["nights"], row["sale_price"])
    return result
