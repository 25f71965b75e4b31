"""What the office's screens read about its territory: figures, commission, taxe de séjour.

Every function takes the office and reads its providers' files only (``provider__office=office``),
across providers, so with the tenant scope disabled inside — never another office's data. Files
marked as tests never count (``_counted``: the one line that leaves them out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django_scopes import scopes_disabled

from common.money import ZERO, percent_of
from comptes.models import Office, Provider
from reservations.models import Booking, BookingStatus, Stay
from reservations.selectors import ONLINE_ORIGINS, PROVIDER_TZ, local_midnight, months_between
from reservations.tourist_tax import stays_tourist_tax, taxable_stays
from tarifs.models import TouristTaxCategory


def season_bounds(today: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The season the office chose, 1 January – 31 December of this year by default (a reversed
    range is put back in order)."""
    start = start or date(today.year, 1, 1)
    end = end or date(start.year, 12, 31)
    return (start, end) if start <= end else (end, start)


def _counted(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    """Test files never count (the one place to change when the test-file filter moves)."""
    return queryset.filter(is_test=False)


def _office_files(office: Office) -> QuerySet[Booking]:
    return _counted(Booking.objects.filter(provider__office=office))


# --- territory figures ------------------------------------------------------------------------------


FIGURES_MAX_MONTHS = 24  # a month per column: a longer range would only draw an unreadable table


@dataclass
class FigureRow:
    """One provider's (or the territory's) files of one month, or of the whole season."""

    files: int = 0
    revenue: Decimal = ZERO
    online_files: int = 0
    online_revenue: Decimal = ZERO
    cancelled: int = 0

    def add(self, other: FigureRow) -> None:
        self.files += other.files
        self.revenue += other.revenue
        self.online_files += other.online_files
        self.online_revenue += other.online_revenue
        self.cancelled += other.cancelled

    @property
    def online_share(self) -> Decimal | None:
        """The online revenue as a percentage of the revenue (None when there is no revenue)."""
        if not self.revenue:
            return None
        return (self.online_revenue * 100 / self.revenue).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ProviderFigures:
    provider: Provider
    months: dict[date, FigureRow]
    season: FigureRow


@dataclass
class TerritoryFigures:
    start: date
    end: date
    months: list[date]
    providers: list[ProviderFigures]
    by_month: dict[date, FigureRow]
    season: FigureRow


def territory_figures(*, office: Office, start: date, end: date) -> TerritoryFigures:
    """Files booked from ``start`` to ``end`` (the day of booking, Paris time) by provider and month:
    files and revenue (not cancelled), online files and revenue (origin internet or widget, not
    cancelled), cancellations. Two queries. At most ``FIGURES_MAX_MONTHS`` months from ``start``."""
    last = date(start.year + FIGURES_MAX_MONTHS // 12, start.month, 1) - timedelta(days=1)
    end = min(end, last)
    months = months_between(start, end)
    with scopes_disabled():
        rows = (
            _office_files(office)
            .filter(
                created_at__gte=local_midnight(start), created_at__lt=local_midnight(end + timedelta(days=1))
            )
            .annotate(month=TruncMonth("created_at", tzinfo=PROVIDER_TZ))
            .values("provider_id", "month")
            .annotate(
                files=Count("pk", filter=~Q(status=BookingStatus.CANCELLED)),
                revenue=Sum("total_amount", filter=~Q(status=BookingStatus.CANCELLED)),
                online_files=Count(
                    "pk", filter=Q(origin__in=ONLINE_ORIGINS) & ~Q(status=BookingStatus.CANCELLED)
                ),
                online_revenue=Sum(
                    "total_amount", filter=Q(origin__in=ONLINE_ORIGINS) & ~Q(status=BookingStatus.CANCELLED)
                ),
                cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            )
            .order_by()
        )
        providers = list(Provider.objects.filter(office=office).order_by("number"))
    found: dict[int, dict[date, FigureRow]] = defaultdict(dict)
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        found[row["provider_id"]][month] = FigureRow(
            row["files"],
            row["revenue"] or ZERO,
            row["online_files"],
            row["online_revenue"] or ZERO,
            row["cancelled"],
        )
    by_month = {month: FigureRow() for month in months}
    season = FigureRow()
    result = []
    for provider in providers:
        own = FigureRow()
        provider_months = {}
        for month in months:
            figure = found[provider.pk].get(month, FigureRow())
            provider_months[month] = figure
            own.add(figure)
            by_month[month].add(figure)
        season.add(own)
        result.append(ProviderFigures(provider, provider_months, own))
    return TerritoryFigures(start, end, months, result, by_month, season)


# --- the commission ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionLine:
    booking: Booking
    total: Decimal  # the file's total (``Booking.total_amount``, written by ``booking_refresh``)
    commission: Decimal  # rounded half-up, per file


@dataclass
class ProviderCommission:
    provider: Provider
    lines: list[CommissionLine] = field(default_factory=list)

    @property
    def sales(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def commission(self) -> Decimal:
        return sum((line.commission for line in self.lines), ZERO)


@dataclass
class CommissionReport:
    start: date
    end: date
    rate: Decimal
    providers: list[ProviderCommission]

    @property
    def lines(self) -> list[CommissionLine]:
        return [line for provider in self.providers for line in provider.lines]

    @property
    def sales(self) -> Decimal:
        return sum((provider.sales for provider in self.providers), ZERO)

    @property
    def commission(self) -> Decimal:
        return sum((provider.commission for provider in self.providers), ZERO)


def commission_files(*, office: Office, start: date, end: date) -> QuerySet[Booking]:
    """The files the commission is on: online sales and pré-réservations (origin internet or
    widget — not local, phone or iCal), not cancelled, not tests, arriving from ``start`` to ``end``."""
    return (
        _office_files(office)
        .filter(origin__in=ONLINE_ORIGINS, first_arrival__gte=start, first_arrival__lte=end)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("provider", "client")
        .order_by("provider__number", "first_arrival", "number")
    )


def commission_report(*, office: Office, start: date, end: date) -> CommissionReport:
    """The office's commission for a season: its rate (``Office.commission_rate``) × each file's
    total, rounded half-up per file; a total per provider; the total is the sum of the lines. One
    query."""
    rate = office.commission_rate
    providers: dict[int, ProviderCommission] = {}
    with scopes_disabled():
        for booking in commission_files(office=office, start=start, end=end):
            entry = providers.setdefault(booking.provider_id, ProviderCommission(booking.provider))
            entry.lines.append(
                CommissionLine(booking, booking.total_amount, percent_of(booking.total_amount, rate))
            )
    return CommissionReport(start, end, rate, list(providers.values()))


# --- the taxe de séjour declaration -----------------------------------------------------------------


@dataclass
class TaxReportRow:
    """One commune, month, category and rate: what the declaration asks."""

    commune_name: str
    insee_code: str
    month: date
    category: str
    rate: Decimal  # euros per adult and night
    percent: Decimal | None
    stays: int = 0
    nights: int = 0  # nights of the stays
    people: int = 0  # taxable people (adults)
    exempt: int = 0  # minors
    taxable_nights: int = 0  # adults × nights ("nuitées")
    communal: Decimal = ZERO
    departmental: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.communal + self.departmental

    @property
    def category_label(self) -> str:
        return TouristTaxCategory(self.category).label


def tourist_tax_report(*, office: Office, start: date, end: date) -> list[TaxReportRow]:
    """The taxe de séjour of the office's providers' files, per commune and month (then category and
    rate), for the nights from ``start`` to ``end``: cancelled files, test files and the nights a
    platform sold are left out. Four queries whatever the number of files."""
    first_month, last_month = start.replace(day=1), end.replace(day=1)
    with scopes_disabled():
        stays = taxable_stays(
            Stay.objects.filter(
                provider__office=office,
                booking__is_test=False,
                arrival__lte=end,
                departure__gt=start,
            ).exclude(booking__status=BookingStatus.CANCELLED)
        )
        taxed = stays_tourist_tax(stays)
    rows: dict[tuple, TaxReportRow] = {}
    for stay, tax in taxed:
        commune = stay.lodging.commune
        for part in tax.parts:
            if not first_month <= part.month <= last_month:
                continue
            key = (commune.name, commune.insee_code, part.month, tax.category, part.rate, part.percent)
            row = rows.get(key)
            if row is None:
                row = rows[key] = TaxReportRow(
                    commune.name, commune.insee_code, part.month, tax.category, part.rate, part.percent
                )
            row.stays += 1
            row.nights += part.nights
            row.people += part.adults
            row.exempt += part.persons - part.adults
            row.taxable_nights += part.taxable_nights
            row.communal += part.communal
            row.departmental += part.departmental
    return sorted(rows.values(), key=lambda row: (row.commune_name, row.insee_code, row.month, row.category))
