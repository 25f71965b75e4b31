"""commercialisation.ical: the parser on the platforms' shapes, and the serializer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from commercialisation import ical
from commercialisation.ical import ExportEvent, FeedError, fold, parse_feed, serialize
from tests.commercialisation import feeds

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2024, 5, 1)


def parse(body: bytes, **options):
    return parse_feed(body, tz=PARIS, today=TODAY, **options)


def spans(parsed, kind=ical.RESERVATION):
    return sorted((e.arrival, e.departure, e.summary) for e in parsed.events if e.kind == kind)


def test_airbnb_reservations_and_availability_blocks():
    body = feeds.airbnb(
        feeds.airbnb_reserved("a1b2c3d4e5", "20240508", "20240512"),
        feeds.airbnb_blocked("x1", "20240525", "20240528"),
        feeds.airbnb_blocked("x2", "20240528", "20240601"),  # adjacent: one mask
        feeds.airbnb_blocked("x3", "20250101", "20250501"),
    )
    assert b"\r\n " in body  # the long DESCRIPTION is folded
    parsed = parse(body)
    assert spans(parsed) == [(date(2024, 5, 8), date(2024, 5, 12), "Reserved")]
    assert parsed.reservations[0].key == "a1b2c3d4e5@airbnb.com"
    assert [(e.arrival, e.departure) for e in parsed.masks] == [
        (date(2024, 5, 25), date(2024, 6, 1)),
        (date(2025, 1, 1), date(2025, 5, 1)),
    ]
    assert parsed.masks[0].key == "mask:2024-05-25:2024-06-01"


def test_booking_com_lf_and_closed_dates():
    body = feeds.booking(
        feeds.booking_closed("b1", "20240515", "20240518"), feeds.booking_closed("b2", "20240620", "20240627")
    )
    assert b"\r\n" not in body
    parsed = parse(body)
    assert parsed.reservations == []
    assert [(e.arrival, e.departure, e.summary) for e in parsed.masks] == [
        (date(2024, 5, 15), date(2024, 5, 18), "CLOSED - Not available"),
        (date(2024, 6, 20), date(2024, 6, 27), "CLOSED - Not available"),
    ]


def test_abritel_shapes_and_a_fold_inside_a_multibyte_character():
    summary = "Réservée - Kiourtzidou"
    event = feeds.abritel_event("r1", "20240601", "20240608", summary)
    body = feeds.abritel(
        event,
        feeds.abritel_event("p1", "20240615", "20240622", "Provisoire - Ossipian"),
        feeds.abritel_event("i1", "20240701", "20240705", "Indisponible"),
    )
    # Fold the SUMMARY line by hand in the middle of the two bytes of "é".
    line = ("SUMMARY:" + summary).encode()
    cut = line.index("é".encode()) + 1
    body = body.replace(line, line[:cut] + b"\r\n " + line[cut:])
    assert b"R\xc3\r\n \xa9serv" in body
    parsed = parse(body)
    assert spans(parsed) == [
        (date(2024, 6, 1), date(2024, 6, 8), "Réservée - Kiourtzidou"),
        (date(2024, 6, 15), date(2024, 6, 22), "Provisoire - Ossipian"),
    ]
    assert [e.tentative for e in sorted(parsed.reservations, key=lambda e: e.arrival)] == [False, True]
    assert [(e.arrival, e.departure, e.summary) for e in parsed.masks] == [
        (date(2024, 7, 1), date(2024, 7, 5), "Indisponible")
    ]


def test_google_calendar_timezones_recurrence_and_cancelled_occurrence():
    parsed = parse(feeds.google(feeds.google_weekends(), feeds.google_utc_stay()))
    assert spans(parsed) == [
        (date(2024, 5, 3), date(2024, 5, 5), "Location week-end Martin"),
        # 10 → 12 May is cancelled (RECURRENCE-ID with STATUS:CANCELLED)
        (date(2024, 5, 17), date(2024, 5, 19), "Location week-end Martin"),
        (date(2024, 5, 24), date(2024, 5, 26), "Location week-end Martin"),
        # 19 June 22:00 UTC is 20 June 00:00 in Paris; 22 June 08:00 UTC is 10:00 in Paris
        (date(2024, 6, 20), date(2024, 6, 22), "Séjour famille"),
    ]
    keys = {e.key for e in parsed.reservations}
    assert "weekends-martin@google.com#2024-05-17T17:00:00" in keys


def test_exdate_and_a_moved_occurrence():
    body = feeds.google(
        [
            "BEGIN:VEVENT",
            "DTSTART;VALUE=DATE:20240506",
            "DTEND;VALUE=DATE:20240508",
            "RRULE:FREQ=WEEKLY;UNTIL=20240527",
            "EXDATE;VALUE=DATE:20240513",
            "UID:weekly@example.com",
            "SUMMARY:Ménage",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "RECURRENCE-ID;VALUE=DATE:20240520",
            "DTSTART;VALUE=DATE:20240521",
            "DTEND;VALUE=DATE:20240523",
            "UID:weekly@example.com",
            "SUMMARY:Ménage (décalé)",
            "END:VEVENT",
        ]
    )
    assert spans(parse(body)) == [
        (date(2024, 5, 6), date(2024, 5, 8), "Ménage"),
        (date(2024, 5, 21), date(2024, 5, 23), "Ménage (décalé)"),
        (date(2024, 5, 27), date(2024, 5, 29), "Ménage"),
    ]


def test_all_day_dates_are_never_shifted_and_missing_end_or_duration():
    body = feeds.ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        *feeds.vevent("one-day", "20240510", None, "Réservé"),
        "BEGIN:VEVENT",
        "UID:duration",
        "DTSTART;VALUE=DATE:20240520",
        "DURATION:P3D",
        "SUMMARY:Séjour",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:floating",
        "DTSTART:20240601T150000",
        "DTEND:20240603T100000",
        "SUMMARY:Flottant",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:same-day",
        "DTSTART;TZID=Europe/Paris:20240610T100000",
        "DTEND;TZID=Europe/Paris:20240610T120000",
        "SUMMARY:Visite",
        "END:VEVENT",
        "END:VCALENDAR",
        newline=b"\n",
        bom=True,
    )
    assert spans(parse(body)) == [
        (date(2024, 5, 10), date(2024, 5, 11), "Réservé"),
        (date(2024, 5, 20), date(2024, 5, 23), "Séjour"),
        (date(2024, 6, 1), date(2024, 6, 3), "Flottant"),
        (date(2024, 6, 10), date(2024, 6, 11), "Visite"),
    ]


def test_cancelled_past_far_future_and_own_events_are_ignored():
    body = feeds.ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        *feeds.vevent("cancelled", "20240510", "20240512", "Reserved", "STATUS:CANCELLED"),
        *feeds.vevent("old", "20240401", "20240420", "Reserved"),  # ended 11 days ago
        *feeds.vevent("just-ended", "20240425", "20240429", "Reserved"),  # 2 days ago: kept
        *feeds.vevent("in-two-years", "20260420", "20260427", "Reserved"),
        *feeds.vevent("far", "20300101", "20300105", "Reserved"),
        *feeds.vevent(ical.export_uid(7, "stay", 12), "20240601", "20240605", "Booked"),
        *feeds.vevent(ical.export_uid(8, "stay", 13), "20240610", "20240612", "Booked"),
        "END:VCALENDAR",
    )
    parsed = parse(body, lodging_id=7)
    assert [e.key for e in sorted(parsed.reservations, key=lambda e: e.arrival)] == [
        "just-ended",
        "openpro-8-stay-13@openpro.ical",  # another lodging's export: a real block (round trip)
        "in-two-years",
    ]
    assert parsed.echoes == 1
    assert parsed.ignored == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<!DOCTYPE html><html><head><title>Log in</title></head><body>Log in</body></html>", "html"),
        (b"\n\n  <html><body>Airbnb</body></html>", "html"),
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x00\x01garbage\xff\xfe and more", "not_calendar"),
        (b'{"error": "not found"}', "not_calendar"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20240510\r\n",
            "truncated",
        ),
    ],
)
def test_what_is_not_a_complete_calendar_is_an_error(body, code):
    with pytest.raises(FeedError) as error:
        parse(body)
    assert error.value.code == code
    assert str(error.value)  # a readable message


def test_event_count_is_limited(monkeypatch):
    events = [line for i in range(30) for line in feeds.vevent(f"e{i}", "20240601", "20240602", "Reserved")]
    body = feeds.ics("BEGIN:VCALENDAR", "VERSION:2.0", *events, "END:VCALENDAR")
    assert len(parse(body).reservations) == 30
    monkeypatch.setattr(ical, "MAX_COMPONENTS", 10)
    with pytest.raises(FeedError) as error:
        parse(body)
    assert error.value.code == "too_many_events"
    assert "plus de 10" in str(error.value)


def test_recurrence_expansion_is_bounded():
    body = feeds.ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        *feeds.vevent("daily", "19900101", "19900102", "Reserved", "RRULE:FREQ=DAILY"),
        *feeds.vevent("hourly", "20240601", "20240602", "Reserved", "RRULE:FREQ=SECONDLY"),
        "END:VCALENDAR",
    )
    parsed = parse(body)
    nights = sorted(e.arrival for e in parsed.reservations)
    assert nights[0] == date(2024, 4, 28) and nights[-1] < date(2027, 6, 1)
    assert parsed.keeps("hourly")  # refused rule: its block (if any) is left as it was


def test_an_unreadable_event_keeps_its_block():
    body = feeds.ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        *feeds.vevent("ok", "20240510", "20240512", "Reserved"),
        "BEGIN:VEVENT",
        "UID:broken",
        "DTSTART:not-a-date",
        "SUMMARY:Reserved",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    parsed = parse(body)
    assert [e.key for e in parsed.reservations] == ["ok"]
    assert parsed.keeps("broken") and not parsed.keeps("gone")


# Serializer ---------------------------------------------------------------------------------


def test_folding_never_splits_a_utf8_character_and_keeps_75_octets():
    line = "SUMMARY:" + "Réservé éèà ✓ " * 20
    folded = fold(line)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(part) <= 75 for part in physical)
    assert all(part.startswith(b" ") for part in physical[1:])
    for part in physical:
        part.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert b"".join([physical[0]] + [p[1:] for p in physical[1:]]).decode() == line


def test_serialized_calendar_is_valid_rfc5545():
    stamp = datetime(2024, 4, 2, 9, 30, tzinfo=UTC)
    body = serialize(
        name="Petit coin de paradis, « côté jardin » ; vue",
        events=[
            ExportEvent(
                "openpro-3-stay-1@openpro.ical", date(2024, 5, 8), date(2024, 5, 12), "Réservé", stamp
            ),
            ExportEvent(
                "openpro-3-stay-2@openpro.ical", date(2024, 5, 12), date(2024, 5, 13), "Indisponible", stamp
            ),
        ],
    )
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["PRODID"]) == ical.PRODID
    # TEXT escaping (icalendar leaves X- properties escaped as they are)
    assert str(calendar["X-WR-CALNAME"]) == "Petit coin de paradis\\, « côté jardin » \\; vue"
    events = calendar.walk("VEVENT")
    assert [(e["DTSTART"].dt, e["DTEND"].dt, str(e["SUMMARY"])) for e in events] == [
        (date(2024, 5, 8), date(2024, 5, 12), "Réservé"),
        (date(2024, 5, 12), date(2024, 5, 13), "Indisponible"),
    ]
    assert events[0]["DTSTAMP"].dt == stamp
    assert b"DTSTART;VALUE=DATE:20240508\r\n" in body


# Arrival / departure markers ----------------------------------------------------------------


def test_smoobu_check_in_and_check_out_markers_block_no_night():
    parsed = parse(feeds.smoobu(feeds.smoobu_stay("1001", "Jean Dupont", "20240510", "20240514")))
    assert spans(parsed) == [(date(2024, 5, 10), date(2024, 5, 14), "Jean Dupont")]
    assert [e.key for e in parsed.events] == ["1001@smoobu.com"]
    assert parsed.markers == 2 and parsed.skipped == 0


@pytest.mark.parametrize(
    "summary",
    [
        "Check-in Jean Dupont",
        "CHECK-OUT Jean Dupont",
        "Check in: Dupont",
        "check out - Dupont",
        "Checkin",
        "checkout Dupont",
        "Check\u2011in Dupont",  # non-breaking hyphen
        "✈ Check-in Dupont",
        "Arrivée Martin",
        "ARRIVEE",
        "Arrival: Martin",
        "Départ - Martin",
        "DEPART Martin",
        "Departure Martin",
    ],
)
def test_one_day_arrival_and_departure_markers_are_recognised(summary):
    body = feeds.ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", *feeds.vevent("m", "20240510", None, summary), "END:VCALENDAR"
    )
    parsed = parse(body)
    assert parsed.events == [] and parsed.markers == 1
    assert ical.is_stay_marker(summary)


@pytest.mark.parametrize(
    "summary", ["Réservé", "Jean Dupont", "Départementale 12", "Checking the boiler", "Arrivage de bois", ""]
)
def test_other_one_day_events_still_block_their_night(summary):
    body = feeds.ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", *feeds.vevent("m", "20240510", None, summary), "END:VCALENDAR"
    )
    assert [(e.arrival, e.departure) for e in parse(body).reservations] == [
        (date(2024, 5, 10), date(2024, 5, 11))
    ]
    assert not ical.is_stay_marker(summary)


def test_a_marker_summary_on_a_stay_of_several_nights_is_a_stay():
    body = feeds.ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        *feeds.vevent("s", "20240510", "20240512", "Arrivée Martin"),
        "END:VCALENDAR",
    )
    assert spans(parse(body)) == [(date(2024, 5, 10), date(2024, 5, 12), "Arrivée Martin")]


# The sync window ----------------------------------------------------------------------------


def calendar_of(*events: list[str]) -> bytes:
    return feeds.ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", *[line for event in events for line in event], "END:VCALENDAR"
    )


@pytest.mark.parametrize(
    "events",
    [
        # everything more than three years ahead (the last night synchronised is 3 May 2027)
        [
            feeds.vevent("far1", "20270601", "20270608", "Reserved"),
            feeds.vevent("far2", "20300101", "20300105", "Reserved"),
        ],
        # everything in the past, a recurring series too
        [
            feeds.vevent("old1", "20230510", "20230514", "Reserved"),
            feeds.vevent("old2", "20200101", "20200105", "Reserved", "RRULE:FREQ=YEARLY;COUNT=3"),
        ],
    ],
    ids=["future", "past"],
)
def test_a_feed_with_every_event_outside_the_window_says_so(events):
    parsed = parse(calendar_of(*events))
    assert parsed.events == [] and parsed.skipped == 0
    assert parsed.outside == 2 and parsed.only_outside_window and not parsed.is_empty
    assert (parsed.window_start, parsed.window_end) == (date(2024, 4, 28), date(2027, 5, 4))


def test_an_empty_calendar_is_not_an_out_of_window_one():
    parsed = parse(calendar_of())
    assert parsed.is_empty and not parsed.only_outside_window
    cancelled = parse(calendar_of(feeds.vevent("c", "20240510", "20240512", "Reserved", "STATUS:CANCELLED")))
    assert not cancelled.is_empty and not cancelled.only_outside_window and cancelled.ignored == 1
    some_inside = parse(
        calendar_of(
            feeds.vevent("far", "20300101", "20300105", "Reserved"),
            feeds.vevent("in", "20240510", "20240512", "Reserved"),
        )
    )
    assert some_inside.outside == 1 and not some_inside.only_outside_window
