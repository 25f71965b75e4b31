"""commercialisation.ical on the calendar forms RFC 5545 allows (and some it does not): each one is
imported, or skipped and counted without spoiling the rest of the feed; nothing but FeedError
ever leaves the parser."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commercialisation import ical
from commercialisation.ical import FeedError, ParsedFeed, parse_feed
from tests.commercialisation import feeds

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2024, 5, 1)
ANCHOR = feeds.vevent("anchor", "20240520", "20240523", "Reserved")


def parse(body: bytes, **options) -> ParsedFeed:
    return parse_feed(body, tz=PARIS, today=TODAY, **options)


def calendar(*lines: str, head: tuple[str, ...] = ()) -> bytes:
    return feeds.ics("BEGIN:VCALENDAR", "VERSION:2.0", *head, *lines, *ANCHOR, "END:VCALENDAR")


def event(uid: str, *lines: str, summary: str = "Reserved") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}", *lines, "END:VEVENT"]


def stays(parsed: ParsedFeed) -> list[tuple[str, date, date]]:
    """Every reservation but the anchor, which every feed of this file carries and must import."""
    assert ("anchor", date(2024, 5, 20), date(2024, 5, 23)) in [
        (e.key, e.arrival, e.departure) for e in parsed.events
    ]
    return sorted((e.key, e.arrival, e.departure) for e in parsed.reservations if e.key != "anchor")


def test_a_period_rdate_adds_occurrences_with_their_own_length():
    parsed = parse(
        calendar(
            *event(
                "period",
                "DTSTART;TZID=Europe/Paris:20240510T160000",
                "DTEND;TZID=Europe/Paris:20240512T100000",
                "RDATE;VALUE=PERIOD:20240601T140000Z/20240605T080000Z,20240701T140000Z/P3D",
            )
        )
    )
    assert stays(parsed) == [
        ("period#2024-05-10T16:00:00", date(2024, 5, 10), date(2024, 5, 12)),
        ("period#2024-06-01T16:00:00", date(2024, 6, 1), date(2024, 6, 5)),
        ("period#2024-07-01T16:00:00", date(2024, 7, 1), date(2024, 7, 4)),
    ]
    assert parsed.skipped == 0


def test_a_period_rdate_next_to_a_rule_on_an_all_day_event():
    parsed = parse(
        calendar(
            *event(
                "mixed",
                "DTSTART;VALUE=DATE:20240506",
                "DTEND;VALUE=DATE:20240508",
                "RRULE:FREQ=WEEKLY;COUNT=2",
                "RDATE;VALUE=PERIOD:20240601T120000Z/20240604T120000Z",
            )
        )
    )
    assert stays(parsed) == [
        ("mixed#2024-05-06T00:00:00", date(2024, 5, 6), date(2024, 5, 8)),
        ("mixed#2024-05-13T00:00:00", date(2024, 5, 13), date(2024, 5, 15)),
        ("mixed#2024-06-01T00:00:00", date(2024, 6, 1), date(2024, 6, 4)),
    ]


def test_a_period_dtstart_is_skipped_and_reported():
    """RFC 5545 allows DATE-TIME or DATE for DTSTART only; icalendar still reads VALUE=PERIOD."""
    parsed = parse(calendar(*event("period-start", "DTSTART;VALUE=PERIOD:20240601T140000Z/20240605T080000Z")))
    assert stays(parsed) == []
    assert parsed.skipped == 1 and parsed.keeps("period-start")


@pytest.mark.parametrize("exdate", ["EXDATE:garbage", "EXDATE;VALUE=DATE:20241345", "EXDATE:20240513T25"])
def test_a_malformed_exdate_skips_its_event_only(exdate):
    parsed = parse(
        calendar(
            *event(
                "weekly",
                "DTSTART;VALUE=DATE:20240506",
                "DTEND;VALUE=DATE:20240508",
                "RRULE:FREQ=WEEKLY",
                exdate,
            ),
            *event("fine", "DTSTART;VALUE=DATE:20240601", "DTEND;VALUE=DATE:20240603"),
        )
    )
    assert stays(parsed) == [("fine", date(2024, 6, 1), date(2024, 6, 3))]
    assert parsed.skipped == 1 and parsed.keeps("weekly") and parsed.keeps("weekly#2024-05-13T00:00:00")


def test_a_date_time_rdate_list_and_several_rdate_lines():
    parsed = parse(
        calendar(
            *event(
                "rdates",
                "DTSTART:20240510T150000Z",
                "DTEND:20240512T090000Z",
                "RDATE:20240601T150000Z,20240701T150000Z",
                "RDATE:20240801T150000Z",
                "EXDATE:20240701T150000Z",
            )
        )
    )
    assert stays(parsed) == [
        ("rdates#2024-05-10T17:00:00", date(2024, 5, 10), date(2024, 5, 12)),
        ("rdates#2024-06-01T17:00:00", date(2024, 6, 1), date(2024, 6, 3)),
        ("rdates#2024-08-01T17:00:00", date(2024, 8, 1), date(2024, 8, 3)),
    ]


def test_an_rdate_of_dates():
    parsed = parse(
        calendar(
            *event(
                "dates",
                "DTSTART;VALUE=DATE:20240510",
                "DTEND;VALUE=DATE:20240512",
                "RDATE;VALUE=DATE:20240601,20240701",
            )
        )
    )
    assert stays(parsed) == [
        ("dates#2024-05-10T00:00:00", date(2024, 5, 10), date(2024, 5, 12)),
        ("dates#2024-06-01T00:00:00", date(2024, 6, 1), date(2024, 6, 3)),
        ("dates#2024-07-01T00:00:00", date(2024, 7, 1), date(2024, 7, 3)),
    ]


def test_a_time_zone_defined_by_the_feeds_vtimezone():
    """A TZID no zone database knows, defined by the feed (UTC+4): 01:00 there is 23:00 the day
    before in Paris (UTC+2 in May)."""
    vtimezone = (
        "BEGIN:VTIMEZONE",
        "TZID:Maison Reunion",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0400",
        "TZOFFSETTO:+0400",
        "TZNAME:RET",
        "END:STANDARD",
        "END:VTIMEZONE",
    )
    parsed = parse(
        calendar(
            *event(
                "reunion",
                "DTSTART;TZID=Maison Reunion:20240510T010000",
                "DTEND;TZID=Maison Reunion:20240512T100000",
                "RRULE:FREQ=WEEKLY;COUNT=2",
            ),
            head=vtimezone,
        )
    )
    assert stays(parsed) == [
        ("reunion#2024-05-09T23:00:00", date(2024, 5, 9), date(2024, 5, 12)),
        ("reunion#2024-05-16T23:00:00", date(2024, 5, 16), date(2024, 5, 19)),
    ]


def test_floating_times_of_a_calendar_with_x_wr_timezone():
    """Google's calendar-wide zone: floating times are Martinique times (UTC-4), then Paris dates."""
    parsed = parse(
        calendar(
            *event("late", "DTSTART:20240510T220000", "DTEND:20240512T090000"),
            *event(
                "weekly",
                "DTSTART:20240601T150000",
                "DTEND:20240602T100000",
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "EXDATE:20240608T150000",
            ),
            *event("utc", "DTSTART:20240619T220000Z", "DTEND:20240622T080000Z"),
            head=("X-WR-TIMEZONE:America/Martinique",),
        )
    )
    assert stays(parsed) == [
        ("late", date(2024, 5, 11), date(2024, 5, 12)),  # 22:00 in Martinique is 04:00 in Paris
        ("utc", date(2024, 6, 20), date(2024, 6, 22)),
        ("weekly#2024-06-01T21:00:00", date(2024, 6, 1), date(2024, 6, 2)),
        ("weekly#2024-06-15T21:00:00", date(2024, 6, 15), date(2024, 6, 16)),
    ]


def test_an_unknown_x_wr_timezone_leaves_floating_times_local():
    parsed = parse(
        calendar(
            *event("late", "DTSTART:20240510T220000", "DTEND:20240512T090000"),
            head=("X-WR-TIMEZONE:Mars/Olympus",),
        )
    )
    assert stays(parsed) == [("late", date(2024, 5, 10), date(2024, 5, 12))]


def test_duration_only_events():
    parsed = parse(
        calendar(
            *event("timed", "DTSTART;TZID=Europe/Paris:20240701T160000", "DURATION:P3DT18H"),
            *event("week", "DTSTART;VALUE=DATE:20240720", "DURATION:P1W"),
            *event("hours", "DTSTART:20240801T150000Z", "DURATION:PT2H"),
            *event("weekly", "DTSTART;VALUE=DATE:20240901", "DURATION:P2D", "RRULE:FREQ=WEEKLY;COUNT=2"),
            *event("negative", "DTSTART;VALUE=DATE:20241001", "DURATION:-P2D"),
        )
    )
    assert stays(parsed) == [
        ("hours", date(2024, 8, 1), date(2024, 8, 2)),
        ("timed", date(2024, 7, 1), date(2024, 7, 5)),
        ("week", date(2024, 7, 20), date(2024, 7, 27)),
        ("weekly#2024-09-01T00:00:00", date(2024, 9, 1), date(2024, 9, 3)),
        ("weekly#2024-09-08T00:00:00", date(2024, 9, 8), date(2024, 9, 10)),
    ]
    assert parsed.skipped == 1 and parsed.keeps("negative")


def test_an_end_before_the_start_is_skipped():
    parsed = parse(calendar(*event("backwards", "DTSTART;VALUE=DATE:20240610", "DTEND;VALUE=DATE:20240605")))
    assert stays(parsed) == [] and parsed.skipped == 1 and parsed.keeps("backwards")


def test_rules_beyond_the_limits_are_skipped_and_reported():
    parsed = parse(
        calendar(
            *event("hourly", "DTSTART:20240601T100000Z", "RRULE:FREQ=HOURLY"),
            *event("twice-a-day", "DTSTART:20240601T100000Z", "RRULE:FREQ=DAILY;BYHOUR=9,17"),
            *event("since-1900", "DTSTART;VALUE=DATE:19000101", "RRULE:FREQ=DAILY"),
            # the same rule bounded by COUNT or UNTIL is cheap: imported (here, nothing in the window)
            *event("counted", "DTSTART;VALUE=DATE:19000101", "RRULE:FREQ=DAILY;COUNT=5"),
            *event("until", "DTSTART;VALUE=DATE:19000101", "RRULE:FREQ=DAILY;UNTIL=19100101"),
            *event("yearly", "DTSTART;VALUE=DATE:19000510", "DTEND;VALUE=DATE:19000512", "RRULE:FREQ=YEARLY"),
        )
    )
    assert stays(parsed) == [
        ("yearly#2024-05-10T00:00:00", date(2024, 5, 10), date(2024, 5, 12)),
        ("yearly#2025-05-10T00:00:00", date(2025, 5, 10), date(2025, 5, 12)),
        ("yearly#2026-05-10T00:00:00", date(2026, 5, 10), date(2026, 5, 12)),
    ]
    assert parsed.skipped == 3
    assert all(parsed.keeps(uid) for uid in ("hourly", "twice-a-day", "since-1900"))
    assert parsed.outside == 2  # counted, until


def test_the_expansion_budget_skips_the_recurring_events_left(monkeypatch):
    monkeypatch.setattr(ical, "EXPANSION_SECONDS", 0)
    parsed = parse(feeds.google(feeds.google_weekends(), feeds.google_utc_stay()))
    assert [(e.key, e.arrival) for e in parsed.reservations] == [
        ("sejour-famille@google.com", date(2024, 6, 20))
    ]
    assert parsed.skipped == 1 and parsed.keeps("weekends-martin@google.com#2024-05-17T17:00:00")


def test_occurrences_in_the_window_are_limited(monkeypatch):
    body = calendar(*event("daily", "DTSTART;VALUE=DATE:20240601", "RRULE:FREQ=DAILY;COUNT=20"))
    assert len(parse(body).reservations) == 21
    monkeypatch.setattr(ical, "MAX_OCCURRENCES", 10)
    with pytest.raises(FeedError) as error:
        parse(body)
    assert error.value.code == "too_many_events"


# Fuzz ---------------------------------------------------------------------------------------

PROPERTIES = [
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "SUMMARY",
    "UID",
]
PARAMETERS = [
    "",
    ";VALUE=DATE",
    ";VALUE=DATE-TIME",
    ";VALUE=PERIOD",
    ";VALUE=DURATION",
    ";VALUE=TEXT",
    ";TZID=Europe/Paris",
    ";TZID=Nowhere/Zone",
    ';TZID="Europe/Paris"',
    ";RANGE=THISANDFUTURE",
]
SAMPLES = [
    "20240510",
    "20240510T150000",
    "20240510T150000Z",
    "20240510T150000Z/20240512T100000Z",
    "20240510T150000Z/P2D",
    "20240510/20240512",
    "20240512T100000Z/20240510T150000Z",
    "20240510,20240517",
    "20240510T150000Z,20240511",
    "P2D",
    "-P2D",
    "PT0S",
    "P1W2D",
    "FREQ=DAILY",
    "FREQ=WEEKLY;COUNT=3",
    "FREQ=WEEKLY;UNTIL=20240601",
    "FREQ=WEEKLY;UNTIL=20240601T000000Z;BYDAY=MO,FR",
    "FREQ=MONTHLY;BYDAY=-1SU;COUNT=4",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYSETPOS=-1;BYDAY=MO",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=SECONDLY",
    "FREQ=FOO",
    "COUNT=3",
    "CANCELLED",
    "TENTATIVE",
    "Check-in Jean",
    "00000000",
    "99991231T235959Z",
    "00010101",
    "",
]
values = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40),
    st.from_regex(r"\A[0-9]{8}(T[0-9]{6}Z?)?([/,][0-9]{8}(T[0-9]{6}Z?)?)?\Z"),
    st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=3).map(";".join),
)
lines = st.tuples(st.sampled_from(PROPERTIES), st.sampled_from(PARAMETERS), values).map(
    lambda p: f"{p[0]}{p[1]}:{p[2]}"
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fuzzed=st.lists(lines, min_size=1, max_size=5),
    keep_dates=st.booleans(),
    zone=st.sampled_from([(), ("X-WR-TIMEZONE:Europe/Paris",), ("X-WR-TIMEZONE:not a zone",)]),
)
def test_random_property_values_never_raise_anything_but_feed_error(fuzzed, keep_dates, zone):
    base = ["DTSTART;VALUE=DATE:20240601", "DTEND;VALUE=DATE:20240603"] if keep_dates else []
    body = calendar(*event("fuzz", *base, *fuzzed), head=zone)
    try:
        parsed = parse(body)
    except FeedError as error:
        assert str(error)  # a readable message
        return
    assert isinstance(parsed, ParsedFeed)
    stays(parsed)  # the other event of the feed is always imported
    for parsed_event in parsed.events:
        assert parsed_event.arrival < parsed_event.departure
