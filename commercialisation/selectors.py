"""Read-side queries of the iCal synchronisation, shared by pages (planning, dashboard, sync pages)
and the export. Every function runs inside the provider's scope."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import InterfaceError, OperationalError, connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from commercialisation.ical import ExportEvent, export_uid
from commercialisation.models import (
    FAILURES_BEFORE_FLAG,
    IcalExport,
    IcalFeed,
    ImportedBlock,
    Platform,
    unlinked_blocks,
)
from comptes.models import Provider
from hebergements.models import Lodging
from reservations import availability
from reservations.models import BookingStatus, Stay

ACTIVE_BOOKING_STATUSES = (BookingStatus.OPTION, BookingStatus.CONFIRMED, BookingStatus.PAID)
EXPORT_PAST_DAYS = 7  # the export leaves out what ended more than a week ago


def local_today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class BlockView:
    """One imported block as the planning and the dashboard draw it."""

    pk: int
    lodging_id: int
    feed_id: int
    feed_name: str
    platform: str
    platform_label: str
    kind: str  # "reservation" or "unavailable"
    summary: str
    arrival: date
    departure: date
    tentative: bool
    conflict: bool
    conflict_booking_id: int | None = None
    conflict_booking_number: int | None = None
    lodging_name: str = ""
    file_id: int | None = None  # the active booking file made from it ("Créer le dossier")
    file_number: int | None = None

    @property
    def can_become_file(self) -> bool:
        """A platform's reservation with no file made from it, and not clashing with a file."""
        return self.kind == ImportedBlock.Kind.RESERVATION and self.file_id is None and not self.conflict

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    def covers(self, day: date) -> bool:
        return self.arrival <= day < self.departure


def _block_views(queryset: QuerySet) -> list[BlockView]:
    """Imported blocks as pages draw them; conflicts are the flags stored by ``conflicts_refresh``."""
    rows = queryset
    return [
        BlockView(
            pk=row["pk"],
            lodging_id=row["lodging_id"],
            feed_id=row["feed_id"],
            feed_name=row["feed__name"],
            platform=row["feed__platform"],
            platform_label=str(Platform(row["feed__platform"]).label),
            kind=row["kind"],
            summary=row["summary"],
            arrival=row["arrival"],
            departure=row["departure"],
            tentative=row["tentative"],
            conflict=row["in_conflict"],
            conflict_booking_id=row["conflict_booking_id"] if row["in_conflict"] else None,
            conflict_booking_number=row["conflict_booking__number"] if row["in_conflict"] else None,
            lodging_name=row["lodging__name"],
            file_id=row["booking_id"]
            if row["booking__status"] not in (None, BookingStatus.CANCELLED)
            else None,
            file_number=row["booking__number"],
        )
        for row in rows.values(
            "pk",
            "lodging_id",
            "feed_id",
            "feed__name",
            "feed__platform",
            "kind",
            "summary",
            "arrival",
            "departure",
            "tentative",
            "in_conflict",
            "conflict_booking_id",
            "conflict_booking__number",
            "lodging__name",
            "booking_id",
            "booking__number",
            "booking__status",
        )
    ]


def imported_blocks(lodgings: Iterable[Lodging | int], start: date, end: date) -> dict[int, list[BlockView]]:
    """Imported blocks touching ``[start, end)``, per lodging id, in one query.

    For the planning: each block has its dates (half-open), platform, colour, summary and whether
    it is in conflict with a booking file. Lodgings without blocks have an empty list. A block
    made into a booking file ("Créer le dossier") is left out: the file is drawn instead.
    """
    ids = [lodging if isinstance(lodging, int) else lodging.pk for lodging in lodgings]
    result: dict[int, list[BlockView]] = {pk: [] for pk in ids}
    if not ids:
        return result
    queryset = ImportedBlock.objects.filter(
        unlinked_blocks(), lodging_id__in=ids, arrival__lt=end, departure__gt=start
    ).order_by("lodging_id", "arrival", "id")
    for block in _block_views(queryset):
        result[block.lodging_id].append(block)
    return result


def open_conflicts(provider: Provider) -> list[BlockView]:
    """Platform reservations overlapping a booking file and not yet over (dashboard, sync page)."""
    queryset = ImportedBlock.objects.filter(provider=provider, in_conflict=True, departure__gt=local_today())
    return _block_views(queryset.order_by("arrival", "id"))


def failing_feeds(provider: Provider) -> list[IcalFeed]:
    """Feeds that failed several times in a row (to flag to the owner)."""
    return list(
        IcalFeed.objects.filter(provider=provider, consecutive_failures__gte=FAILURES_BEFORE_FLAG)
        .select_related("lodging")
        .order_by("lodging__position", "lodging__number", "id")
    )


def feeds_overview(provider: Provider) -> list[Lodging]:
    """Every lodging (not archived) with its feeds prefetched as ``feeds`` — two queries."""
    return list(
        Lodging.objects.active()
        .filter(provider=provider)
        .select_related("provider")
        .prefetch_related(
            Prefetch("ical_feeds", queryset=IcalFeed.objects.order_by("created_at", "id"), to_attr="feeds")
        )
        .order_by("position", "number")
    )


def upcoming_blocks(lodging: Lodging, *, limit: int = 50) -> list[BlockView]:
    """What the lodging's feeds block from today on (the per-lodging sync page)."""
    queryset = ImportedBlock.objects.filter(lodging=lodging, departure__gt=local_today()).order_by(
        "arrival", "id"
    )
    return _block_views(queryset[:limit])


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _export_stays(lodging_id: int) -> QuerySet:
    since = local_today() - timedelta(days=EXPORT_PAST_DAYS)
    return Stay.objects.filter(lodging_id=lodging_id, active=True, departure__gte=since).filter(
        Q(kind=Stay.Kind.PROHIBITION) | Q(kind=Stay.Kind.BOOKING, booking__status__in=ACTIVE_BOOKING_STATUSES)
    )


def _export_blocks(lodging_id: int, exclude_feed_id: int | None) -> QuerySet:
    since = local_today() - timedelta(days=EXPORT_PAST_DAYS)
    queryset = ImportedBlock.objects.filter(
        unlinked_blocks(),  # a block made into a file: the file's stay is exported instead
        lodging_id=lodging_id,
        kind=ImportedBlock.Kind.RESERVATION,
        feed__reexport=True,
        departure__gte=since,
    )
    if exclude_feed_id is not None:
        queryset = queryset.exclude(feed_id=exclude_feed_id)
    return queryset


@dataclass(frozen=True)
class ExportHead:
    """What a request for an export needs before anything is rendered: one row, found by token."""

    pk: int
    lodging_id: int
    provider_id: int
    token: str
    version: int
    changed_at: datetime
    feed_found: bool = True  # the platform named by the address is a feed of the lodging

    def etag(self, *, feed_id: int | None, today: date) -> str:
        """Strong validator of the body: the version, the platform it is given to and the day (what
        ended more than ``EXPORT_PAST_DAYS`` ago leaves the calendar as days pass)."""
        raw = f"{self.pk}:{self.version}:{feed_id or 0}:{today:%Y%m%d}"
        return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'

    def last_modified(self, *, today: date) -> datetime:
        """The last change, or the start of the day when the window moved since."""
        day_start = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
        return max(self.changed_at, day_start)

    def cache_key(self, *, feed_id: int | None, today: date) -> tuple:
        return (self.pk, self.token, self.version, feed_id, today)


def _fetch_one_checked(sql: str, params: list) -> tuple | None:
    """One row of ``sql``, the query itself standing for the connection's health check: Django's
    ``CONN_HEALTH_CHECKS`` would first send a ``SELECT 1`` — a second round trip on a poller's 304.
    A connection found broken (the database restarted) is closed and the query run once more on a
    new one, as the health check would have done."""
    if not connection.in_atomic_block:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


@functools.cache
def _export_head_sql(with_feed: bool) -> str:
    """The lookup of ``export_head`` as one plain statement, written once: a poller's 304 is the
    hottest path of the site, and building the query through the ORM costs more than running it."""
    export, feed = IcalExport._meta, IcalFeed._meta
    quote = connection.ops.quote_name

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    fields = ("id", "lodging", "provider", "token", "version", "changed_at")
    columns = ", ".join(f"e.{column(export, name)}" for name in fields)
    found = "TRUE"
    if with_feed:
        feeds, lodging = quote(feed.db_table), column(export, "lodging")
        feed_lodging = column(feed, "lodging")
        found = f"EXISTS (SELECT 1 FROM {feeds} f WHERE f.id = %s AND f.{feed_lodging} = e.{lodging})"  # noqa: S608
    table = quote(export.db_table)
    return f"SELECT {columns}, {found} FROM {table} e WHERE e.{column(export, 'token')} = %s"  # noqa: S608


def export_head(*, token: str, feed_id: int | None = None) -> ExportHead | None:
    """The export of ``token`` (and whether ``feed_id`` is one of its lodging's feeds): one query
    on the unique index of the token (and the primary key of the feed). Public: the token is the
    only key, so no tenant scope applies (the row found names its provider)."""
    params = [feed_id, token] if feed_id is not None else [token]
    row = _fetch_one_checked(_export_head_sql(feed_id is not None), params)
    if row is None:
        return None
    pk, lodging_id, provider_id, token, version, changed_at, feed_found = row
    return ExportHead(pk, lodging_id, provider_id, token, version, changed_at, feed_found)


def export_events(
    export: IcalExport, *, exclude_feed_id: int | None = None, booked: str, closed: str
) -> list[ExportEvent]:
    """The export's events: active booking files and sale prohibitions, plus the reservations of
    feeds whose events are re-exported (never those of ``exclude_feed_id``, nor the files made from
    them with "Créer le dossier"). No guest data.

    Everything read here changes only with a new version of the export (``services.export_touch``):
    an event's LAST-MODIFIED is its stay's or block's ``updated_at``, never the file's (a payment
    changes the file, not the calendar).

    A lodging with stock closes a night only when no unit is free: its events are the runs of full
    nights (``reservations.availability`` counts them), not each file."""
    lodging_id = export.lodging_id
    stays = _export_stays(lodging_id)
    if exclude_feed_id is not None:  # a file made from this platform's reservation is its own echo
        made_here = ImportedBlock.objects.filter(feed_id=exclude_feed_id, booking__isnull=False)
        stays = stays.exclude(booking_id__in=made_here.values("booking_id"))
    stays = list(
        stays.order_by("arrival", "id").values("pk", "kind", "arrival", "departure", "units", "updated_at")
    )
    blocks = list(
        _export_blocks(lodging_id, exclude_feed_id)
        .order_by("arrival", "id")
        .values("pk", "arrival", "departure", "updated_at")
    )
    if availability.capacity_of(export.lodging) > 1:
        return _full_nights_events(export.lodging, stays, blocks, booked=booked, closed=closed)
    events = [
        ExportEvent(
            uid=export_uid(lodging_id, "stay", row["pk"]),
            arrival=row["arrival"],
            departure=row["departure"],
            summary=booked if row["kind"] == Stay.Kind.BOOKING else closed,
            last_modified=row["updated_at"],
        )
        for row in stays
    ]
    events += [
        ExportEvent(
            uid=export_uid(lodging_id, "block", row["pk"]),
            arrival=row["arrival"],
            departure=row["departure"],
            summary=booked,
            last_modified=row["updated_at"],
        )
        for row in blocks
    ]
    return events


def _full_nights_events(lodging: Lodging, stays: list[dict], blocks: list[dict], *, booked: str, closed: str):
    if not stays and not blocks:
        return []
    start = min(row["arrival"] for row in stays + blocks)
    end = max(row["departure"] for row in stays + blocks)
    taken = [availability.Taken(r["arrival"], r["departure"], r["units"], r["kind"]) for r in stays] + [
        availability.Taken(r["arrival"], r["departure"], 1, availability.EXTERNAL) for r in blocks
    ]
    nights = availability.count_nights(availability.capacity_by_night(lodging, start, end), taken)
    changed = max([r["updated_at"] for r in stays] + [r["updated_at"] for r in blocks])
    events, run = [], []
    for day in sorted(nights) + [None]:
        night = nights.get(day) if day is not None else None
        if night is not None and night.free == 0:
            run.append(night)
            continue
        if run:
            first, last = run[0].day, run[-1].day + timedelta(days=1)
            only_closed = all(n.prohibited >= n.capacity for n in run)
            events.append(
                ExportEvent(
                    uid=export_uid(lodging.pk, "full", int(first.strftime("%Y%m%d"))),
                    arrival=first,
                    departure=last,
                    summary=closed if only_closed else booked,
                    last_modified=changed,
                )
            )
            run = []
    return events


def conflicts_by_pk(pks: Iterable[int]) -> list[BlockView]:
    return _block_views(ImportedBlock.objects.filter(pk__in=list(pks)).order_by("arrival", "id"))
