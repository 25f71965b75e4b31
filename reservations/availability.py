"""Availability: the one module that says what a lodging can still sell, night by night.

Every caller uses it — the planning's day states, the booking and prohibition services, the iCal
export, the public search and booking pages (and the refuges' places later). Nothing else decides
whether a night is free.

Capacity
    A lodging has ``capacity_of(lodging)`` units: one (a gîte), or N identical units ("Hébergement
    avec stock : Oui / nombre d'unités"). On every night, the units taken by active rows of
    ``reservations.Stay`` (a booking takes one unit; a sale prohibition takes every unit unless the
    owner gives a number, ``units`` empty) may not exceed the capacity. Blocks imported from other
    platforms (iCal) take one unit each: they never refuse a write (a clash is a conflict to show),
    but a public page never sells a night they fill. Refuges (places per night by stock type, with
    openings and closures) will plug in here: ``capacity_by_night`` is the one place that says how
    many units a night offers, and rows take places instead of units.

Lock discipline
    A write that makes a lodging less available calls ``reserve()`` inside its transaction:
    the lodging's row is locked (``SELECT … FOR NO KEY UPDATE``) *before* counting, the count is
    taken after the lock, and the row is written before the transaction commits, so writers of one
    lodging queue up and two of them can never both see the last free unit. Locks are taken in one
    order: provider (numbering), then booking file, then lodging. Rows of a one-unit lodging are
    also refused by the database itself (exclusion constraint ``stay_no_overlap`` on ``exclusive``
    rows); ``guard()`` turns its refusal into the same message.

Overlap tests are written with the range operator on ``stay_period()`` (``&&``) so that PostgreSQL
uses the gist index ``stay_active_period`` whatever the lodging's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.utils.translation import gettext as _

from common.lookups import IntArray
from hebergements.models import Lodging
from reservations.models import Stay, stay_period

ONE_DAY = timedelta(days=1)
STAY_OVERLAP_CONSTRAINT = "stay_no_overlap"


def dates_unavailable_message() -> str:
    return _("These dates are no longer available.")


def capacity_of(lodging: Lodging) -> int:
    """How many identical units the lodging sells each night (1 for a lodging without stock)."""
    if lodging.has_stock and lodging.stock_units and lodging.stock_units > 1:
        return int(lodging.stock_units)
    return 1


def capacity_by_night(lodging: Lodging, start: date, end: date) -> dict[date, int]:
    """How many units each night of ``[start, end)`` offers (refuges: openings and closures here)."""
    capacity = capacity_of(lodging)
    return dict.fromkeys(days_between(start, end), capacity)


def days_between(start: date, end: date) -> list[date]:
    """The nights of ``[start, end)``."""
    return [start + timedelta(days=offset) for offset in range(max(0, (end - start).days))]


def check_dates(arrival: date | None, departure: date | None) -> int:
    """The number of nights of ``[arrival, departure)``, or a ``ValidationError`` on the dates."""
    if arrival is None:
        raise ValidationError({"arrival": _("Give the arrival date.")})
    if departure is None:
        raise ValidationError({"departure": _("Give the departure date.")})
    if departure < arrival:
        raise ValidationError({"departure": _("The departure date must be after the arrival date.")})
    if departure == arrival:
        raise ValidationError({"departure": _("A stay lasts at least one night.")})
    return (departure - arrival).days


# --- what takes a unit: our rows, and rows of other apps (iCal imports) ---------------------------


@dataclass(frozen=True)
class Taken:
    """Something that takes units of a lodging on ``[arrival, departure)``; ``units`` None: every unit."""

    arrival: date
    departure: date
    units: int | None = 1
    kind: str = Stay.Kind.BOOKING  # booking | prohibition | external


EXTERNAL = "external"

# A source of units taken outside ``Stay`` (``commercialisation`` registers the imported iCal
# blocks): called with lodging ids and a period, it returns {lodging id: [Taken, …]} in a constant
# number of queries.
ExternalSource = Callable[[Sequence[int], date, date], Mapping[int, Iterable[Taken]]]
_external_sources: list[ExternalSource] = []


def register_external_source(source: ExternalSource) -> ExternalSource:
    """Add a source of units taken outside ``Stay`` (idempotent; usable as a decorator)."""
    if source not in _external_sources:
        _external_sources.append(source)
    return source


def overlapping(queryset: QuerySet, start: date, end: date) -> QuerySet:
    """Rows of ``queryset`` (stays, or any model with ``arrival`` / ``departure``) overlapping
    ``[start, end)``, written with ``&&`` on the indexed range expression."""
    return queryset.annotate(period=stay_period()).filter(
        period__overlap=stay_period(Value(start), Value(end))
    )


def active_stays(lodging_ids: Iterable[int], start: date, end: date) -> QuerySet[Stay]:
    """Active stays and sale prohibitions of the lodgings overlapping ``[start, end)``."""
    return overlapping(Stay.objects.filter(lodging_id__any=IntArray(lodging_ids), active=True), start, end)


def external_taken(lodging_ids: Sequence[int], start: date, end: date) -> dict[int, list[Taken]]:
    """Units taken outside ``Stay`` (imported iCal blocks), from every registered source."""
    taken: dict[int, list[Taken]] = {pk: [] for pk in lodging_ids}
    for source in list(_external_sources):
        for lodging_id, rows in (source(lodging_ids, start, end) or {}).items():
            if lodging_id in taken:
                taken[lodging_id].extend(rows)
    return taken


def _taken_rows(
    lodging_ids: Sequence[int], start: date, end: date, *, exclude_stay_id: int | None, external: bool
) -> dict[int, list[Taken]]:
    taken: dict[int, list[Taken]] = {pk: [] for pk in lodging_ids}
    stays = active_stays(lodging_ids, start, end)
    if exclude_stay_id is not None:
        stays = stays.exclude(pk=exclude_stay_id)
    for row in stays.values("lodging_id", "arrival", "departure", "units", "kind"):
        taken[row["lodging_id"]].append(Taken(row["arrival"], row["departure"], row["units"], row["kind"]))
    if external:
        for lodging_id, rows in external_taken(lodging_ids, start, end).items():
            taken[lodging_id].extend(rows)
    return taken


# --- counting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    """One night of one lodging: its capacity and what takes it."""

    day: date
    capacity: int
    booked: int = 0  # units taken by booking files
    prohibited: int = 0  # units closed by sale prohibitions
    external: int = 0  # units taken by imported blocks

    @property
    def taken(self) -> int:
        return self.booked + self.prohibited + self.external

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def over_capacity(self) -> bool:
        return self.taken > self.capacity

    @property
    def own(self) -> Night:
        """The night as our own rows take it (imported blocks left out): what the owner may still
        book or close from the back office."""
        return Night(self.day, self.capacity, self.booked, self.prohibited, 0)

    @property
    def state(self) -> str:
        """free (nothing taken) | partial (some units left) | prohibited (closed by the owner) |
        booked (no unit left)."""
        if self.free == self.capacity:
            return "free"
        if self.free > 0:
            return "partial"
        if self.prohibited >= self.capacity or (self.prohibited and not self.booked):
            return "prohibited"
        return "booked"


def count_nights(
    capacity: Mapping[date, int], rows: Iterable[Taken], *, include_external: bool = True
) -> dict[date, Night]:
    """The one count: for each night of ``capacity``, the units taken by ``rows``."""
    booked = dict.fromkeys(capacity, 0)
    prohibited = dict.fromkeys(capacity, 0)
    external = dict.fromkeys(capacity, 0)
    for row in rows:
        if row.kind == EXTERNAL and not include_external:
            continue
        target = {Stay.Kind.PROHIBITION: prohibited, EXTERNAL: external}.get(row.kind, booked)
        day = row.arrival
        while day < row.departure:
            if day in capacity:
                target[day] += capacity[day] if row.units is None else row.units
            day += ONE_DAY
    return {
        day: Night(day, units, booked[day], min(prohibited[day], units), external[day])
        for day, units in capacity.items()
    }


def nights(
    lodgings: Sequence[Lodging],
    start: date,
    end: date,
    *,
    include_external: bool = True,
    exclude_stay: Stay | None = None,
) -> dict[int, dict[date, Night]]:
    """Each night of ``[start, end)`` of each lodging: capacity and units taken. One query for our
    rows plus one per external source, whatever the number of lodgings and days."""
    ids = [lodging.pk for lodging in lodgings]
    if not ids:
        return {}
    taken = _taken_rows(
        ids,
        start,
        end,
        exclude_stay_id=exclude_stay.pk if exclude_stay is not None else None,
        external=include_external,
    )
    return {
        lodging.pk: count_nights(
            capacity_by_night(lodging, start, end), taken[lodging.pk], include_external=include_external
        )
        for lodging in lodgings
    }


def free_units(
    lodgings: Sequence[Lodging], start: date, end: date, *, include_external: bool = True
) -> dict[int, dict[date, int]]:
    """What is free on these days, per lodging: {lodging id: {night: free units}}."""
    return {
        lodging_id: {day: night.free for day, night in by_day.items()}
        for lodging_id, by_day in nights(lodgings, start, end, include_external=include_external).items()
    }


def free_throughout(
    lodgings: Sequence[Lodging], start: date, end: date, *, include_external: bool = True
) -> set[int]:
    """The ids of ``lodgings`` with a unit free on every night of ``[start, end)``: what a search
    asks of hundreds of lodgings at once. The same count as ``free_units``, from the same rows; a
    lodging that nothing takes in the window is free without counting its nights one by one."""
    ids = [lodging.pk for lodging in lodgings]
    if not ids:
        return set()
    taken = _taken_rows(ids, start, end, exclude_stay_id=None, external=include_external)
    free = set()
    for lodging in lodgings:
        rows = taken[lodging.pk]
        if rows:
            by_night = count_nights(
                capacity_by_night(lodging, start, end), rows, include_external=include_external
            )
            if not all(night.free > 0 for night in by_night.values()):
                continue
        free.add(lodging.pk)
    return free


def stay_is_free(
    *,
    lodging: Lodging,
    arrival: date,
    departure: date,
    units: int | None = 1,
    exclude_stay: Stay | None = None,
    include_external: bool = False,
) -> bool:
    """``units`` (None: every unit) are free on each night of ``[arrival, departure)``. A hint for
    forms and pages; ``reserve()`` decides at write time, under the lock."""
    by_day = nights(
        [lodging], arrival, departure, include_external=include_external, exclude_stay=exclude_stay
    )[lodging.pk]
    return all(night.free >= (night.capacity if units is None else units) for night in by_day.values())


def stay_is_sellable(*, lodging: Lodging, arrival: date, departure: date) -> bool:
    """A guest may book one unit of ``[arrival, departure)``: free of files, prohibitions and
    imported blocks (whether a price exists is the price engine's to say)."""
    return stay_is_free(lodging=lodging, arrival=arrival, departure=departure, include_external=True)


# --- what other apps derive from availability (conflicts of imported blocks) --------------------

ChangeListener = Callable[[int], None]
_change_listeners: list[ChangeListener] = []


def register_change_listener(listener: ChangeListener) -> ChangeListener:
    """Call ``listener(lodging_id)`` inside the transaction of every change of a lodging's stays —
    booking files and sale prohibitions (``commercialisation`` refreshes the conflict flags of its
    imported blocks and the version of the lodging's iCal export). Listeners run in the order they
    were registered."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)
    return listener


def changed(lodging_id: int) -> None:
    """The stays of the lodging changed: a file or a sale prohibition created, moved, cancelled or
    deleted."""
    for listener in list(_change_listeners):
        listener(lodging_id)


# --- writing under the lock ------------------------------------------------------------------------


def lock_lodging(lodging: Lodging) -> Lodging:
    """The lodging's row, locked until the end of the transaction: writers of one lodging queue up.

    ``FOR NO KEY UPDATE``: other transactions may still insert rows referencing the lodging (their
    foreign-key checks take KEY SHARE locks)."""
    return Lodging.objects.select_for_update(no_key=True).get(pk=lodging.pk)


def reserve(
    *,
    lodging: Lodging,
    arrival: date,
    departure: date,
    units: int | None = 1,
    exclude_stay: Stay | None = None,
    field: str = "arrival",
) -> bool:
    """Lock the lodging, then check that ``units`` (None: every unit) are free on each night of
    ``[arrival, departure)`` among our own rows (imported blocks never refuse a write). Raises
    ``ValidationError`` on ``field`` otherwise. Call it inside the transaction that then writes the
    row; returns whether the row is ``exclusive`` (a one-unit lodging: the exclusion constraint
    guards it too)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve() must run inside the transaction that writes the stay.")
    locked = lock_lodging(lodging)
    if not stay_is_free(
        lodging=locked, arrival=arrival, departure=departure, units=units, exclude_stay=exclude_stay
    ):
        raise ValidationError({field: dates_unavailable_message()})
    return capacity_of(locked) == 1


def _is_overlap(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == STAY_OVERLAP_CONSTRAINT


@contextmanager
def guard(field: str = "arrival") -> Iterator[None]:
    """Run the write of a stay inside a savepoint; an overlap refused by the exclusion constraint
    becomes the same form error on the dates as a refusal by ``reserve()``."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if _is_overlap(error):
            raise ValidationError({field: dates_unavailable_message()}) from error
        raise
