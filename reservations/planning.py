"""The planning ("Mon planning"): every lodging of the provider, two rows per day.

``build_planning(provider=, start=, days=)`` returns plain data for the template in a constant
number of queries, whatever the number of lodgings, days and bookings: one for the lodgings, one
for the stays and prohibitions (with their files and clients), the price engine's
``planning_day_prices`` for the "Prix nuitée" row, plus one call of each registered block source.

Extension point for other apps (dependencies point one way: ``commercialisation`` knows
``reservations``, never the reverse)::

    from reservations.planning import PlanningBlock, register_block_source

    def imported_blocks(lodgings, start, end):
        # one or two queries for all lodgings, never one per lodging
        return {lodging_id: [PlanningBlock(arrival=…, departure=…, label="Airbnb",
                                           kind=PlanningBlock.IMPORTED), …]}

    register_block_source(imported_blocks)  # e.g. in AppConfig.ready()

A source is called once per planning render with the lodgings shown and the half-open period
``[start, end)``; it returns ``{lodging_id: [PlanningBlock, …]}``. Its blocks are drawn on the
"Réservations" row next to the file blocks (kind ``imported``, or ``conflict`` in red when it clashes
with a stay); a block that overlaps another one goes to a second lane instead of hiding it.

Day states come from ``reservations.availability`` (the one count of units): which days the owner
can still book or close depends on our own rows only; a lodging with stock also shows its free units
per day ("2/3"), imported blocks taking one unit each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from common.money import format_money
from hebergements.models import Lodging
from reservations import availability
from reservations.models import BookingStatus, Stay
from tarifs.engine import DayPrice, planning_day_prices

NORMAL_DAYS = 21  # "12 février 2021 - 4 mars 2021"
COMPACT_DAYS = 45  # "1 mai 2024 - 14 juin 2024"


@dataclass(frozen=True)
class PlanningBlock:
    """A coloured block on the "Réservations" row, from ``arrival`` to ``departure`` (excluded)."""

    OPTION = "option"
    CONFIRMED = "confirmed"
    PAID = "paid"
    PROHIBITION = "prohibition"
    IMPORTED = "imported"
    CONFLICT = "conflict"

    arrival: date
    departure: date
    label: str
    kind: str
    url: str = ""
    link_label: str = ""
    summary: tuple[str, ...] = ()
    check: bool = False  # a ✓ before the label (paid files)
    booking_id: int | None = None
    tone: str = ""  # a palette class of its own (imported blocks: their platform, "tone-airbnb")
    legend: str = ""  # its entry in the legend when its colour is not one of the fixed ones

    @property
    def swatch(self) -> str:
        """The classes of its colour in the legend."""
        return f"pl-{self.kind} tone-{self.tone}" if self.tone else f"pl-{self.kind}"


BlockSource = Callable[[Sequence[Lodging], date, date], Mapping[int, Iterable[PlanningBlock]]]
_block_sources: list[BlockSource] = []


def register_block_source(source: BlockSource) -> BlockSource:
    """Add a source of extra planning blocks (idempotent; usable as a decorator)."""
    if source not in _block_sources:
        _block_sources.append(source)
    return source


def unregister_block_source(source: BlockSource) -> None:
    if source in _block_sources:
        _block_sources.remove(source)


@dataclass
class PlacedBlock:
    block: PlanningBlock
    column: int  # grid column of the first day shown (1 = the first day of the period)
    span: int
    lane: int
    continues_before: bool
    continues_after: bool


@dataclass
class DayCell:
    day: date
    column: int
    state: str  # free | partial | booked | prohibited (our own rows: what the owner can select)
    price: DayPrice | None
    free: int = 1  # units free that night, imported blocks counted
    capacity: int = 1


@dataclass
class LodgingPlanning:
    lodging: Lodging
    cells: list[DayCell]
    blocks: list[PlacedBlock]
    lanes: int = 1
    capacity: int = 1

    @property
    def with_stock(self) -> bool:
        return self.capacity > 1


@dataclass
class DayHeader:
    day: date
    column: int
    weekday: str  # "Mer." (normal) / "M" (compact)
    number: int
    weekend: bool
    today: bool
    month_start: bool


@dataclass
class MonthHeader:
    label: str
    column: int
    span: int


@dataclass
class Planning:
    start: date
    end: date  # excluded
    compact: bool
    headers: list[DayHeader]
    months: list[MonthHeader]
    lodgings: list[LodgingPlanning] = field(default_factory=list)

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(swatch classes, label) of every other colour in use on this page: each platform's
        imported blocks, conflicts, test files — in the order they first appear."""
        seen: dict[str, str] = {}
        for row in self.lodgings:
            for placed in row.blocks:
                block = placed.block
                if block.legend and block.legend not in seen:
                    seen[block.legend] = block.swatch
        return [(swatch, label) for label, swatch in seen.items()]

    @property
    def owner_blocks(self) -> bool:
        """Some lodging shown is labelled Clévacances: its prohibitions are "owner blocks"."""
        return any(row.lodging.is_clevacances for row in self.lodgings)

    @property
    def other_prohibitions(self) -> bool:
        """Some lodging shown is not labelled Clévacances ("Sale prohibition")."""
        return any(not row.lodging.is_clevacances for row in self.lodgings) or not self.lodgings

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _headers(start: date, days: int, today: date, compact: bool) -> tuple[list[DayHeader], list[MonthHeader]]:
    headers, months = [], []
    for index in range(days):
        day = start + timedelta(days=index)
        weekday = formats.date_format(day, "D").rstrip(".")
        headers.append(
            DayHeader(
                day=day,
                column=index + 1,
                weekday=weekday[:1].upper() if compact else f"{weekday[:1].upper()}{weekday[1:3]}.",
                number=day.day,
                weekend=day.isoweekday() >= 6,
                today=day == today,
                month_start=day.day == 1 and index > 0,
            )
        )
        if index == 0 or day.day == 1:
            months.append(MonthHeader(formats.date_format(day, "YEAR_MONTH_FORMAT"), index + 1, 0))
        months[-1].span += 1
    return headers, months


class _Words:
    """Labels and formats looked up once per planning render (hundreds of blocks share them)."""

    def __init__(self):
        self.short_date = formats.get_format("SHORT_DATE_FORMAT")
        self.status = {value: str(label) for value, label in BookingStatus.choices}
        self.period = _("From %(arrival)s to %(departure)s")
        self.total = _("Total")
        self.link = _("Go to file no. %(number)s")
        self.prohibition = _("Sale prohibition")
        self.owner_block = _("Owner block")
        self.test_legend = _("Test file")
        self.test = pgettext("planning", "TEST")
        self.language = get_language() or "fr"
        self._days: dict[date, str] = {}
        marker = 987654321
        self._file_url = reverse("reservations:booking_detail", kwargs={"booking_pk": marker}).replace(
            str(marker), "{}"
        )

    @staticmethod
    def units(count: int) -> str:
        return ngettext("%(count)d unit", "%(count)d units", count) % {"count": count}

    def day(self, value: date) -> str:
        """A date as the planning writes it, formatted once per render."""
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = dateformat.format(value, self.short_date)
        return text

    def file_url(self, booking_pk: int) -> str:
        """The file's page (the URL is reversed once per render, not per block)."""
        return self._file_url.format(booking_pk)


def _summary(stay: Stay, words: _Words) -> tuple[str, ...]:
    booking, client = stay.booking, stay.booking.client
    place = " ".join(part for part in (client.postcode, client.city.upper()) if part)
    if client.country:
        place = f"{place} - {client.country.upper()}" if place else client.country.upper()
    lines = [
        client.display_name.upper(),
        place,
        client.phone1 or client.phone2 or client.phone3,
        client.email,
        words.period % {"arrival": words.day(stay.arrival), "departure": words.day(stay.departure)},
        f"{words.status.get(booking.status, booking.status)} — {words.total} "
        f"{format_money(booking.total_amount, words.language)}",
    ]
    return tuple(line for line in lines if line)


def stay_block(stay: Stay, words: _Words | None = None, *, owner_block: bool = False) -> PlanningBlock:
    """The block of a booked stay or of a sale prohibition (``owner_block``: a Clévacances lodging's,
    called "Blocage propriétaire")."""
    words = words or _Words()
    if stay.kind == Stay.Kind.PROHIBITION:
        label = words.owner_block if owner_block else words.prohibition
        if stay.units is not None:
            label = f"{label} ({words.units(stay.units)})"
        return PlanningBlock(stay.arrival, stay.departure, label, PlanningBlock.PROHIBITION)
    booking = stay.booking
    kind = {
        BookingStatus.OPTION: PlanningBlock.OPTION,
        BookingStatus.CONFIRMED: PlanningBlock.CONFIRMED,
        BookingStatus.PAID: PlanningBlock.PAID,
    }.get(booking.status, PlanningBlock.OPTION)
    label = f"{booking.client.display_name.upper()} n°{booking.display_number}"
    return PlanningBlock(
        arrival=stay.arrival,
        departure=stay.departure,
        label=f"{words.test} · {label}" if booking.is_test else label,
        kind=kind,
        url=words.file_url(booking.pk),
        link_label=words.link % {"number": booking.display_number},
        summary=_summary(stay, words),
        check=kind == PlanningBlock.PAID,
        booking_id=booking.pk,
        tone="test" if booking.is_test else "",  # a test file ("Tests de réservation"): dashed
        legend=words.test_legend if booking.is_test else "",
    )


def _place(blocks: list[PlanningBlock], start: date, end: date) -> tuple[list[PlacedBlock], int]:
    """Grid positions; a block overlapping one already placed goes to the next free lane."""
    lanes: list[list[tuple[date, date]]] = []
    placed = []
    for block in blocks:
        first, last = max(block.arrival, start), min(block.departure, end)
        if first >= last:
            continue
        lane = next(
            (index for index, taken in enumerate(lanes) if all(last <= a or first >= d for a, d in taken)),
            len(lanes),
        )
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((first, last))
        placed.append(
            PlacedBlock(
                block=block,
                column=(first - start).days + 1,
                span=(last - first).days,
                lane=lane,
                continues_before=block.arrival < start,
                continues_after=block.departure > end,
            )
        )
    return placed, max(1, len(lanes))


_STAY_FIELDS = (
    "id",
    "lodging_id",
    "kind",
    "units",
    "arrival",
    "departure",
    "booking__id",
    "booking__number",
    "booking__is_test",
    "booking__status",
    "booking__total_amount",
    "booking__client__last_name",
    "booking__client__first_name",
    "booking__client__postcode",
    "booking__client__city",
    "booking__client__country",
    "booking__client__phone1",
    "booking__client__phone2",
    "booking__client__phone3",
    "booking__client__email",
)


PAGE_SIZE = 30  # lodgings per planning page: an office with 500 lodgings gets pages of bounded size


def planning_lodgings(*, text: str = "", kind: str = ""):
    """The lodgings shown on the planning (inside the provider's scope), in the menu's order;
    ``text`` searches names and references, ``kind`` a lodging type."""
    queryset = Lodging.objects.active().select_related("provider")
    for word in text.split():
        condition = Q(name__unaccent__icontains=word)
        number = word.rsplit("-", 1)[-1]
        if "-" in word and number.isdigit() and len(number) < 9:  # a reference: OSMB-92750-3
            condition |= Q(number=int(number))
        queryset = queryset.filter(condition)
    if kind:
        queryset = queryset.filter(lodging_type=kind)
    return queryset


def build_planning(
    *,
    start: date,
    days: int,
    today: date,
    compact: bool = False,
    lodgings: Sequence[Lodging] | None = None,
) -> Planning:
    """The planning for ``days`` days from ``start`` of ``lodgings`` (a page of them), by default
    every lodging of the current provider (scope)."""
    end = start + timedelta(days=days)
    headers, months = _headers(start, days, today, compact)
    planning = Planning(start=start, end=end, compact=compact, headers=headers, months=months)
    lodgings = list(planning_lodgings() if lodgings is None else lodgings)
    if not lodgings:
        return planning
    words = _Words()

    ids = [lodging.pk for lodging in lodgings]
    stays_by_lodging: dict[int, list[Stay]] = {pk: [] for pk in ids}
    for stay in (
        availability.active_stays(ids, start, end)
        .select_related("booking", "booking__client")
        .only(*_STAY_FIELDS)
        .order_by("arrival", "id")
    ):
        stays_by_lodging[stay.lodging_id].append(stay)
    prices = planning_day_prices(lodgings=lodgings, start=start, end=end)
    # Imported blocks take a unit of a lodging with stock (its "2/3" row); one-unit lodgings show
    # them as blocks only, so their query is skipped when no lodging has stock.
    stock_ids = [lodging.pk for lodging in lodgings if availability.capacity_of(lodging) > 1]
    external = {pk: [] for pk in ids}
    if stock_ids:
        external.update(availability.external_taken(stock_ids, start, end))
    extra: dict[int, list[PlanningBlock]] = {pk: [] for pk in ids}
    for source in list(_block_sources):
        for lodging_id, blocks in (source(lodgings, start, end) or {}).items():
            if lodging_id in extra:
                extra[lodging_id].extend(blocks)

    for lodging in lodgings:
        stays = stays_by_lodging[lodging.pk]
        taken = [availability.Taken(s.arrival, s.departure, s.units, s.kind) for s in stays]
        nights = availability.count_nights(
            availability.capacity_by_night(lodging, start, end), taken + external[lodging.pk]
        )
        lodging_prices = prices.get(lodging.pk, {})
        cells = []
        for header in headers:
            night = nights[header.day]
            cells.append(
                DayCell(
                    day=header.day,
                    column=header.column,
                    state=night.own.state,
                    price=lodging_prices.get(header.day),
                    free=night.free,
                    capacity=night.capacity,
                )
            )
        owner_block = lodging.is_clevacances
        blocks = [stay_block(stay, words, owner_block=owner_block) for stay in stays] + sorted(
            extra[lodging.pk], key=lambda block: (block.arrival, block.departure)
        )
        placed, lanes = _place(blocks, start, end)
        planning.lodgings.append(
            LodgingPlanning(
                lodging=lodging,
                cells=cells,
                blocks=placed,
                lanes=lanes,
                capacity=availability.capacity_of(lodging),
            )
        )
    return planning
