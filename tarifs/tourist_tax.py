"""Taxe de séjour: what a stay owes, from the rates its commune voted (rows, with their year).

The legal facts relied on (check them against the texts each year; the figures themselves are data,
``TouristTaxLaw`` / ``TouristTaxBound`` rows seeded from ``tarifs/reference.py``,
and the office's staff enter the communes' rates, ``TouristTaxRate``):

* **Code général des collectivités territoriales, article L2333-29 and following** (taxe de séjour
  "au réel"): the tax is owed per person and per night ("nuitée") spent in the commune.
* **L2333-30**: the commune (or its EPCI) votes, before 1 July for the next year, a rate per
  category of the legal scale, between the year's floor and ceiling (the scale's limits are revalued
  every year with the consumer price index of the year before last, rounded to the tenth of a euro).
  Categories used here: palaces; hotels, résidences and *meublés de tourisme* 5, 4, 3, 2 and 1 star;
  *chambres d'hôtes* (in the 1-star line of the scale).
* **L2333-30, unclassified lodgings** (awaiting classification or without one — labels such as
  Gîtes de France or Clévacances are not a classification): the rate is a percentage voted between
  1 % and 5 % of the cost per person and night (the price of the lodging, taxes excluded, divided by
  the nights and by *all* the occupants, minors included), capped at the highest rate the commune
  adopted or, if it is lower, at the ceiling of 4-star hotels for that year.
* **L2333-31**: minors (under 18) are exempt, among others (seasonal workers, emergency housing).
* **L3333-1**: a département may vote an additional tax of 10 % of the communal tax, collected with it.
* **L2333-34**: a platform that collects the tax for the owner (Airbnb, Abritel…) declares and pays it
  itself: nights booked through such a platform (our iCal imports) are not declared again here.

How a stay's tax is computed (``tourist_tax_compute``): each night belongs to the year (and month) it
starts in and uses that year's rate, so a stay across 1 January pays each year's rate for its nights.
For each part: rate per adult and night (the category's euros; or, unclassified, the price per person
and night × the percentage, rounded half-up to the cent, then capped) × adults × nights; the
departmental additional tax is that amount × its percentage, rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from common.money import ZERO, percent_of, round_money
from comptes.audit import log_office_action
from comptes.models import Office, Provider
from hebergements.models import Classification, Commune, Lodging
from tarifs.models import (
    TouristTaxBound,
    TouristTaxCategory,
    TouristTaxDepartmental,
    TouristTaxLaw,
    TouristTaxRate,
)

ADULT_AGE = 18


def tax_category(lodging: Lodging) -> TouristTaxCategory:
    """The lodging's category in the legal scale: a guest-rooms provider's rooms are chambres
    d'hôtes; a classified meublé its stars; anything else (labels included) is unclassified."""
    if lodging.provider.kind == Provider.Kind.CHAMBRE_HOTES:
        return TouristTaxCategory.CHAMBRE_HOTES
    if lodging.classification in {
        Classification.ETOILES_1,
        Classification.ETOILES_2,
        Classification.ETOILES_3,
        Classification.ETOILES_4,
        Classification.ETOILES_5,
    }:
        return TouristTaxCategory(lodging.classification)
    return TouristTaxCategory.UNCLASSIFIED


def is_adult(age_max: int) -> bool:
    """The occupants of an age bracket are taxable when the bracket reaches the age of majority.

    Owners set their brackets (the manual's default "Adulte" starts at 17, "Enfant" is 3–16): a
    bracket counts as adults when its upper age is 18 or more, as minors otherwise."""
    return age_max >= ADULT_AGE


# --- the data, loaded at once ---------------------------------------------------------------------


@dataclass
class TaxTable:
    """The rates of some communes and years, what their caps need, and the departmental votes."""

    rates: dict[tuple[int, int, str], Decimal] = field(default_factory=dict)  # commune, year, category
    highest: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # commune, year → euros
    ceiling_4_stars: dict[int, Decimal] = field(default_factory=dict)  # year
    departmental: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # department, year → %

    def cap(self, commune_id: int, year: int) -> Decimal | None:
        """The cap of the proportional rate: the commune's highest rate, or the 4-star ceiling if lower."""
        candidates = [
            value
            for value in (self.highest.get((commune_id, year)), self.ceiling_4_stars.get(year))
            if value is not None
        ]
        return min(candidates) if candidates else None


def years_of(arrival: date, nights: int) -> list[int]:
    return sorted({(arrival + timedelta(days=i)).year for i in range(max(nights, 0))})


def load_tax_table(*, commune_ids: Iterable[int], years: Iterable[int]) -> TaxTable:
    """Everything ``tourist_tax_compute`` reads for these communes and years, in 3 queries."""
    commune_ids, years = sorted(set(commune_ids)), sorted(set(years))
    table = TaxTable()
    if not commune_ids or not years:
        return table
    departments = set()
    for row in TouristTaxRate.objects.filter(commune_id__in=commune_ids, year__in=years).values(
        "commune_id", "commune__department", "year", "category", "rate"
    ):
        table.rates[(row["commune_id"], row["year"], row["category"])] = row["rate"]
        departments.add(row["commune__department"])
        if row["category"] != TouristTaxCategory.UNCLASSIFIED:
            key = (row["commune_id"], row["year"])
            table.highest[key] = max(table.highest.get(key, ZERO), row["rate"])
    if not table.rates:
        return table
    for row in TouristTaxBound.objects.filter(
        law__year__in=years, category=TouristTaxCategory.STARS_4
    ).values("law__year", "maximum"):
        table.ceiling_4_stars[row["law__year"]] = row["maximum"]
    for row in TouristTaxDepartmental.objects.filter(department__in=departments, year__in=years).values(
        "department", "year"
    ):
        table.departmental[(row["department"], row["year"])] = None  # the law's percentage, below
    if table.departmental:
        percents = dict(
            TouristTaxLaw.objects.filter(year__in=years).values_list("year", "departmental_percent")
        )
        table.departmental = {
            (department, year): percents[year]
            for (department, year) in table.departmental
            if percents.get(year)
        }
    return table


# --- the computation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxPart:
    """The nights of a stay in one month (so in one year, at one rate)."""

    month: date  # first day of the month
    nights: int
    adults: int
    persons: int
    rate: Decimal  # euros per adult and night, after the cap
    percent: Decimal | None  # unclassified: the voted percentage
    communal: Decimal
    departmental: Decimal
    departmental_percent: Decimal | None = None

    @property
    def year(self) -> int:
        return self.month.year

    @property
    def amount(self) -> Decimal:
        return self.communal + self.departmental

    @property
    def taxable_nights(self) -> int:
        """Nuitées: adults × nights (what a declaration counts)."""
        return self.adults * self.nights


@dataclass(frozen=True)
class TouristTax:
    category: str
    parts: tuple[TaxPart, ...]

    @property
    def communal(self) -> Decimal:
        return sum((part.communal for part in self.parts), ZERO)

    @property
    def departmental(self) -> Decimal:
        return sum((part.departmental for part in self.parts), ZERO)

    @property
    def total(self) -> Decimal:
        return self.communal + self.departmental

    @property
    def rates(self) -> list[tuple[int, Decimal]]:
        """(year, euros per adult and night, departmental tax included) of each year of the stay."""
        seen: dict[int, Decimal] = {}
        for part in self.parts:
            extra = percent_of(part.rate, part.departmental_percent) if part.departmental_percent else ZERO
            seen.setdefault(part.year, part.rate + extra)
        return sorted(seen.items())


def tourist_tax_compute(
    *,
    category: str,
    commune_id: int | None,
    department: str,
    arrival: date,
    nights: int,
    adults: int,
    persons: int,
    stay_price: Decimal,
    table: TaxTable,
) -> TouristTax | None:
    """The tax of one stay (see the module's docstring), or None when its commune voted no rate for
    its category in any year of the stay. ``stay_price``: the lodging's price for the stay after its
    reductions, supplements excluded (the proportional rate's base)."""
    if commune_id is None or nights < 1:
        return None
    months: dict[date, int] = {}
    for offset in range(nights):
        night = arrival + timedelta(days=offset)
        month = night.replace(day=1)
        months[month] = months.get(month, 0) + 1
    parts = []
    for month, count in months.items():
        rate = table.rates.get((commune_id, month.year, category))
        if rate is None:
            continue
        percent = None
        if category == TouristTaxCategory.UNCLASSIFIED:
            if persons < 1:
                continue
            percent = rate
            rate = percent_of(Decimal(stay_price) / nights / persons, percent)
            cap = table.cap(commune_id, month.year)
            if cap is not None:
                rate = min(rate, cap)
        communal = round_money(rate * adults * count)
        extra = table.departmental.get((department, month.year))
        departmental = percent_of(communal, extra) if extra else ZERO
        parts.append(TaxPart(month, count, adults, persons, rate, percent, communal, departmental, extra))
    if not parts:
        return None
    return TouristTax(category=str(category), parts=tuple(parts))


def lodging_tourist_tax(
    *,
    lodging: Lodging,
    arrival: date,
    nights: int,
    adults: int,
    persons: int,
    stay_price: Decimal,
    table: TaxTable | None = None,
) -> TouristTax | None:
    """``tourist_tax_compute`` for a lodging (its category, commune and département)."""
    if lodging.commune_id is None:
        return None
    if table is None:
        table = load_tax_table(commune_ids=[lodging.commune_id], years=years_of(arrival, nights))
    return tourist_tax_compute(
        category=tax_category(lodging),
        commune_id=lodging.commune_id,
        department=lodging.commune.department if table.departmental else "",
        arrival=arrival,
        nights=nights,
        adults=adults,
        persons=persons,
        stay_price=stay_price,
        table=table,
    )


def tax_sentence(tax: TouristTax | None, *, language: str = "fr") -> str:
    """The contract's sentence, computed: "La taxe de séjour de 0,44 € par jour et par personne
    adulte, soit 6,16 € pour ce séjour, vous sera demandée…" (empty when no tax applies)."""
    from common.money import format_money

    if tax is None or not tax.total:
        return ""
    rates = " / ".join(
        format_money(rate, language) + (f" ({year})" if len(tax.rates) > 1 else "")
        for year, rate in tax.rates
    )
    return _(
        "The tourist tax of %(rate)s per day and per adult, that is %(total)s for this stay, "
        "will be asked of you on arrival."
    ) % {"rate": rates, "total": format_money(tax.total, language)}


# --- the office's screens: rates and departmental votes (services) --------------------------------


def _law(year: int | None) -> TouristTaxLaw | None:
    if year is None:
        return None
    return TouristTaxLaw.objects.filter(year=year).first()


def _money_text(value: Decimal) -> str:
    return formats.number_format(value, 2)


def tourist_tax_rate_check(*, rate: TouristTaxRate) -> None:
    """The rate lies within the legal bounds of its year and category (``ValidationError`` on the
    field otherwise)."""
    if rate.year is None or rate.rate is None or not rate.category:
        return
    law = _law(rate.year)
    if law is None:
        raise ValidationError(
            {
                "year": _("No legal scale is recorded for %(year)s: rates cannot be entered yet.")
                % {"year": rate.year}
            }
        )
    if rate.category == TouristTaxCategory.UNCLASSIFIED:
        low, high, unit = law.proportional_min, law.proportional_max, "%"
    else:
        bound = law.bounds.filter(category=rate.category).first()
        if bound is None:
            raise ValidationError(
                {
                    "category": _("The legal scale of %(year)s has no bounds for this category.")
                    % {"year": rate.year}
                }
            )
        low, high, unit = bound.minimum, bound.maximum, "€"
    if not low <= rate.rate <= high:
        raise ValidationError(
            {
                "rate": _(
                    "In %(year)s the rate for “%(category)s” must be between %(low)s %(unit)s and "
                    "%(high)s %(unit)s (legal scale)."
                )
                % {
                    "year": rate.year,
                    "category": rate.get_category_display(),
                    "low": _money_text(low),
                    "high": _money_text(high),
                    "unit": unit,
                }
            },
            code="out_of_bounds",
        )


def _duplicate_error() -> ValidationError:
    return ValidationError(
        {"category": _("This commune already has a rate for this year and category: edit that one.")},
        code="duplicate",
    )


def tourist_tax_rate_save(
    *,
    office: Office,
    commune: Commune | None,
    year: int | None,
    category: str,
    rate: Decimal | None,
    instance: TouristTaxRate | None = None,
    user=None,
) -> TouristTaxRate:
    """Create or change a commune's rate: within the year's legal bounds, one rate per commune, year
    and category (the database refuses a second one too). ``instance`` must be ``office``'s."""
    if instance is not None and instance.office_id != office.pk:
        raise TouristTaxRate.DoesNotExist
    row = instance or TouristTaxRate(office=office)
    row.commune, row.year, row.category, row.rate = commune, year, category, rate
    row.updated_by = user if user is not None and user.is_authenticated else None
    row.full_clean(validate_constraints=False)
    tourist_tax_rate_check(rate=row)
    clash = TouristTaxRate.objects.filter(commune=commune, year=year, category=category).exclude(pk=row.pk)
    if clash.exists():
        raise _duplicate_error()
    created = row.pk is None
    try:
        with transaction.atomic():
            row.save()
            log_office_action(
                office,
                "office.tourist_tax.rate_created" if created else "office.tourist_tax.rate_changed",
                user=user,
                data=_rate_data(row),
            )
    except IntegrityError as error:  # a concurrent request wrote the same rate first
        raise _duplicate_error() from error
    return row


def _rate_data(row: TouristTaxRate) -> dict:
    return {
        "commune": row.commune.insee_code if row.commune_id else "",
        "commune_name": row.commune.name if row.commune_id else "",
        "year": row.year,
        "category": row.category,
        "rate": str(row.rate),
    }


@transaction.atomic
def tourist_tax_rate_delete(*, office: Office, rate: TouristTaxRate, user=None) -> None:
    if rate.office_id != office.pk:
        raise TouristTaxRate.DoesNotExist
    data = _rate_data(rate)
    rate.delete()
    log_office_action(office, "office.tourist_tax.rate_deleted", user=user, data=data)


def tourist_tax_departmental_add(
    *, office: Office, department: str, year: int | None, user=None
) -> TouristTaxDepartmental:
    """Record that a département voted the additional tax for a year."""
    department = (department or "").strip().upper()
    row = TouristTaxDepartmental(office=office, department=department, year=year)
    row.full_clean(validate_constraints=False)
    if not Commune.objects.filter(department=department).exists():
        raise ValidationError({"department": _("No commune of the catalogue is in this département.")})
    law = _law(year)
    if law is None or not law.departmental_percent:
        raise ValidationError({"year": _("No legal scale is recorded for %(year)s.") % {"year": year}})
    if TouristTaxDepartmental.objects.filter(department=department, year=year).exists():
        raise ValidationError(
            {"department": _("This département already has the additional tax for this year.")},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            row.save()
            log_office_action(
                office,
                "office.tourist_tax.departmental_added",
                user=user,
                data={"department": department, "year": year},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"department": _("This département already has the additional tax for this year.")},
            code="duplicate",
        ) from error
    return row


@transaction.atomic
def tourist_tax_departmental_delete(*, office: Office, row: TouristTaxDepartmental, user=None) -> None:
    if row.office_id != office.pk:
        raise TouristTaxDepartmental.DoesNotExist
    data = {"department": row.department, "year": row.year}
    row.delete()
    log_office_action(office, "office.tourist_tax.departmental_deleted", user=user, data=data)
