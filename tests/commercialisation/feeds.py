"""Hand-written feeds in the shapes the platforms really publish (dates around May 2024)."""

from __future__ import annotations


def fold75(line: bytes) -> list[bytes]:
    """Fold at 75 octets exactly, as a byte-counting platform does (may split a UTF-8 character)."""
    if len(line) <= 75:
        return [line]
    parts = [line[:75]]
    line = line[75:]
    while line:
        parts.append(b" " + line[:74])
        line = line[74:]
    return parts


def ics(*lines: str, newline: bytes = b"\r\n", fold: bool = True, bom: bool = False) -> bytes:
    out: list[bytes] = []
    for line in lines:
        data = line.encode("utf-8")
        out.extend(fold75(data) if fold else [data])
    return (b"\xef\xbb\xbf" if bom else b"") + newline.join(out) + newline


def vevent(uid: str, start: str, end: str | None, summary: str, *extra: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"DTSTART;VALUE=DATE:{start}"]
    if end:
        lines.append(f"DTEND;VALUE=DATE:{end}")
    lines += [f"UID:{uid}", f"SUMMARY:{summary}", *extra, "END:VEVENT"]
    return lines


def airbnb(*events: list[str]) -> bytes:
    """Airbnb: CRLF, folded DESCRIPTION with the reservation URL, "Reserved" and "Airbnb (Not available)"."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID;X-RICAL-TZSOURCE=TZINFO:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ics(*lines)


def airbnb_reserved(uid: str, start: str, end: str) -> list[str]:
    return vevent(
        f"{uid}@airbnb.com",
        start,
        end,
        "Reserved",
        "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/details/HM"
        + uid.upper()[:8]
        + "\\nPhone Number (Last 4 Digits): 4242",
    )


def airbnb_blocked(uid: str, start: str, end: str) -> list[str]:
    return vevent(f"{uid}@airbnb.com", start, end, "Airbnb (Not available)")


def booking(*events: list[str]) -> bytes:
    """Booking.com: LF line ends, every event "CLOSED - Not available"."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//admin.booking.com//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ics(*lines, newline=b"\n")


def booking_closed(uid: str, start: str, end: str) -> list[str]:
    return vevent(f"{uid}@booking.com", start, end, "CLOSED - Not available", "DTSTAMP:20240501T080000Z")


def abritel(*events: list[str]) -> bytes:
    """Abritel/VRBO: "Réservée - Nom", "Provisoire - Nom", "Indisponible"; byte-counted folds."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//HomeAway.com\\, Inc.//EN", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ics(*lines)


def abritel_event(uid: str, start: str, end: str, summary: str) -> list[str]:
    return vevent(f"{uid}@homeaway.com", start, end, summary, "DTSTAMP:20240501T000000Z")


PARIS_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def google(*events: list[str]) -> bytes:
    """Google Calendar: VTIMEZONE, TZID, timed events, RRULE with a cancelled occurrence."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Gîte de la colline",
        "X-WR-TIMEZONE:Europe/Paris",
        *PARIS_VTIMEZONE,
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ics(*lines)


def google_weekends() -> list[str]:
    """Four weekend rentals from Friday 17:00 to Sunday 11:00; the second one is cancelled."""
    return [
        "BEGIN:VEVENT",
        "DTSTART;TZID=Europe/Paris:20240503T170000",
        "DTEND;TZID=Europe/Paris:20240505T110000",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "DTSTAMP:20240420T101010Z",
        "UID:weekends-martin@google.com",
        "SUMMARY:Location week-end Martin",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "DTSTART;TZID=Europe/Paris:20240510T170000",
        "DTEND;TZID=Europe/Paris:20240512T110000",
        "RECURRENCE-ID;TZID=Europe/Paris:20240510T170000",
        "DTSTAMP:20240425T101010Z",
        "UID:weekends-martin@google.com",
        "SUMMARY:Location week-end Martin",
        "STATUS:CANCELLED",
        "END:VEVENT",
    ]


def google_utc_stay() -> list[str]:
    """A timed event in UTC: 19 June 22:00Z is 20 June 00:00 in Paris."""
    return [
        "BEGIN:VEVENT",
        "DTSTART:20240619T220000Z",
        "DTEND:20240622T080000Z",
        "DTSTAMP:20240420T101010Z",
        "UID:sejour-famille@google.com",
        "SUMMARY:Séjour famille",
        "END:VEVENT",
    ]


def smoobu(*events: list[str]) -> bytes:
    """Smoobu (a channel manager): each stay is an all-day event named after the guest, with a
    one-day "Check-in <guest>" event on the arrival day and "Check-out <guest>" on the departure day."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Smoobu//Smoobu Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Smoobu",
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ics(*lines)


def smoobu_stay(number: str, guest: str, arrival: str, departure: str) -> list[str]:
    """The stay, its check-in marker (timed, the arrival hour) and its check-out marker (all day)."""
    return [
        *vevent(f"{number}@smoobu.com", arrival, departure, guest, "DTSTAMP:20240420T080000Z"),
        "BEGIN:VEVENT",
        f"UID:{number}-checkin@smoobu.com",
        f"DTSTART;TZID=Europe/Paris:{arrival}T160000",
        f"DTEND;TZID=Europe/Paris:{arrival}T170000",
        f"SUMMARY:Check-in {guest}",
        "DTSTAMP:20240420T080000Z",
        "END:VEVENT",
        *vevent(
            f"{number}-checkout@smoobu.com", departure, None, f"Check-out {guest}", "DTSTAMP:20240420T080000Z"
        ),
    ]
