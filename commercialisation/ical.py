"""iCalendar (RFC 5545) for the lodging calendars: the serializer of our exports and the tolerant
parser of the feeds other platforms publish. Pure functions, no database.

Parsing rules (what Airbnb, Booking.com, Abritel/VRBO, Google Calendar, Smoobu and others really send):

* bytes first: a BOM is dropped, CRLF/LF/CR are all line ends, folded lines are unfolded *before*
  decoding, so a fold inside a multi-byte character ("Réservée") survives; UTF-8, else cp1252;
* all-day events stay dates (never converted through UTC); timed events (UTC, TZID — an IANA zone
  or one defined by the feed's VTIMEZONE —, floating) become dates in the lodging's time zone; a
  calendar-wide ``X-WR-TIMEZONE`` (Google) gives floating times their zone (``x-wr-timezone``); a
  missing DTEND means one day; DURATION is honoured;
* recurrence (RRULE, RDATE — dates, date-times or periods —, EXDATE, RECURRENCE-ID overrides) is
  expanded inside the sync window by ``recurring-ical-events``; each occurrence is keyed by its UID
  and its original start. Sub-daily rules, rules firing several times a day and rules running more
  than ``MAX_RULE_ITERATIONS`` periods before the window's end are not expanded; the expansion of a
  feed stops after ``EXPANSION_SECONDS``; at most ``MAX_OCCURRENCES`` occurrences fall in the window;
* ``STATUS:CANCELLED`` events and cancelled occurrences are dropped;
* arrival / departure markers are not stays: a **one-day** event whose summary, without accents
  and case, starts with "check-in", "check in", "checkin", "check-out", "checkout", "arrivée",
  "arrival", "départ" or "departure" (Smoobu and other channel managers publish "Check-in Jean
  Dupont" on the arrival day and "Check-out Jean Dupont" on the departure day next to the stay
  itself) blocks no night and raises no conflict;
* availability blocks ("Airbnb (Not available)", "CLOSED - Not available", "Indisponible",
  "Blocked"…) get new UIDs and shift every day on some platforms: they are merged into date ranges
  keyed by their dates (an availability mask), never taken for new reservations;
* events our own export produced for the same lodging (our UIDs) are ignored, so two calendars
  subscribed to each other never echo;
* an event that cannot be used as it is (a PERIOD DTSTART, an unreadable EXDATE, an end before its
  start, a rule beyond the limits…) is skipped and counted in ``ParsedFeed.skipped``, and the blocks
  it made before are kept; the rest of the feed is imported. ``parse_feed`` raises ``FeedError`` for
  a feed that cannot be used at all, and no other exception.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from time import monotonic
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext_lazy as _
from icalendar.prop import vDDDLists, vRecur

logger = logging.getLogger(__name__)

PRODID = "-//Open Pro//Open Pro iCal export 1.0//FR"
UID_DOMAIN = "openpro.ical"
REFRESH_INTERVAL = "PT30M"
MAX_COMPONENTS = 5000  # VEVENTs in one feed
MAX_OCCURRENCES = 20000  # events and occurrences inside the sync window, after expansion
MAX_RULE_ITERATIONS = 20000  # per RRULE: periods (FREQ x INTERVAL) from its DTSTART to the window's end
EXPANSION_SECONDS = 20.0  # per feed: recurring events left when it is spent are skipped
PAST_DAYS = 3  # events that ended more than this many days ago are ignored
FUTURE_DAYS = 3 * 366  # the window reaches at least two years ahead (three, here)

FEED_ERRORS = {
    "http_status": _("The platform answered with an error (HTTP %(status)s)."),
    "not_found": _("The calendar address was not found (HTTP 404): check the link given by the platform."),
    "forbidden": _("The platform refused access to the calendar (HTTP %(status)s): check the link."),
    "html": _("The address answered a web page, not a calendar: check that you copied the iCal export link."),
    "not_calendar": _("The answer is not an iCal calendar."),
    "truncated": _("The calendar is incomplete (it does not end with END:VCALENDAR)."),
    "empty": _("The platform sent an empty answer instead of a calendar."),
    "too_many_events": _("The calendar has too many events (more than %(limit)s)."),
    "invalid": _("The calendar could not be read: %(detail)s"),
}


class FeedError(Exception):
    """A feed that cannot be used as it is (the last good state is kept)."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        return feed_error_message(self.code, **self.params)


def feed_error_message(code: str, **params) -> str:
    from common.http import MESSAGES

    template = FEED_ERRORS.get(code) or MESSAGES.get(code) or FEED_ERRORS["not_calendar"]
    params.setdefault("status", "?")
    params.setdefault("limit", MAX_COMPONENTS)
    params.setdefault("detail", "")
    return str(template) % params


# ---------------------------------------------------------------------------------------------
# Serializer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportEvent:
    uid: str
    arrival: date
    departure: date
    summary: str
    last_modified: datetime


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> bytes:
    """One content line, CRLF-terminated, folded at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    return b"\r\n ".join(parts) + b"\r\n"


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def export_uid(lodging_id: int, kind: str, pk: int) -> str:
    """Stable UID of an exported event; it names the lodging so its own echo can be recognised."""
    return f"openpro-{lodging_id}-{kind}-{pk}@{UID_DOMAIN}"


def serialize(*, name: str, events: Iterable[ExportEvent]) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
        f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
    ]
    out = [fold(line) for line in lines]
    for event in events:
        stamp = _utc_stamp(event.last_modified)
        for line in (
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"DTSTART;VALUE=DATE:{event.arrival:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.departure:%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            "TRANSP:OPAQUE",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ):
            out.append(fold(line))
    out.append(fold("END:VCALENDAR"))
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------

RESERVATION = "reservation"
UNAVAILABLE = "unavailable"

_MASK_WORDS = (
    "not available",
    "unavailable",
    "non disponible",
    "indisponible",
    "blocked",
    "bloque",
    "closed",
    "ferme",
)
_TENTATIVE_WORDS = ("provisoire", "tentative", "pending", "en attente")
# Arrival / departure markers, on the summary without accents, lower case: "Check-in Jean Dupont",
# "CHECK OUT: Dupont", "checkin", "Arrivée Martin", "Départ - Martin", "Arrival", "Departure"…
_MARKER = re.compile(r"^\W*(check\W*(in|out)|arrivee?s?|arrivals?|departs?|departures?)\b")
_SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
_PERIOD_DAYS = {"DAILY": 1.0, "WEEKLY": 7.0, "MONTHLY": 30.4375, "YEARLY": 365.25}
_ONE_DAY = timedelta(days=1)
_RECURRENCE = ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class ParsedEvent:
    key: str
    kind: str
    summary: str
    arrival: date
    departure: date
    tentative: bool = False


@dataclass
class ParsedFeed:
    events: list[ParsedEvent] = field(default_factory=list)
    keep: set[str] = field(default_factory=set)  # present but unreadable: leave those blocks alone

    def keeps(self, key: str) -> bool:
        """True for a block whose event is in the feed but could not be read this time."""
        return key in self.keep or key.split("#", 1)[0] in self.keep

    ignored: int = 0  # cancelled, outside the window, arrival/departure markers
    echoes: int = 0  # our own export of the same lodging
    total: int = 0  # VEVENTs in the feed
    skipped: int = 0  # events that could not be read (or repeat beyond the limits): reported
    outside: int = 0  # events with nothing inside the window
    markers: int = 0  # one-day "Check-in …" / "Check-out …" events
    window_start: date | None = None  # first night synchronised
    window_end: date | None = None  # the night after the last one synchronised

    @property
    def reservations(self) -> list[ParsedEvent]:
        return [e for e in self.events if e.kind == RESERVATION]

    @property
    def masks(self) -> list[ParsedEvent]:
        return [e for e in self.events if e.kind == UNAVAILABLE]

    @property
    def is_empty(self) -> bool:
        """The calendar has no event at all."""
        return self.total == 0

    @property
    def only_outside_window(self) -> bool:
        """The calendar has events, but none inside the synchronised window."""
        return not self.events and self.outside > 0


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def is_availability_block(summary: str) -> bool:
    plain = _plain(summary)
    return any(word in plain for word in _MASK_WORDS)


def is_stay_marker(summary: str) -> bool:
    """A summary naming an arrival or a departure ("Check-in Jean Dupont", "Départ Martin")."""
    return bool(_MARKER.match(_plain(summary)))


def decode_feed(body: bytes) -> str:
    """Bytes → text: BOM dropped, line ends normalised, lines unfolded (at byte level), decoded."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = body.decode("utf-16").encode("utf-8")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    body = re.sub(rb"\n[ \t]", b"", body)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def check_calendar(text: str, *, content_type: str = "") -> None:
    """Raise ``FeedError`` unless ``text`` looks like one complete calendar."""
    stripped = text.strip()
    if not stripped:
        raise FeedError("empty")
    head = stripped[:512].lower()
    if head.startswith("<") or "<html" in head or "<!doctype" in head:
        raise FeedError("html")
    if stripped[:15].upper() != "BEGIN:VCALENDAR":
        if "html" in content_type.lower():
            raise FeedError("html")
        raise FeedError("not_calendar")
    last_line = stripped.rsplit("\n", 1)[-1].strip().upper()
    if last_line != "END:VCALENDAR":
        raise FeedError("truncated")


def _as_local_naive(value, tz: tzinfo) -> datetime:
    """A DTSTART-like value as a naive local datetime (dates at midnight): comparable keys."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(tz).replace(tzinfo=None)
    return datetime.combine(value, time.min)


def _local_date(value, tz: tzinfo) -> date:
    if isinstance(value, datetime):
        return value.date() if value.tzinfo is None else value.astimezone(tz).date()
    return value


def _span(start, end, tz: tzinfo) -> tuple[date, date] | None:
    """(arrival, departure) dates of an event going from ``start`` to ``end`` (DTEND semantics:
    an all-day DTEND is the departure day; a timed end falls on the departure day)."""
    arrival = _local_date(start, tz)
    departure = arrival + _ONE_DAY if end is None else _local_date(end, tz)
    if departure < arrival:
        return None
    if departure == arrival:
        departure = arrival + _ONE_DAY
    return arrival, departure


def _value(component, name: str):
    prop = component.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        prop = prop[0]
    if isinstance(prop, icalendar.prop.vBroken) or not hasattr(prop, "dt"):
        raise ValueError(name)
    return prop.dt


def _as_list(prop) -> list:
    if prop is None:
        return []
    return prop if isinstance(prop, list) else [prop]


def _check_dates(component, name: str, tz: tzinfo, *, periods: bool) -> None:
    """RDATE / EXDATE: every value a date, a date-time or (RDATE) a period."""
    for prop in _as_list(component.get(name)):
        if not isinstance(prop, vDDDLists):
            raise ValueError(name)
        for item in prop.dts:
            value = item.dt
            if periods and isinstance(value, tuple):
                begin, end = value
                if isinstance(end, timedelta):
                    end = begin + end
                if not isinstance(begin, date) or not isinstance(end, date):
                    raise ValueError(name)
                if _as_local_naive(end, tz) < _as_local_naive(begin, tz):
                    raise ValueError(name)
            elif not isinstance(value, date):
                raise ValueError(name)


def _check_event(component, tz: tzinfo) -> None:
    """Raise ``ValueError`` for an event this parser cannot use as it is (skipped and reported).

    DTSTART must be a date or a date-time (not a PERIOD, which RFC 5545 does not allow there), an
    end must not come before the start, RDATE / EXDATE / RECURRENCE-ID must be readable."""
    start = _value(component, "DTSTART")
    if not isinstance(start, date):
        raise ValueError("DTSTART")
    end = _value(component, "DTEND")
    if end is not None and not isinstance(end, date):
        raise ValueError("DTEND")
    if end is not None and _as_local_naive(end, tz) < _as_local_naive(start, tz):
        raise ValueError("DTEND before DTSTART")
    duration = _value(component, "DURATION")
    if duration is not None and (not isinstance(duration, timedelta) or duration < timedelta(0)):
        raise ValueError("DURATION")
    recurrence_id = _value(component, "RECURRENCE-ID")
    if recurrence_id is not None and not isinstance(recurrence_id, date):
        raise ValueError("RECURRENCE-ID")
    _check_dates(component, "RDATE", tz, periods=True)
    _check_dates(component, "EXDATE", tz, periods=False)
    for rule in _as_list(component.get("RRULE")):
        if not isinstance(rule, vRecur):
            raise ValueError("RRULE")


def _check_rules(component, tz: tzinfo, horizon: datetime) -> None:
    """Refuse what would be too costly to expand: sub-daily rules, several times a day, or a rule
    running more than ``MAX_RULE_ITERATIONS`` periods from its DTSTART to the window's end."""
    start = _as_local_naive(_value(component, "DTSTART"), tz)
    for rule in _as_list(component.get("RRULE")):
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq in _SUB_DAILY or freq not in _PERIOD_DAYS:
            raise ValueError("RRULE frequency")
        per_day = 1
        for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            per_day *= max(1, len(rule.get(part) or []))
        if per_day > 1:
            raise ValueError("RRULE several times a day")
        interval = int((rule.get("INTERVAL") or [1])[0])
        if interval < 1:
            raise ValueError("RRULE interval")
        count = rule.get("COUNT")
        if count and 0 < int(count[0]) <= MAX_RULE_ITERATIONS:
            continue
        until = rule.get("UNTIL")
        end = min(horizon, _as_local_naive(until[0], tz)) if until else horizon
        periods = (end - start).days / (_PERIOD_DAYS[freq] * interval)
        if periods > MAX_RULE_ITERATIONS:
            raise ValueError("RRULE too long")


def _is_recurring(component) -> bool:
    return component.get("RRULE") is not None or component.get("RDATE") is not None


def _is_cancelled(component) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def _end_of(component, start):
    """DTEND, or DTSTART + DURATION, or None."""
    end = _value(component, "DTEND")
    if end is not None:
        return end
    duration = _value(component, "DURATION")
    return start + duration if duration is not None else None


def _occurrences(components: list, *, lower: date, upper: date) -> list[tuple]:
    """(occurrence, start, end) of one series that can touch [lower, upper): each occurrence is a
    VEVENT with its own DTSTART, DTEND and RECURRENCE-ID, expanded by ``recurring-ical-events``.
    A lone event with no recurrence property is its own occurrence (the common case, kept cheap)."""
    if len(components) == 1 and not any(components[0].get(name) is not None for name in _RECURRENCE):
        component = components[0]
        start = _value(component, "DTSTART")
        return [(component, start, _end_of(component, start))]
    calendar = icalendar.Calendar()
    for component in components:
        calendar.add_component(component)
    return [
        (occurrence, occurrence["DTSTART"].dt, occurrence["DTEND"].dt)
        for occurrence in recurring_ical_events.of(calendar).between(lower, upper)
    ]


def _walker(calendar) -> x_wr_timezone.UTCChangingWalker | None:
    """Google's calendar-wide time zone (X-WR-TIMEZONE), if it names a known zone: the walker that
    puts the calendar's floating and UTC times into it (RFC 5545 form)."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return None
    try:
        zone = ZoneInfo(str(name).strip())
    except (ValueError, KeyError, TypeError, OSError):
        return None  # unknown: floating times stay in the lodging's zone
    return x_wr_timezone.UTCChangingWalker(zone)


def _uid_of(component) -> str:
    uid = str(component.get("UID", "")).strip()
    if uid:
        return uid
    try:
        content = component.to_ical()
    except Exception:  # noqa: BLE001 - an unserialisable event still needs a stable name
        content = repr(sorted(component.items())).encode()
    return "nouid:" + hashlib.sha256(content).hexdigest()[:32]


def _short_key(key: str) -> str:
    if len(key) <= 255:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass
class _Series:
    uid: str
    masters: list = field(default_factory=list)
    overrides: list = field(default_factory=list)  # components with a RECURRENCE-ID

    def parts(self) -> list[tuple[str | None, list]]:
        """(key, components) of each series to expand; a ``None`` key means "one block per
        occurrence", keyed by the UID and the occurrence's original start."""
        if not self.overrides and not any(_is_recurring(m) for m in self.masters):
            return [(self.uid if i == 0 else f"{self.uid}#{i}", [m]) for i, m in enumerate(self.masters)]
        parts, overrides = [], self.overrides
        for master in sorted(self.masters, key=lambda m: not _is_recurring(m)):
            parts.append((None, [master, *overrides]))
            overrides = []
        if overrides:  # occurrences whose master is not in this feed
            parts.append((None, overrides))
        return parts


def parse_feed(
    body: bytes,
    *,
    tz: tzinfo,
    today: date,
    lodging_id: int | None = None,
    content_type: str = "",
    past_days: int = PAST_DAYS,
    future_days: int = FUTURE_DAYS,
) -> ParsedFeed:
    """Parse a feed into the events to reconcile. Raises ``FeedError`` for an unusable feed, and
    nothing else: an event that cannot be read is skipped, counted and its blocks kept."""
    text = decode_feed(body)
    check_calendar(text, content_type=content_type)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        components = [(c, _walker(cal)) for cal in calendars for c in cal.walk("VEVENT")]
    except Exception as error:  # noqa: BLE001 - untrusted bytes: whatever breaks is an invalid feed
        raise FeedError("invalid", detail=str(error)[:120]) from error
    if len(components) > MAX_COMPONENTS:
        raise FeedError("too_many_events", limit=MAX_COMPONENTS)

    window_start = today - timedelta(days=past_days)
    window_end = today + timedelta(days=future_days)
    horizon = datetime.combine(window_end, time.min)
    deadline = monotonic() + EXPANSION_SECONDS
    echo = re.compile(rf"^openpro-{lodging_id}-[a-z]+-\d+@{re.escape(UID_DOMAIN)}$") if lodging_id else None
    result = ParsedFeed(total=len(components), window_start=window_start, window_end=window_end)

    def skip(key: str, why: str) -> None:
        result.keep.add(_short_key(key))
        result.skipped += 1
        logger.info("iCal event %s skipped: %s", key[:120], why[:120])

    series: dict[str, _Series] = {}
    for component, walker in components:
        uid = _uid_of(component)
        if echo is not None and echo.match(uid):
            result.echoes += 1
            continue
        try:
            if walker is not None:
                component = walker.walk_event(component)
            _check_event(component, tz)
        except Exception as error:  # noqa: BLE001 - one unreadable event never spoils the feed
            skip(uid, repr(error))
            continue
        entry = series.setdefault(uid, _Series(uid))
        (entry.overrides if component.get("RECURRENCE-ID") is not None else entry.masters).append(component)

    raw: list[tuple[str, object, tuple[date, date]]] = []  # (key, occurrence, span)
    lower, upper = window_start - _ONE_DAY, window_end + _ONE_DAY
    for entry in series.values():
        cancelled = [m for m in entry.masters if _is_cancelled(m)]
        result.ignored += len(cancelled)
        entry.masters = [m for m in entry.masters if not _is_cancelled(m)]
        for key, members in entry.parts():
            label = key or entry.uid
            try:
                if key is None:
                    if monotonic() >= deadline:
                        raise ValueError("recurrence expansion budget spent")
                    for member in members:
                        if member.get("RRULE") is not None:
                            _check_rules(member, tz, horizon)
                found, cancelled = [], 0
                for occurrence, start, end in _occurrences(members, lower=lower, upper=upper):
                    if _is_cancelled(occurrence):
                        cancelled += 1
                        continue
                    span = _span(start, end, tz)
                    if span is None:
                        raise ValueError("DTEND")
                    if span[1] <= window_start or span[0] >= window_end:
                        continue
                    if key is None:
                        original = _as_local_naive(occurrence["RECURRENCE-ID"].dt, tz)
                        found.append((f"{entry.uid}#{original.isoformat()}", occurrence, span))
                    else:
                        found.append((key, occurrence, span))
            except Exception as error:  # noqa: BLE001 - skip the series, keep the rest of the feed
                skip(label, repr(error))
                continue
            result.ignored += cancelled
            if not found and not cancelled:
                result.outside += 1
                result.ignored += 1
            raw.extend(found)
            if len(raw) > MAX_OCCURRENCES:
                raise FeedError("too_many_events", limit=MAX_OCCURRENCES)

    masks: list[tuple[date, date, str]] = []
    seen: set[str] = set()
    for key, component, (arrival, departure) in raw:
        summary = " ".join(str(component.get("SUMMARY", "")).split())[:200]
        if departure - arrival == _ONE_DAY and is_stay_marker(summary):
            result.markers += 1
            result.ignored += 1
            continue
        if is_availability_block(summary):
            masks.append((arrival, departure, summary))
            continue
        key = _short_key(key)
        if key in seen:
            key = _short_key(f"{key}#{arrival.isoformat()}")
            if key in seen:
                continue
        seen.add(key)
        status = str(component.get("STATUS", "")).upper()
        tentative = status == "TENTATIVE" or _plain(summary).startswith(_TENTATIVE_WORDS)
        result.events.append(ParsedEvent(key, RESERVATION, summary, arrival, departure, tentative))

    masks.sort()
    merged: list[list] = []
    for arrival, departure, summary in masks:
        if merged and arrival <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], departure)
        else:
            merged.append([arrival, departure, summary])
    for arrival, departure, summary in merged:
        key = f"mask:{arrival.isoformat()}:{departure.isoformat()}"
        result.events.append(ParsedEvent(key, UNAVAILABLE, summary, arrival, departure))
    return result
