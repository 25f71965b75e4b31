"""iCalendar (RFC 5545) for the lodging calendars: the serializer of our exports and the tolerant
parser of the feeds other platforms publish. Pure functions, no database.

Parsing rules (what Airbnb, Booking.com, Abritel/VRBO, Google Calendar and others really send):

* bytes first: a BOM is dropped, CRLF/LF/CR are all line ends, folded lines are unfolded *before*
  decoding, so a fold inside a multi-byte character ("Réservée") survives; UTF-8, else cp1252;
* all-day events stay dates (never converted through UTC); timed events (UTC, TZID, floating)
  become dates in the lodging's time zone; a missing DTEND means one day; DURATION is honoured;
* ``STATUS:CANCELLED`` events and cancelled occurrences are dropped; RRULE is expanded inside the
  sync window with EXDATE and RECURRENCE-ID overrides;
* availability blocks ("Airbnb (Not available)", "CLOSED - Not available", "Indisponible",
  "Blocked"…) get new UIDs and shift every day on some platforms: they are merged into date ranges
  keyed by their dates (an availability mask), never taken for new reservations;
* events our own export produced for the same lodging (our UIDs) are ignored, so two calendars
  subscribed to each other never echo.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import icalendar
from dateutil.rrule import rrulestr
from django.utils.translation import gettext_lazy as _
from icalendar.prop import vRecur

PRODID = "-//Open Pro//Open Pro iCal export 1.0//FR"
UID_DOMAIN = "openpro.ical"
REFRESH_INTERVAL = "PT30M"
MAX_COMPONENTS = 5000  # VEVENTs in one feed
MAX_OCCURRENCES = 20000  # after RRULE expansion
MAX_RULE_ITERATIONS = 20000  # per RRULE, counting occurrences before the window
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
_SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}


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

    ignored: int = 0
    echoes: int = 0

    @property
    def reservations(self) -> list[ParsedEvent]:
        return [e for e in self.events if e.kind == RESERVATION]

    @property
    def masks(self) -> list[ParsedEvent]:
        return [e for e in self.events if e.kind == UNAVAILABLE]


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def is_availability_block(summary: str) -> bool:
    plain = _plain(summary)
    return any(word in plain for word in _MASK_WORDS)


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
    departure = arrival + timedelta(days=1) if end is None else _local_date(end, tz)
    if departure < arrival:
        return None
    if departure == arrival:
        departure = arrival + timedelta(days=1)
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


def _end_of(component, start):
    """DTEND, or DTSTART + DURATION, or None."""
    end = _value(component, "DTEND")
    if end is not None:
        return end
    duration = _value(component, "DURATION")
    if duration is not None:
        if not isinstance(duration, timedelta):
            raise ValueError("DURATION")
        return start + duration
    return None


def _dates_of(prop) -> list:
    values = []
    for item in prop if isinstance(prop, list) else [prop]:
        for dt in getattr(item, "dts", []):
            values.append(dt.dt)
    return values


def _match_awareness(value, start: datetime):
    if isinstance(value, datetime):
        if start.tzinfo is None and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        if start.tzinfo is not None and value.tzinfo is None:
            return value.replace(tzinfo=start.tzinfo)
        return value
    moment = datetime.combine(value, time(23, 59, 59))
    return moment.replace(tzinfo=start.tzinfo) if start.tzinfo is not None else moment


def _rule_starts(component, start, lower: datetime, upper: datetime, tz: tzinfo) -> list:
    """Occurrence starts of a recurring event that can touch [lower, upper) (local naive bounds)."""
    all_day = not isinstance(start, datetime)
    start_dt = datetime.combine(start, time.min) if all_day else start
    rules = component.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules]
    occurrences = []
    for rule in rules:
        parts = dict(rule)
        if parts.get("FREQ", [""])[0] in _SUB_DAILY:
            raise ValueError("RRULE frequency")
        until = parts.pop("UNTIL", [None])[0]
        recurrence = rrulestr(vRecur(parts).to_ical().decode(), dtstart=start_dt)
        if until is not None:
            recurrence = recurrence.replace(until=_match_awareness(until, start_dt))
        for iterations, occurrence in enumerate(recurrence):
            if iterations >= MAX_RULE_ITERATIONS:
                break
            local = _as_local_naive(occurrence, tz)
            if local >= upper:
                break
            if local >= lower:
                occurrences.append(occurrence.date() if all_day else occurrence)
            if len(occurrences) > MAX_OCCURRENCES:
                raise FeedError("too_many_events", limit=MAX_OCCURRENCES)
    for rdate in _dates_of(component.get("RDATE")) if component.get("RDATE") else []:
        occurrences.append(rdate)
    return occurrences


def _short_key(key: str) -> str:
    if len(key) <= 255:
        return key
    return "h:" + hashlib.sha256(key.encode()).hexdigest()


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
    """Parse a feed into the events to reconcile. Raises ``FeedError`` for an unusable feed."""
    text = decode_feed(body)
    check_calendar(text, content_type=content_type)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise FeedError("invalid", detail=str(error)[:120]) from error
    components = [c for cal in calendars for c in cal.walk("VEVENT")]
    if len(components) > MAX_COMPONENTS:
        raise FeedError("too_many_events", limit=MAX_COMPONENTS)

    window_start = today - timedelta(days=past_days)
    window_end = today + timedelta(days=future_days)
    lower = datetime.combine(window_start - timedelta(days=366), time.min)
    upper = datetime.combine(window_end, time.min)
    echo = re.compile(rf"^openpro-{lodging_id}-[a-z]+-\d+@{re.escape(UID_DOMAIN)}$") if lodging_id else None

    result = ParsedFeed()
    masters: dict[str, list] = {}
    overrides: dict[str, dict[datetime, object]] = {}
    for component in components:
        uid = str(component.get("UID", "")).strip()
        if not uid:
            uid = "nouid:" + hashlib.sha256(component.to_ical()).hexdigest()[:32]
        if echo is not None and echo.match(uid):
            result.echoes += 1
            continue
        try:
            recurrence_id = _value(component, "RECURRENCE-ID")
        except ValueError:
            result.keep.add(_short_key(uid))
            continue
        if recurrence_id is not None:
            overrides.setdefault(uid, {})[_as_local_naive(recurrence_id, tz)] = component
        else:
            masters.setdefault(uid, []).append(component)

    raw: list[tuple[str, object, tuple[date, date]]] = []  # (key, component, span)

    def add(key: str, component, start, end) -> None:
        span = _span(start, end, tz)
        if span is None:
            result.keep.add(_short_key(key))
            return
        raw.append((key, component, span))

    for uid, components_of_uid in masters.items():
        for index, component in enumerate(components_of_uid):
            key = uid if index == 0 else f"{uid}#{index}"
            if str(component.get("STATUS", "")).upper() == "CANCELLED":
                result.ignored += 1
                continue
            try:
                start = _value(component, "DTSTART")
                if start is None:
                    raise ValueError("DTSTART")
                end = _end_of(component, start)
            except (ValueError, TypeError):
                result.keep.add(_short_key(key))
                continue
            if component.get("RRULE") is None:
                add(key, component, start, end)
                continue
            duration = (end - start) if end is not None else None
            try:
                starts = _rule_starts(component, start, lower, upper, tz)
            except (ValueError, TypeError, OverflowError):
                result.keep.add(_short_key(uid))
                continue
            excluded = {_as_local_naive(value, tz) for value in _dates_of(component.get("EXDATE") or [])}
            moved = overrides.pop(uid, {})
            for occurrence in starts:
                original = _as_local_naive(occurrence, tz)
                occurrence_key = f"{uid}#{original.isoformat()}"
                if original in excluded:
                    result.ignored += 1
                    continue
                override = moved.pop(original, None)
                if override is not None:
                    if str(override.get("STATUS", "")).upper() == "CANCELLED":
                        result.ignored += 1
                        continue
                    try:
                        o_start = _value(override, "DTSTART")
                        add(occurrence_key, override, o_start, _end_of(override, o_start))
                    except (ValueError, TypeError):
                        result.keep.add(_short_key(occurrence_key))
                    continue
                add(occurrence_key, component, occurrence, occurrence + duration if duration else None)
            for original, override in moved.items():  # overrides of occurrences outside the rule
                if str(override.get("STATUS", "")).upper() == "CANCELLED":
                    continue
                try:
                    o_start = _value(override, "DTSTART")
                    add(f"{uid}#{original.isoformat()}", override, o_start, _end_of(override, o_start))
                except (ValueError, TypeError):
                    result.keep.add(_short_key(f"{uid}#{original.isoformat()}"))
    for uid, moved in overrides.items():  # overrides without a master in this feed
        for original, override in moved.items():
            if str(override.get("STATUS", "")).upper() == "CANCELLED":
                continue
            try:
                o_start = _value(override, "DTSTART")
                add(f"{uid}#{original.isoformat()}", override, o_start, _end_of(override, o_start))
            except (ValueError, TypeError):
                result.keep.add(_short_key(f"{uid}#{original.isoformat()}"))

    if len(raw) > MAX_OCCURRENCES:
        raise FeedError("too_many_events", limit=MAX_OCCURRENCES)

    masks: list[tuple[date, date, str]] = []
    seen: set[str] = set()
    for key, component, (arrival, departure) in raw:
        if departure <= window_start or arrival >= window_end:
            result.ignored += 1
            continue
        summary = " ".join(str(component.get("SUMMARY", "")).split())[:200]
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
