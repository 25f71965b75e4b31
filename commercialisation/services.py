"""iCal synchronisation services: export addresses, subscribed feeds, the sync and its schedule.

Every function runs inside the provider's scope (a view's request, or a task's
``provider_scope``), except ``feeds_dispatch_due`` which the beat task runs across providers.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from commercialisation import notifications, selectors
from commercialisation.ical import RESERVATION, FeedError, ParsedFeed, parse_feed
from commercialisation.models import (
    FAILURES_BEFORE_FLAG,
    NOTICE_EMPTY,
    NOTICE_OUTSIDE_WINDOW,
    IcalExport,
    IcalFeed,
    ImportedBlock,
    Platform,
    linkable_blocks,
    unlinked_blocks,
)
from common.http import FetchError, fetch, normalize_url
from common.tasks import enqueue_on_commit
from comptes.assist import is_read_only
from comptes.audit import log_action
from comptes.scoping import scopes_disabled
from hebergements.models import Lodging
from reservations import availability
from reservations.dashboard import alert_badge_forget
from reservations.models import BookingStatus, Stay

logger = logging.getLogger(__name__)

SYNC_INTERVAL = timedelta(minutes=20)
SYNC_JITTER = timedelta(minutes=8)  # interval + jitter stays under 30 minutes
MAX_FEEDS_PER_LODGING = 20
EMPTY_BODY_PLATFORMS = {Platform.BOOKING}  # an empty 200 means "no events" only for these
ACCEPT = "text/calendar, text/plain;q=0.5, */*;q=0.1"
CONFLICT_LOCK_NAMESPACE = 0x1CA1  # pg_advisory_xact_lock(namespace, lodging id)

PLATFORM_HOSTS = (
    ("airbnb.", Platform.AIRBNB),
    ("booking.com", Platform.BOOKING),
    ("abritel.", Platform.ABRITEL),
    ("vrbo.", Platform.ABRITEL),
    ("homeaway.", Platform.ABRITEL),
    ("gites-de-france", Platform.GITES_DE_FRANCE),
    ("google.com", Platform.GOOGLE),
)


class TransientSyncError(Exception):
    """A failure worth retrying soon (timeout, server error); raised instead of recording it when
    the caller still has retries left."""


def lodging_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------------------------------------
# Export address
# ---------------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def export_ensure(*, lodging: Lodging) -> IcalExport | None:
    """The lodging's export (created with a fresh secret token the first time; in assist mode,
    which writes nothing, ``None`` until the owner has one)."""
    if is_read_only():
        return IcalExport.objects.filter(lodging=lodging).first()
    export, _created = IcalExport.objects.get_or_create(
        lodging=lodging, defaults={"provider": lodging.provider, "token": _new_token()}
    )
    return export


@transaction.atomic
def export_token_regenerate(*, lodging: Lodging, user=None) -> IcalExport:
    """A new secret address; the old one answers 404 from now on."""
    export = export_ensure(lodging=lodging)
    export = IcalExport.objects.select_for_update().get(pk=export.pk)
    export.token = _new_token()
    export.token_changed_at = timezone.now()
    export.save(update_fields=["token", "token_changed_at"])
    export_touch(lodging_id=lodging.pk)
    export.refresh_from_db(fields=["version", "changed_at"])
    log_action(lodging, "ical.export.regenerated", user=user)
    return export


def export_touch(*, lodging_id: int) -> None:
    """What the lodging's calendar shows changed: its export gets a new version, in the caller's
    transaction (the export's row stays locked until it commits, so versions follow commits).

    ``changed_at`` (the Last-Modified of the feed) moves forward by at least one second per
    version: a poller using If-Modified-Since (one-second precision) never misses a change made in
    the second it last fetched. Called by the services of this app and, through the change hooks
    of ``reservations.availability`` and ``hebergements.services``, by every change of a file, a
    sale prohibition or the lodging (registered in ``apps.py``)."""
    now = timezone.now().replace(microsecond=0)
    IcalExport.objects.filter(lodging_id=lodging_id).update(
        version=F("version") + 1,
        changed_at=Greatest(Value(now), F("changed_at") + timedelta(seconds=1)),
    )


# Lodging fields the exported calendar shows: its name (X-WR-CALNAME) and its units (a lodging with
# stock exports only the nights where no unit is free).
EXPORTED_LODGING_FIELDS = frozenset({"name", "has_stock", "stock_units"})


def export_touch_for_lodging(lodging: Lodging, fields: frozenset[str]) -> None:
    """``hebergements.services`` change listener: ``fields`` of the lodging were changed."""
    if fields & EXPORTED_LODGING_FIELDS:
        export_touch(lodging_id=lodging.pk)


def export_touch_for_stays(lodging_id: int) -> None:
    """``reservations.availability`` change listener: a file or a sale prohibition changed."""
    export_touch(lodging_id=lodging_id)


# ---------------------------------------------------------------------------------------------
# Subscribed feeds
# ---------------------------------------------------------------------------------------------


def platform_detect(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for fragment, platform in PLATFORM_HOSTS:
        if fragment in host:
            return platform
    return Platform.OTHER


@transaction.atomic
def feed_create(
    *, lodging: Lodging, url: str, name: str = "", platform: str = "", reexport: bool = True, user=None
) -> IcalFeed:
    """Subscribe ``lodging`` to a calendar; its first synchronisation starts at once."""
    try:
        normalized = normalize_url(url)
    except FetchError as error:
        raise ValidationError({"url": error.message}) from error
    duplicate = IcalFeed.objects.filter(url=normalized).select_related("lodging").first()
    if duplicate is not None:
        raise ValidationError(
            {"url": _("This calendar is already subscribed (%(lodging)s).") % {"lodging": duplicate.lodging}}
        )
    if IcalFeed.objects.filter(lodging=lodging).count() >= MAX_FEEDS_PER_LODGING:
        raise ValidationError(
            _("A lodging can subscribe to %(max)s calendars at most.") % {"max": MAX_FEEDS_PER_LODGING}
        )
    platform = platform or platform_detect(normalized)
    feed = IcalFeed(
        provider=lodging.provider,
        lodging=lodging,
        url=normalized,
        platform=platform,
        name=(name or "").strip() or str(Platform(platform).label),
        reexport=reexport,
        next_sync_at=timezone.now() + timedelta(minutes=2),  # safety net if the first sync is lost
    )
    feed.full_clean()
    feed.save()
    log_action(lodging, "ical.feed.added", user=user, data={"feed": feed.name, "url": normalized})
    feeds_sync_request(feeds=[feed])
    return feed


@transaction.atomic
def feed_delete(*, feed: IcalFeed, user=None) -> None:
    """Unsubscribe: the feed's blocks leave the planning with it."""
    log_action(feed.lodging, "ical.feed.removed", user=user, data={"feed": feed.name, "url": feed.url})
    exported = (
        feed.reexport
        and ImportedBlock.objects.filter(feed=feed, kind=ImportedBlock.Kind.RESERVATION).exists()
    )
    lodging_id = feed.lodging_id
    feed.delete()
    if exported:  # its reservations leave the calendar sent to the other platforms
        export_touch(lodging_id=lodging_id)


def feeds_sync_request(*, feeds: list[IcalFeed]) -> list[IcalFeed]:
    """Record a synchronisation request on each feed that has none waiting or running, and prompt a
    worker once the transaction commits. Returns the feeds newly requested.

    The request lives in the database: the feed shows "Synchronising…" (the page polls), and its
    ``next_sync_at`` comes ``ICAL_SYNC_GRACE_SECONDS`` later, so if the broker was down or the
    worker died, the dispatcher (``feeds_dispatch_due``) starts it then; a sync that ran has pushed
    ``next_sync_at`` to its next turn meanwhile. The feeds' rows are locked while deciding, so two
    clicks on "Synchroniser maintenant" start one synchronisation."""
    from commercialisation.tasks import ical_sync_feed

    if not feeds:
        return []
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            IcalFeed.objects.select_for_update().filter(pk__in=[f.pk for f in feeds]).order_by("pk")
        )
        requested = [feed for feed in locked if feed.state != IcalFeed.State.PENDING]
        due = now + timedelta(seconds=settings.ICAL_SYNC_GRACE_SECONDS)
        IcalFeed.objects.filter(pk__in=[feed.pk for feed in requested]).update(
            sync_requested_at=now, next_sync_at=due
        )
        for feed in requested:
            enqueue_on_commit(ical_sync_feed, feed.provider_id, feed.pk)
    requested_pks = {feed.pk for feed in requested}
    for feed in feeds:
        if feed.pk in requested_pks:
            feed.sync_requested_at, feed.next_sync_at = now, due
    return [feed for feed in feeds if feed.pk in requested_pks]


def lodging_sync_now(*, lodging: Lodging) -> list[IcalFeed]:
    """ "Synchroniser maintenant": every feed of the lodging, queued at once (not run here); a feed
    already waiting or synchronising is not asked twice."""
    feeds = list(IcalFeed.objects.filter(lodging=lodging))
    feeds_sync_request(feeds=feeds)
    return feeds


# ---------------------------------------------------------------------------------------------
# Synchronisation
# ---------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    blocks: int = 0  # availability blocks now on the planning
    conflicts: int = 0  # open conflicts of this feed
    ignored: int = 0
    skipped: int = 0  # events that could not be read (their blocks are left as they were)
    notice: str = ""  # models.NOTICE_EMPTY, NOTICE_OUTSIDE_WINDOW or ""
    window_start: str = ""  # the synchronised nights, first and last (ISO dates)
    window_end: str = ""
    unchanged: bool = False
    error: str = ""


def _next_sync(now):
    return now + SYNC_INTERVAL + timedelta(seconds=random.uniform(0, SYNC_JITTER.total_seconds()))  # noqa: S311


def feed_sync(*, feed: IcalFeed, final_attempt: bool = True) -> SyncResult:
    """Fetch the feed, parse it and reconcile its blocks. Never raises for a bad feed: the error is
    recorded on the feed (and the last good state kept), unless ``final_attempt`` is False and the
    failure is transient, in which case ``TransientSyncError`` lets the task retry."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        response = fetch(feed.url, headers=headers, accept=ACCEPT)
        if response.status == 304:
            return _record_success(feed, parsed=None, response_headers=response.headers, digest=None)
        if response.status >= 300:
            raise _status_error(response.status)
        body = response.body
        digest = hashlib.sha256(body).hexdigest()
        if digest == feed.content_hash and feed.last_success_at:
            return _record_success(feed, parsed=None, response_headers=response.headers, digest=digest)
        if not body.strip() and feed.platform in EMPTY_BODY_PLATFORMS:
            parsed = ParsedFeed()
        else:
            parsed = _parse(feed, body, content_type=response.header("content-type"))
        return _record_success(feed, parsed=parsed, response_headers=response.headers, digest=digest)
    except FetchError as error:
        return _record_failure(
            feed, error.code, transient=error.transient, final_attempt=final_attempt, detail=error.detail
        )
    except FeedError as error:
        status = error.params.get("status")
        transient = isinstance(status, int) and (status >= 500 or status == 429)
        return _record_failure(
            feed,
            error.code,
            status=status,
            transient=transient,
            final_attempt=final_attempt,
            detail=str(error.params.get("detail", "")),
        )


def _parse(feed: IcalFeed, body: bytes, *, content_type: str) -> ParsedFeed:
    """Parse untrusted bytes: whatever goes wrong is a ``FeedError``, never a crash of the sync."""
    try:
        return parse_feed(
            body,
            tz=lodging_time_zone(),
            today=selectors.local_today(),
            lodging_id=feed.lodging_id,
            content_type=content_type,
        )
    except FeedError:
        raise
    except Exception as error:  # noqa: BLE001 - a hostile or broken feed must not crash the sync
        logger.warning("iCal feed %s could not be parsed", feed.pk, exc_info=True)
        raise FeedError("invalid", detail=type(error).__name__) from error


def _status_error(status: int) -> FeedError:
    if status == 404 or status == 410:
        return FeedError("not_found", status=status)
    if status in (401, 403):
        return FeedError("forbidden", status=status)
    return FeedError("http_status", status=status)


def _record_failure(
    feed: IcalFeed, code: str, *, transient: bool, final_attempt: bool, status=None, detail: str = ""
) -> SyncResult:
    if transient and not final_attempt:
        raise TransientSyncError(code)
    now = timezone.now()
    with transaction.atomic():
        locked = IcalFeed.objects.select_for_update().filter(pk=feed.pk).first()
        if locked is None:  # unsubscribed meanwhile
            return SyncResult()
        locked.last_attempt_at = now
        locked.last_error_code = code
        locked.last_error_status = status if isinstance(status, int) else None
        locked.last_error_detail = (detail or "")[:500]
        locked.consecutive_failures += 1
        locked.next_sync_at = _next_sync(now)
        notify = locked.consecutive_failures >= FAILURES_BEFORE_FLAG and locked.failure_notified_at is None
        if notify:
            locked.failure_notified_at = now
        locked.save(
            update_fields=[
                "last_attempt_at",
                "last_error_code",
                "last_error_status",
                "last_error_detail",
                "consecutive_failures",
                "next_sync_at",
                "failure_notified_at",
            ]
        )
        if notify:
            data = notifications.feed_failing_data(locked)
            transaction.on_commit(lambda: notifications.notify_feed_failing(**data))
        if locked.consecutive_failures == FAILURES_BEFORE_FLAG:
            alert_badge_forget(locked.provider_id)  # the calendar is now on the badge
    _copy_state(locked, feed)
    logger.debug("iCal feed %s failed: %s %s", feed.pk, code, detail)
    return SyncResult(error=locked.error_message)


def _copy_state(source: IcalFeed, target: IcalFeed) -> None:
    for field in IcalFeed._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _record_success(
    feed: IcalFeed, *, parsed: ParsedFeed | None, response_headers: dict, digest
) -> SyncResult:
    now = timezone.now()
    today = selectors.local_today()
    with transaction.atomic():
        locked = IcalFeed.objects.select_for_update().filter(pk=feed.pk).first()
        if locked is None:  # unsubscribed meanwhile
            return SyncResult()
        result = SyncResult(unchanged=parsed is None)
        exported_changed = False
        if parsed is not None:
            exported_changed = _reconcile(locked, parsed, result, today=today)
            _describe(parsed, result)
        else:  # not parsed again: what the previous parse said about the content still holds
            previous = locked.last_result or {}
            result.skipped = int(previous.get("skipped") or 0)
            result.notice = str(previous.get("notice") or "")
            result.window_start = str(previous.get("window_start") or "")
            result.window_end = str(previous.get("window_end") or "")
        if digest is not None:  # a full answer (200): its validators replace the old ones
            locked.content_hash = digest
            locked.etag = response_headers.get("etag", "")[:500]
            locked.last_modified = response_headers.get("last-modified", "")[:100]
        else:  # 304: the server may refresh its validators
            locked.etag = response_headers.get("etag", locked.etag)[:500]
            locked.last_modified = response_headers.get("last-modified", locked.last_modified)[:100]
        result.blocks = ImportedBlock.objects.filter(feed=locked, kind=ImportedBlock.Kind.UNAVAILABLE).count()
        result.conflicts = conflicts_refresh(lodging=locked.lodging, feed=locked)
        if exported_changed:  # after the conflicts' lock, in the order bookings take them
            export_touch(lodging_id=locked.lodging_id)
        if locked.consecutive_failures >= FAILURES_BEFORE_FLAG:
            alert_badge_forget(locked.provider_id)  # no longer failing: off the badge
        locked.last_attempt_at = now
        locked.last_success_at = now
        locked.last_error_code = ""
        locked.last_error_status = None
        locked.last_error_detail = ""
        locked.consecutive_failures = 0
        locked.failure_notified_at = None
        locked.next_sync_at = _next_sync(now)
        locked.last_result = {k: v for k, v in asdict(result).items() if k != "error"}
        locked.save()
    _copy_state(locked, feed)
    return result


def _describe(parsed: ParsedFeed, result: SyncResult) -> None:
    """What the owner is told about the feed's content, next to it on the synchronisation pages."""
    result.skipped = parsed.skipped
    if parsed.is_empty:
        result.notice = NOTICE_EMPTY
    elif parsed.only_outside_window:
        result.notice = NOTICE_OUTSIDE_WINDOW
    if parsed.window_start is not None and parsed.window_end is not None:
        result.window_start = parsed.window_start.isoformat()
        result.window_end = (parsed.window_end - timedelta(days=1)).isoformat()


def _reconcile(feed: IcalFeed, parsed: ParsedFeed, result: SyncResult, *, today) -> bool:
    """Make the feed's blocks what the feed says now, by key (UID, or dates for availability masks).

    Reservations gone from the feed are removed only if not yet ended; masks are replaced. Returns
    whether a reservation the lodging's export re-sends to the other platforms was created, changed
    or removed (the export then needs a new version)."""
    existing = {block.uid: block for block in ImportedBlock.objects.filter(feed=feed)}
    now = timezone.now()
    to_create, to_update = [], []
    reservations_touched = False  # a reservation block changed kind or was removed
    for event in parsed.events:
        block = existing.pop(event.key, None)
        if block is None:
            to_create.append(
                ImportedBlock(
                    provider_id=feed.provider_id,
                    lodging_id=feed.lodging_id,
                    feed=feed,
                    uid=event.key,
                    kind=event.kind,
                    summary=event.summary,
                    tentative=event.tentative,
                    arrival=event.arrival,
                    departure=event.departure,
                )
            )
            if event.kind == RESERVATION:
                result.created += 1
            continue
        fields = {
            "kind": event.kind,
            "summary": event.summary,
            "tentative": event.tentative,
            "arrival": event.arrival,
            "departure": event.departure,
        }
        if any(getattr(block, name) != value for name, value in fields.items()):
            reservations_touched = reservations_touched or block.kind == RESERVATION
            for name, value in fields.items():
                setattr(block, name, value)
            block.updated_at = now
            to_update.append(block)
            if event.kind == RESERVATION:
                result.updated += 1
    to_delete = []
    for key, block in existing.items():
        if parsed.keeps(key):
            continue
        if block.kind == ImportedBlock.Kind.RESERVATION:
            if block.departure <= today:
                continue  # ended: kept as history even when the platform drops it
            result.removed += 1
            reservations_touched = True
        to_delete.append(block.pk)
    if to_delete:
        ImportedBlock.objects.filter(pk__in=to_delete).delete()
    if to_update:
        ImportedBlock.objects.bulk_update(
            to_update, ["kind", "summary", "tentative", "arrival", "departure", "updated_at"], batch_size=500
        )
        if any(block.booking_id for block in to_update):
            alert_badge_forget(feed.provider_id)  # a reservation made into a file may have moved
    if to_create:
        ImportedBlock.objects.bulk_create(to_create, batch_size=500)
    result.ignored = parsed.ignored + parsed.echoes
    if not feed.reexport:
        return False
    return bool(
        reservations_touched
        or any(block.kind == RESERVATION for block in to_create)
        or any(block.kind == RESERVATION for block in to_update)
    )


def _conflicts(lodging: Lodging, blocks: list[ImportedBlock], since) -> dict[int, int]:
    """{block id: the booking file it clashes with} for the platform reservations among ``blocks``.

    One unit: a reservation overlapping an active booking file. N units: a reservation on a night
    where the files and the imported blocks together take more than the lodging's units."""
    reservations = [b for b in blocks if b.kind == ImportedBlock.Kind.RESERVATION]
    if not reservations:
        return {}
    start = max(since, min(b.arrival for b in reservations))
    end = max(b.departure for b in reservations)
    files = list(
        availability.active_stays([lodging.pk], start, end)
        .filter(kind=Stay.Kind.BOOKING)
        .order_by("arrival", "id")
        .values("booking_id", "arrival", "departure")
    )
    capacity = availability.capacity_of(lodging)
    over: set = set()
    if capacity > 1:
        taken = [availability.Taken(f["arrival"], f["departure"]) for f in files] + [
            availability.Taken(b.arrival, b.departure, 1, availability.EXTERNAL) for b in blocks
        ]
        nights = availability.count_nights(availability.capacity_by_night(lodging, start, end), taken)
        over = {day for day, night in nights.items() if night.over_capacity and night.booked}
    found = {}
    for block in reservations:
        for row in files:
            if row["booking_id"] == block.booking_id:
                continue  # its own file (the platform moved the dates since): the same guest
            if row["arrival"] < block.departure and row["departure"] > block.arrival:
                days = availability.days_between(
                    max(row["arrival"], block.arrival), min(row["departure"], block.departure)
                )
                if capacity == 1 or over.intersection(days):
                    found[block.pk] = row["booking_id"]
                    break
    return found


@transaction.atomic
def conflicts_refresh(*, lodging: Lodging, feed: IcalFeed | None = None) -> int:
    """Flag new conflicts of the lodging (one e-mail each, after commit) and clear resolved ones.

    Called after each sync of one of its feeds and, through ``reservations.availability``'s change
    listeners, in the transaction of every booking change of the lodging, so pages only read the
    stored flags. Returns the number of open conflicts (of ``feed`` when given). Runs inside the
    caller's transaction; syncs of two feeds of one lodging take turns here (advisory lock), so a
    conflict is mailed once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CONFLICT_LOCK_NAMESPACE, lodging.pk])
    today = selectors.local_today()
    # A block made into an active booking file is that file: it never clashes with it.
    blocks = list(
        ImportedBlock.objects.filter(unlinked_blocks(), lodging=lodging, departure__gt=today).only(
            "pk",
            "booking_id",
            "feed_id",
            "kind",
            "arrival",
            "departure",
            "in_conflict",
            "conflict_booking_id",
            "conflict_notified_at",
        )
    )
    linked = list(
        ImportedBlock.objects.filter(lodging=lodging, departure__gt=today, in_conflict=True)
        .exclude(unlinked_blocks())
        .only("pk", "in_conflict", "conflict_booking_id", "conflict_notified_at")
    )
    found = _conflicts(lodging, blocks, today)
    blocks += linked  # flags of blocks made into files are cleared below
    now = timezone.now()
    changed, new = [], []
    for block in blocks:
        booking_id = found.get(block.pk)
        conflict = booking_id is not None
        if conflict and block.conflict_notified_at is None:
            block.conflict_notified_at = now
            new.append(block.pk)
        elif not conflict and block.conflict_notified_at is not None:
            block.conflict_notified_at = None
        elif (block.in_conflict, block.conflict_booking_id) == (conflict, booking_id):
            continue
        block.in_conflict, block.conflict_booking_id = conflict, booking_id
        changed.append(block)
    if changed:
        ImportedBlock.objects.bulk_update(
            changed, ["in_conflict", "conflict_booking", "conflict_notified_at"], batch_size=500
        )
        alert_badge_forget(lodging.provider_id)
    for view in selectors.conflicts_by_pk(new):
        data = notifications.conflict_data(view, lodging)
        transaction.on_commit(lambda pk=view.pk, data=data: _notify_conflict_if_open(pk, data))
    return sum(1 for b in blocks if found.get(b.pk) and (feed is None or b.feed_id == feed.pk))


def _notify_conflict_if_open(block_pk: int, data: dict) -> None:
    """Mail a new conflict once the transaction that found it committed, unless that transaction
    resolved it already (a file made from the very block: "Créer le dossier")."""
    with scopes_disabled():
        still_open = ImportedBlock.objects.filter(pk=block_pk, in_conflict=True).exists()
    if still_open:
        notifications.notify_conflict(**data)


def conflicts_refresh_for(lodging_id: int) -> None:
    """``reservations.availability`` change listener: a booking of the lodging changed."""
    lodging = Lodging.objects.filter(pk=lodging_id).first()
    if lodging is not None and ImportedBlock.objects.filter(lodging_id=lodging_id).exists():
        conflicts_refresh(lodging=lodging)


# ---------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------


def feeds_dispatch_due(*, limit: int = 2000, spread_seconds: float = 55.0) -> int:
    """Enqueue the synchronisation of every feed that is due, spread over ``spread_seconds``.

    Runs across providers (beat). Each feed's next time is pushed back at once, so a feed is never
    dispatched twice while its task waits in the queue; only by ``ICAL_SYNC_GRACE_SECONDS`` past
    the spread, though (the sync itself sets its next turn), so a task lost with the broker or a
    killed worker is dispatched again minutes later, not at the feed's next turn."""
    from commercialisation.tasks import ical_sync_feed

    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        due = list(
            IcalFeed.objects.select_for_update(skip_locked=True)
            .filter(next_sync_at__lte=now)
            .order_by("next_sync_at")
            .values_list("pk", "provider_id")[:limit]
        )
        if not due:
            return 0
        retry_at = now + timedelta(seconds=spread_seconds + settings.ICAL_SYNC_GRACE_SECONDS)
        IcalFeed.objects.filter(pk__in=[pk for pk, _ in due]).update(next_sync_at=retry_at)
        for pk, provider_pk in due:
            countdown = random.uniform(0, spread_seconds)  # noqa: S311 - spreading, not security
            enqueue_on_commit(ical_sync_feed, provider_pk, pk, countdown=countdown)
    return len(due)


# ---------------------------------------------------------------------------------------------
# "Créer le dossier": a platform's reservation becomes a booking file
# ---------------------------------------------------------------------------------------------

# What platforms write instead of a guest's name ("Reserved", "Airbnb (Not available)",
# "CLOSED - Not available"): never taken for a name.
_NOT_A_NAME = ("reserved", "not available", "closed", "blocked", "unavailable", "booked", "réservé")


def guest_name_guess(summary: str) -> str:
    """The guest's name a platform's summary carries ("Reserved - Ossipian" → "Ossipian"), or ""."""
    parts = [part.strip() for part in (summary or "").split(" - ") if part.strip()]
    for part in reversed(parts):
        lowered = part.lower()
        if not any(word in lowered for word in _NOT_A_NAME) and any(ch.isalpha() for ch in part):
            return part[:100]
    return ""


def imported_block_for_file(block_pk: int) -> ImportedBlock | None:
    """The platform's reservation a file can be made from (inside the provider's scope), or None:
    an availability block, a block made into an active file already, or one in conflict."""
    return (
        ImportedBlock.objects.filter(linkable_blocks(), pk=block_pk, kind=ImportedBlock.Kind.RESERVATION)
        .select_related("feed", "lodging", "lodging__provider")
        .first()
    )


@transaction.atomic
def imported_block_booking_create(
    *,
    block: ImportedBlock,
    client_data: dict,
    occupants: dict[int, int],
    amount,
    client=None,
    user=None,
):
    """Make a booking file of a platform's reservation ("Créer le dossier"): its dates, the guest's
    name, origin "iCal platform" with the platform's name as its site, and the amount the platform
    gives, recorded as the platform's price (audited) — for ``client`` (a returning guest) or a new
    client of ``client_data``. The file is confirmed (the platform took the
    booking) and linked to the block, which then no longer takes the nights, shows on the planning
    or clashes: the file does. Raises ``ValidationError`` (fields of ``booking_create``)."""
    from reservations import services as booking_services
    from reservations.models import BookingOrigin

    # The feed's row first, as a synchronisation takes it before it rewrites the feed's blocks.
    IcalFeed.objects.select_for_update().filter(pk=block.feed_id).first()
    locked = (
        ImportedBlock.objects.select_for_update(of=("self",), no_key=True)
        .select_related("feed", "lodging")
        .filter(pk=block.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This reservation is no longer in the platform’s calendar."))
    if locked.kind != ImportedBlock.Kind.RESERVATION:
        raise ValidationError(_("Only a platform’s reservation can become a file."))
    if not ImportedBlock.objects.filter(linkable_blocks(), pk=locked.pk).exists():
        raise booking_services.AlreadyDone(_("A file was already made from this reservation."))
    if amount is None:
        raise ValidationError({"price": _("Give the amount of the reservation on the platform.")})
    platform = str(Platform(locked.feed.platform).label)
    booking = booking_services.booking_create(
        provider=locked.lodging.provider,
        lodging=locked.lodging,
        arrival=locked.arrival,
        departure=locked.departure,
        occupants=occupants,
        client=client,
        client_data=None if client is not None else client_data,
        origin=BookingOrigin.ICAL,
        origin_site=platform,
        platform_amount=amount,
        user=user,
    )
    if booking.status == BookingStatus.OPTION:
        booking = booking_services.booking_confirm(booking=booking, user=user)
    locked.booking = booking
    locked.save(update_fields=["booking", "updated_at"])
    log_action(
        booking,
        "booking.ical.created",
        user=user,
        data={
            "platform": platform,
            "feed": locked.feed.name,
            "uid": locked.uid,
            "arrival": locked.arrival.isoformat(),
            "departure": locked.departure.isoformat(),
            "amount": str(booking.total_amount),
        },
    )
    conflicts_refresh(lodging=locked.lodging)  # the block was flagged against its own file meanwhile
    return booking
