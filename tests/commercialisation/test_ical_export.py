"""The public export: an RFC 5545 calendar of the lodging's unavailable dates, cheap to poll."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse

from commercialisation import services
from commercialisation.models import ImportedBlock, Platform
from comptes.scoping import provider_scope
from reservations import services as booking_services
from reservations.models import Booking, Stay
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def export(lodging):
    with provider_scope(lodging.provider):
        return services.export_ensure(lodging=lodging)


def url_of(export, feed=None):
    if feed is None:
        return reverse("commercialisation:ical_export", kwargs={"token": export.token})
    return reverse("commercialisation:ical_export_feed", kwargs={"token": export.token, "feed_pk": feed.pk})


def events_of(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return [
        (e["DTSTART"].dt, e["DTEND"].dt, str(e["SUMMARY"]), str(e["UID"])) for e in calendar.walk("VEVENT")
    ]


def test_export_serves_active_files_and_prohibitions_without_personal_data(client, lodging, export):
    option = factories.make_booking_stay(
        lodging, date(2024, 5, 8), date(2024, 5, 12), status="option", client_name="Kiourtzidou"
    )
    factories.make_booking_stay(
        lodging, date(2024, 5, 12), date(2024, 5, 15), status="confirmed", client_name="Ossipian"
    )
    factories.make_booking_stay(lodging, date(2024, 5, 20), date(2024, 5, 27), status="paid")
    factories.make_booking_stay(lodging, date(2024, 6, 1), date(2024, 6, 8), status="cancelled")
    factories.make_prohibition(lodging, date(2024, 6, 10), date(2024, 6, 12))
    factories.make_booking_stay(lodging, date(2024, 4, 1), date(2024, 4, 5))  # long past: left out

    response = client.get(url_of(export))  # anonymous: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"") and all(len(line) <= 75 for line in body.split(b"\r\n"))
    for expected in (
        b"PRODID:-//Open Pro//Open Pro iCal export 1.0//FR",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT30M",
        b"X-PUBLISHED-TTL:PT30M",
        b"DTSTART;VALUE=DATE:20240508\r\nDTEND;VALUE=DATE:20240512",
    ):
        assert expected.replace(b"\r\nDTEND", b"") in body.replace(b"\r\nDTEND", b"")
    assert b"Kiourtzidou" not in body and b"Ossipian" not in body

    assert [e[:3] for e in events_of(response)] == [
        (date(2024, 5, 8), date(2024, 5, 12), "Réservé"),
        (date(2024, 5, 12), date(2024, 5, 15), "Réservé"),
        (date(2024, 5, 20), date(2024, 5, 27), "Réservé"),
        (date(2024, 6, 10), date(2024, 6, 12), "Indisponible"),
    ]
    assert events_of(response)[0][3] == f"openpro-{lodging.pk}-stay-{option.pk}@openpro.ical"
    calendar = icalendar.Calendar.from_ical(body)
    first = calendar.walk("VEVENT")[0]
    with provider_scope(lodging.provider):  # the stay's change, not the file's (payments…)
        changed = Stay.objects.get(pk=option.pk).updated_at
    assert first["DTSTAMP"].dt == first["LAST-MODIFIED"].dt == changed.replace(microsecond=0)


def test_the_body_does_not_change_with_the_time_of_the_request(client, lodging, export):
    factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    first = client.get(url_of(export))
    with time_machine.travel("2024-05-01 16:45 +0200"):
        second = client.get(url_of(export))
    assert first.content == second.content and first["ETag"] == second["ETag"]


def test_conditional_requests_get_304_until_something_changes(
    client, lodging, export, django_assert_max_num_queries
):
    stay = factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    response = client.get(url_of(export))
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert "max-age=" in response["Cache-Control"]

    with django_assert_max_num_queries(1):
        cached = client.get(url_of(export), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached.content == b"" and cached["ETag"] == etag
    assert client.get(url_of(export), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    with time_machine.travel("2024-05-01 18:00 +0200"), provider_scope(lodging.provider):
        booking_services.booking_cancel(booking=Booking.objects.get(pk=stay.booking_id))
    changed = client.get(url_of(export), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert events_of(changed) == []


def test_the_export_costs_a_constant_number_of_queries(
    client, lodging, export, django_assert_max_num_queries
):
    start = date(2024, 5, 2)
    for i in range(60):
        factories.make_booking_stay(lodging, start + timedelta(days=2 * i), start + timedelta(days=2 * i + 1))
    with django_assert_max_num_queries(5):
        response = client.get(url_of(export))
    assert len(events_of(response)) == 60


def test_regenerating_the_token_kills_the_old_address(client, lodging, export):
    old = url_of(export)
    assert client.get(old).status_code == 200
    with provider_scope(lodging.provider):
        new = services.export_token_regenerate(lodging=lodging)
    assert new.token != export.token
    assert client.get(old).status_code == 404
    assert client.get(url_of(new)).status_code == 200
    assert client.get("/ical/" + "x" * 43 + ".ics").status_code == 404


def test_imported_reservations_go_to_the_other_platforms_only(client, lodging, export):
    airbnb = factories.make_ical_feed(lodging, platform=Platform.AIRBNB, name="Airbnb")
    booking = factories.make_ical_feed(lodging, platform=Platform.BOOKING, name="Booking.com")
    private = factories.make_ical_feed(lodging, platform=Platform.OTHER, name="Perso", reexport=False)
    with provider_scope(lodging.provider):
        for feed, uid, kind, arrival in [
            (airbnb, "hm1@airbnb.com", "reservation", date(2024, 5, 8)),
            (airbnb, "mask:x", "unavailable", date(2024, 5, 20)),  # masks are never re-exported
            (booking, "b1@booking.com", "reservation", date(2024, 6, 1)),
            (private, "p1", "reservation", date(2024, 7, 1)),
        ]:
            ImportedBlock.objects.create(
                provider=lodging.provider,
                lodging=lodging,
                feed=feed,
                uid=uid,
                kind=kind,
                summary="Reserved - Martin",
                arrival=arrival,
                departure=arrival + timedelta(days=3),
            )
    everything = events_of(client.get(url_of(export)))
    assert [(e[0], e[2]) for e in everything] == [
        (date(2024, 5, 8), "Réservé"),
        (date(2024, 6, 1), "Réservé"),
    ]
    assert all("Martin" not in e[2] for e in everything)
    for_airbnb = events_of(client.get(url_of(export, airbnb)))
    assert [e[0] for e in for_airbnb] == [date(2024, 6, 1)]
    for_booking = events_of(client.get(url_of(export, booking)))
    assert [e[0] for e in for_booking] == [date(2024, 5, 8)]

    other_lodging = factories.make_lodging(lodging.provider, name="Gîte La Colline Verte")
    foreign = factories.make_ical_feed(other_lodging)
    assert client.get(url_of(export, foreign)).status_code == 404


def test_a_lodging_with_stock_closes_a_night_only_when_no_unit_is_free(client, provider):
    rooms = factories.make_lodging(provider, name="Chambres", has_stock=True, stock_units=2)
    with provider_scope(provider):
        export = services.export_ensure(lodging=rooms)
    factories.make_booking_stay(rooms, date(2024, 5, 8), date(2024, 5, 12), client_name="Un")
    factories.make_booking_stay(rooms, date(2024, 5, 10), date(2024, 5, 14), client_name="Deux")
    with provider_scope(provider):
        booking_services.sale_prohibition_create(
            provider=provider, lodging=rooms, arrival=date(2024, 6, 1), departure=date(2024, 6, 3)
        )
        booking_services.sale_prohibition_create(
            provider=provider, lodging=rooms, arrival=date(2024, 6, 10), departure=date(2024, 6, 12), units=1
        )
    events = events_of(client.get(url_of(export)))
    assert [(start, end, summary) for start, end, summary, _uid in events] == [
        (date(2024, 5, 10), date(2024, 5, 12), "Réservé"),  # both rooms taken
        (date(2024, 6, 1), date(2024, 6, 3), "Indisponible"),  # every unit closed
    ]
    assert events[0][3] == f"openpro-{rooms.pk}-full-20240510@openpro.ical"
