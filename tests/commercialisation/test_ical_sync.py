"""The synchronisation of subscribed feeds, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from commercialisation import selectors, services
from commercialisation.models import IcalFeed, ImportedBlock, Platform
from commercialisation.tasks import ical_sync_feed
from comptes.scoping import provider_scope
from reservations.models import Booking, Stay
from tests import factories
from tests.commercialisation import feeds
from tests.commercialisation.feedserver import redirect_to, trickle_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def sync(django_capture_on_commit_callbacks):
    def run(feed):
        with provider_scope(feed.provider), django_capture_on_commit_callbacks(execute=True):
            result = services.feed_sync(feed=feed)
        feed.refresh_from_db()
        return result

    return run


def planning(lodging, start: date, end: date) -> dict[date, str]:
    """Night by night, what the planning shows from the imported blocks ("" when free)."""
    with provider_scope(lodging.provider):
        blocks = selectors.imported_blocks([lodging], start, end)[lodging.pk]
    nights = {}
    day = start
    while day < end:
        covering = [b for b in blocks if b.covers(day)]
        nights[day] = " + ".join(f"{'CONFLICT ' if b.conflict else ''}{b.kind}:{b.summary}" for b in covering)
        day += timedelta(days=1)
    return nights


def nights(start: str, end: str, label: str) -> dict[date, str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return {first + timedelta(days=i): label for i in range((last - first).days)}


def expected(start: str, end: str, *runs: dict) -> dict[date, str]:
    result = nights(start, end, "")
    for run in runs:
        result.update(run)
    return result


def blocks_of(feed):
    with provider_scope(feed.provider):
        return sorted(ImportedBlock.objects.filter(feed=feed).values_list("uid", "arrival", "departure"))


def test_airbnb_extension_shifting_block_and_removal_night_by_night(feed_server, lodging, sync):
    feed = factories.make_ical_feed(lodging, feed_server.url("/airbnb.ics"), platform=Platform.AIRBNB)
    feed_server.serve(
        "/airbnb.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("hm1", "20240508", "20240512"),
            feeds.airbnb_reserved("hm2", "20240520", "20240523"),
            feeds.airbnb_blocked("day1-a", "20240525", "20240528"),
        ),
    )
    result = sync(feed)
    assert (result.created, result.updated, result.removed, result.error) == (2, 0, 0, "")
    assert planning(lodging, date(2024, 5, 6), date(2024, 5, 31)) == expected(
        "2024-05-06",
        "2024-05-31",
        nights("2024-05-08", "2024-05-12", "reservation:Reserved"),
        nights("2024-05-20", "2024-05-23", "reservation:Reserved"),
        nights("2024-05-25", "2024-05-28", "unavailable:Airbnb (Not available)"),
    )
    with provider_scope(lodging.provider):
        first_pk = ImportedBlock.objects.get(uid="hm1@airbnb.com").pk

    # Next sync: hm1 extended by two nights (same UID), the block shifted by a day under a new
    # UID, hm2 cancelled on Airbnb (gone from the feed).
    feed_server.serve(
        "/airbnb.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("hm1", "20240508", "20240514"),
            feeds.airbnb_blocked("day2-a", "20240526", "20240529"),
        ),
    )
    result = sync(feed)
    assert (result.created, result.updated, result.removed, result.blocks) == (0, 1, 1, 1)
    assert planning(lodging, date(2024, 5, 6), date(2024, 5, 31)) == expected(
        "2024-05-06",
        "2024-05-31",
        nights("2024-05-08", "2024-05-14", "reservation:Reserved"),
        nights("2024-05-26", "2024-05-29", "unavailable:Airbnb (Not available)"),
    )
    with provider_scope(lodging.provider):
        assert ImportedBlock.objects.get(uid="hm1@airbnb.com").pk == first_pk  # moved, not recreated
    assert feed.state == IcalFeed.State.OK and feed.last_success_at is not None


def test_booking_com_closed_dates_and_empty_body(feed_server, lodging, sync):
    feed = factories.make_ical_feed(lodging, feed_server.url("/booking.ics"), platform=Platform.BOOKING)
    feed_server.serve(
        "/booking.ics",
        feeds.booking(
            feeds.booking_closed("aa11", "20240515", "20240518"),
            feeds.booking_closed("bb22", "20240517", "20240520"),
        ),
    )
    result = sync(feed)
    assert result.error == "" and result.created == 0 and result.blocks == 1
    assert planning(lodging, date(2024, 5, 14), date(2024, 5, 21)) == expected(
        "2024-05-14", "2024-05-21", nights("2024-05-15", "2024-05-20", "unavailable:CLOSED - Not available")
    )
    # Booking.com sends an empty body when nothing is closed any more: no events.
    feed_server.serve("/booking.ics", b"", headers={"Content-Type": "text/calendar"})
    result = sync(feed)
    assert result.error == "" and feed.state == IcalFeed.State.OK
    assert blocks_of(feed) == []


def test_an_empty_body_is_an_error_for_other_platforms(feed_server, lodging, sync):
    feed = factories.make_ical_feed(lodging, feed_server.url("/airbnb.ics"))
    feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    sync(feed)
    feed_server.serve("/airbnb.ics", b"")
    result = sync(feed)
    assert result.error == "La plateforme a envoyé une réponse vide au lieu d’un calendrier."
    assert blocks_of(feed) == [("hm1@airbnb.com", date(2024, 5, 8), date(2024, 5, 12))]


def test_abritel_reservations_tentative_and_unavailable(feed_server, lodging, sync):
    feed = factories.make_ical_feed(lodging, feed_server.url("/abritel.ics"), platform=Platform.ABRITEL)
    feed_server.serve(
        "/abritel.ics",
        feeds.abritel(
            feeds.abritel_event("r1", "20240601", "20240605", "Réservée - Kiourtzidou"),
            feeds.abritel_event("p1", "20240605", "20240607", "Provisoire - Ossipian"),
            feeds.abritel_event("i1", "20240608", "20240609", "Indisponible"),
        ),
    )
    sync(feed)
    assert planning(lodging, date(2024, 5, 31), date(2024, 6, 10)) == expected(
        "2024-05-31",
        "2024-06-10",
        nights("2024-06-01", "2024-06-05", "reservation:Réservée - Kiourtzidou"),
        nights("2024-06-05", "2024-06-07", "reservation:Provisoire - Ossipian"),
        nights("2024-06-08", "2024-06-09", "unavailable:Indisponible"),
    )
    # The tentative booking is dropped on Abritel: the nights are free again.
    feed_server.serve(
        "/abritel.ics",
        feeds.abritel(
            feeds.abritel_event("r1", "20240601", "20240605", "Réservée - Kiourtzidou"),
            feeds.abritel_event("i1", "20240608", "20240609", "Indisponible"),
        ),
    )
    result = sync(feed)
    assert result.removed == 1
    assert planning(lodging, date(2024, 5, 31), date(2024, 6, 10)) == expected(
        "2024-05-31",
        "2024-06-10",
        nights("2024-06-01", "2024-06-05", "reservation:Réservée - Kiourtzidou"),
        nights("2024-06-08", "2024-06-09", "unavailable:Indisponible"),
    )


def test_google_calendar_recurring_rentals(feed_server, lodging, sync):
    feed = factories.make_ical_feed(
        lodging, feed_server.url("/google.ics"), platform=Platform.GOOGLE, name="Agenda"
    )
    feed_server.serve("/google.ics", feeds.google(feeds.google_weekends(), feeds.google_utc_stay()))
    result = sync(feed)
    assert result.created == 4
    weekend = "reservation:Location week-end Martin"
    assert planning(lodging, date(2024, 5, 1), date(2024, 5, 28)) == expected(
        "2024-05-01",
        "2024-05-28",
        nights("2024-05-03", "2024-05-05", weekend),
        nights("2024-05-17", "2024-05-19", weekend),
        nights("2024-05-24", "2024-05-26", weekend),
    )
    assert planning(lodging, date(2024, 6, 19), date(2024, 6, 23)) == expected(
        "2024-06-19", "2024-06-23", nights("2024-06-20", "2024-06-22", "reservation:Séjour famille")
    )


def test_ended_reservations_are_kept_when_the_platform_drops_them(feed_server, lodging, sync, frozen_today):
    feed = factories.make_ical_feed(lodging, feed_server.url("/a.ics"))
    feed_server.serve(
        "/a.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("past", "20240428", "20240430"),
            feeds.airbnb_reserved("next", "20240510", "20240512"),
        ),
    )
    sync(feed)
    assert len(blocks_of(feed)) == 2
    feed_server.serve("/a.ics", feeds.airbnb())
    result = sync(feed)
    assert result.removed == 1
    assert blocks_of(feed) == [("past@airbnb.com", date(2024, 4, 28), date(2024, 4, 30))]


def test_conditional_requests_and_unchanged_feeds(feed_server, lodging, sync):
    body = feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512"))
    feed = factories.make_ical_feed(lodging, feed_server.url("/etag.ics"))
    feed_server.serve(
        "/etag.ics", body, etag='"v1"', headers={"Last-Modified": "Wed, 01 May 2024 06:00:00 GMT"}
    )
    assert sync(feed).created == 1
    result = sync(feed)
    assert result.unchanged and result.error == ""
    second = feed_server.requests_to("/etag.ics")[1]["headers"]
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == "Wed, 01 May 2024 06:00:00 GMT"
    assert second["Accept"].startswith("text/calendar")

    # A server without validators sending the same bytes: not parsed again.
    plain = factories.make_ical_feed(lodging, feed_server.url("/plain.ics"), name="Autre")
    feed_server.serve("/plain.ics", body)
    assert sync(plain).created == 1
    assert sync(plain).unchanged
    assert "If-None-Match" not in feed_server.requests_to("/plain.ics")[1]["headers"]


FAILURES = {
    "html": (
        {
            "body": b"<!DOCTYPE html><html><body>Connexion</body></html>",
            "headers": {"Content-Type": "text/html"},
        },
        "L’adresse renvoie une page web et non un calendrier",
    ),
    "500": ({"body": b"Internal error", "status": 500}, "HTTP 500"),
    "404": ({"body": b"Not found", "status": 404}, "introuvable (HTTP 404)"),
    "6 MB": ({"body": b"BEGIN:VCALENDAR\r\n" + b"X" * (6 * 1024 * 1024)}, "trop volumineuse (plus de 5 Mo)"),
    "truncated": (
        {
            "body": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"DTSTART;VALUE=DATE:20240510\r\n"
        },
        "incomplet (il ne se termine pas par END:VCALENDAR)",
    ),
    "garbage": ({"body": b"\x89PNG\r\n\x1a\n\x00\x00garbage"}, "n’est pas un calendrier iCal"),
    "trickle": ({"handler": trickle_body}, "trop lentement"),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_bad_answer_is_one_readable_error_and_keeps_the_blocks(feed_server, lodging, sync, failure):
    feed = factories.make_ical_feed(lodging, feed_server.url("/feed.ics"))
    feed_server.serve("/feed.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    sync(feed)
    before = blocks_of(feed)
    assert before

    options, message = FAILURES[failure]
    feed_server.serve("/feed.ics", **options)
    started = time.monotonic()
    result = sync(feed)
    assert time.monotonic() - started < 6  # the test deadline is 3 s
    assert message in result.error
    assert feed.error_message == result.error and feed.state == IcalFeed.State.ERROR
    assert feed.consecutive_failures == 1
    assert blocks_of(feed) == before


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:{other}/x.ics",
        "http://10.0.0.1/x.ics",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(feed_server, lodging, sync, settings, target):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = [f"127.0.0.1:{feed_server.port}"]  # the feed server only
    feed = factories.make_ical_feed(lodging, feed_server.url("/feed.ics"))
    feed_server.serve("/feed.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    sync(feed)
    feed_server.serve("/feed.ics", handler=redirect_to(target.format(other=feed_server.port + 1)))
    result = sync(feed)
    assert result.error in (
        "L’adresse désigne un réseau privé ou local, ce qui n’est pas autorisé.",
        "Seuls les ports web standard (80 et 443) sont acceptés.",
    )
    assert len(blocks_of(feed)) == 1


def test_a_host_name_resolving_to_a_private_address_is_refused(feed_server, lodging, sync, settings):
    feed = factories.make_ical_feed(lodging, feed_server.url("/feed.ics"))
    feed_server.serve("/feed.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    sync(feed)
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False  # production
    with provider_scope(lodging.provider):
        IcalFeed.objects.filter(pk=feed.pk).update(url="http://localhost/calendar.ics")
    feed.refresh_from_db()
    result = sync(feed)
    assert result.error == "L’adresse désigne un réseau privé ou local, ce qui n’est pas autorisé."
    assert len(blocks_of(feed)) == 1


def test_repeated_failures_flag_the_feed_with_one_mail(feed_server, lodging, sync, mailoutbox):
    feed = factories.make_ical_feed(lodging, feed_server.url("/feed.ics"), name="Airbnb")
    feed_server.serve("/feed.ics", b"oops", status=503)
    for attempt in range(1, 5):
        sync(feed)
        assert feed.consecutive_failures == attempt
    assert feed.state == IcalFeed.State.FAILING
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["dupont.marie@test.com"]
    assert "Airbnb" in mail.subject and "ne se synchronise plus" in mail.subject
    assert "HTTP 503" in mail.body
    assert mail.alternatives[0][1] == "text/html"
    with provider_scope(lodging.provider):
        assert [f.pk for f in selectors.failing_feeds(lodging.provider)] == [feed.pk]
    feed_server.serve("/feed.ics", feeds.airbnb())
    sync(feed)
    assert feed.consecutive_failures == 0 and feed.state == IcalFeed.State.OK


def test_conflicts_are_kept_flagged_and_mailed_once(feed_server, lodging, sync, mailoutbox):
    stay = factories.make_booking_stay(
        lodging, date(2024, 5, 8), date(2024, 5, 12), client_name="Kiourtzidou"
    )
    feed = factories.make_ical_feed(lodging, feed_server.url("/feed.ics"))
    feed_server.serve(
        "/feed.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("hm1", "20240510", "20240515"),  # overlaps file 8 → 12 May
            feeds.airbnb_reserved("hm2", "20240512", "20240514"),  # starts on its departure day: fine
            feeds.airbnb_blocked("nb", "20240508", "20240512"),  # an availability block is no conflict
        ),
    )
    result = sync(feed)
    assert result.conflicts == 1
    night = planning(lodging, date(2024, 5, 10), date(2024, 5, 11))[date(2024, 5, 10)]
    assert night == "unavailable:Airbnb (Not available) + CONFLICT reservation:Reserved"
    with provider_scope(lodging.provider):
        conflicts = selectors.open_conflicts(lodging.provider)
        assert [(c.arrival, c.departure, c.conflict_booking_number) for c in conflicts] == [
            (date(2024, 5, 10), date(2024, 5, 15), stay.booking.number)
        ]
        # The owner's file is untouched.
        stay.refresh_from_db()
        assert (stay.arrival, stay.departure, stay.active) == (date(2024, 5, 8), date(2024, 5, 12), True)
        assert Stay.objects.count() == 1
    assert len(mailoutbox) == 1
    assert "Conflit de réservation" in mailoutbox[0].subject
    assert f"n°{stay.booking.number}" in mailoutbox[0].body
    assert "10/05/2024" in mailoutbox[0].body

    sync(feed)  # still in conflict: no second mail
    assert len(mailoutbox) == 1

    # The owner cancels the file: the conflict is gone, and would be mailed again if it came back.
    with provider_scope(lodging.provider):
        Booking.objects.filter(pk=stay.booking_id).update(status="cancelled")
        Stay.objects.filter(pk=stay.pk).update(active=False)
    feed_server.serve("/feed.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240510", "20240516")))
    assert sync(feed).conflicts == 0
    with provider_scope(lodging.provider):
        assert selectors.open_conflicts(lodging.provider) == []
        assert ImportedBlock.objects.get(uid="hm1@airbnb.com").conflict_notified_at is None


def test_round_trip_export_then_import_into_another_lodging(
    live_server, transactional_db, provider, settings, sync
):
    """Lodging A's export, served by the real server, imported into lodging B: same nights."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    a = factories.make_lodging(provider, name="Petit coin de paradis")
    b = factories.make_lodging(provider, name="Gîte La Colline Verte")
    factories.make_booking_stay(a, date(2024, 5, 8), date(2024, 5, 12), status="option")
    factories.make_booking_stay(a, date(2024, 5, 12), date(2024, 5, 15), status="confirmed")
    factories.make_booking_stay(a, date(2024, 5, 20), date(2024, 5, 27), status="paid")
    factories.make_booking_stay(a, date(2024, 6, 1), date(2024, 6, 8), status="cancelled")
    factories.make_prohibition(a, date(2024, 6, 10), date(2024, 6, 12))
    with provider_scope(provider):
        export = services.export_ensure(lodging=a)
    feed = factories.make_ical_feed(b, f"{live_server.url}/ical/{export.token}.ics", platform=Platform.OTHER)

    result = sync(feed)
    assert result.error == ""

    def blocked(lodging):
        with provider_scope(provider):
            if lodging == a:
                rows = Stay.objects.filter(lodging=a, active=True).values_list("arrival", "departure")
            else:
                rows = ImportedBlock.objects.filter(lodging=b).values_list("arrival", "departure")
            return sorted(
                arrival + timedelta(days=i)
                for arrival, departure in rows
                for i in range((departure - arrival).days)
            )

    assert blocked(b) == blocked(a)
    assert len(blocked(a)) == 4 + 3 + 7 + 2


def test_the_same_calendar_cannot_be_subscribed_twice(lodging, django_capture_on_commit_callbacks):
    other = factories.make_lodging(lodging.provider, name="Gîte La Colline Verte")
    with provider_scope(lodging.provider):
        services.feed_create(lodging=lodging, url="https://www.airbnb.fr/calendar/ical/123.ics?s=abc")
        for url, where in [
            ("https://www.airbnb.fr/calendar/ical/123.ics?s=abc", lodging),
            ("webcal://WWW.airbnb.fr/calendar/ical/123.ics?s=abc", other),
        ]:
            with pytest.raises(ValidationError) as error:
                services.feed_create(lodging=where, url=url)
            assert "déjà importé" in str(error.value.message_dict["url"])
        with pytest.raises(ValidationError) as error:
            services.feed_create(lodging=lodging, url="ftp://example.com/cal.ics")
        assert "url" in error.value.message_dict
        assert IcalFeed.objects.count() == 1
        feed = IcalFeed.objects.get()
        assert (feed.platform, feed.name) == (Platform.AIRBNB, "Airbnb")


def test_the_schedule_syncs_due_feeds_spread_under_30_minutes(
    feed_server, lodging, django_capture_on_commit_callbacks
):
    due = factories.make_ical_feed(lodging, feed_server.serve("/due.ics", feeds.airbnb()), name="due")
    later = factories.make_ical_feed(lodging, feed_server.serve("/later.ics", feeds.airbnb()), name="later")
    now = timezone.now()
    with provider_scope(lodging.provider):
        IcalFeed.objects.filter(pk=due.pk).update(next_sync_at=now - timedelta(minutes=1))
        IcalFeed.objects.filter(pk=later.pk).update(next_sync_at=now + timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feeds_dispatch_due() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.last_success_at is not None and later.last_attempt_at is None
    assert timedelta(minutes=20) <= due.next_sync_at - now <= timedelta(minutes=29)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feeds_dispatch_due() == 0


def test_the_task_is_idempotent_and_harmless_for_a_removed_feed(
    feed_server, lodging, django_capture_on_commit_callbacks
):
    feed = factories.make_ical_feed(
        lodging,
        feed_server.serve("/t.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512"))),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ical_sync_feed.delay(lodging.provider_id, feed.pk)
        ical_sync_feed.delay(lodging.provider_id, feed.pk)
    assert blocks_of(feed) == [("hm1@airbnb.com", date(2024, 5, 8), date(2024, 5, 12))]
    with provider_scope(lodging.provider):
        feed.delete()
    assert ical_sync_feed.apply(args=(lodging.provider_id, feed.pk)).result is None
    assert ical_sync_feed.apply(args=(999999, feed.pk)).result is None


def test_two_simultaneous_syncs_of_one_feed_import_each_event_once(feed_server, transactional_db, lodging):
    """Both fetches are answered at the same moment; the row lock on the feed makes the second
    reconciliation see the first one's blocks instead of inserting them again."""
    import threading

    from django.db import connection

    body = feeds.airbnb(
        *[feeds.airbnb_reserved(f"hm{i}", f"202406{i + 10:02d}", f"202406{i + 11:02d}") for i in range(10)]
    )
    both_asked = threading.Barrier(2, timeout=5)

    def answer_together(handler, server):
        both_asked.wait()
        handler._send(200, body, {"Content-Type": "text/calendar"})

    feed = factories.make_ical_feed(lodging, feed_server.serve("/race.ics", handler=answer_together))
    results, errors = [], []

    def run():
        try:
            with provider_scope(lodging.provider):
                results.append(services.feed_sync(feed=IcalFeed.objects.get(pk=feed.pk)))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert sorted(r.created for r in results) == [0, 10] and all(r.error == "" for r in results)
    assert len(blocks_of(feed)) == 10


def test_smoobu_markers_block_no_night_and_a_changeover_day_is_no_conflict(
    feed_server, lodging, sync, mailoutbox
):
    """Jean Dupont stays 10 → 14 May; Smoobu adds "Check-in" on the 10th and "Check-out" on the 14th.
    Other guests' booking files leave on the 10th and arrive on the 14th: ordinary changeovers."""
    factories.make_booking_stay(lodging, date(2024, 5, 6), date(2024, 5, 10), client_name="Martin")
    factories.make_booking_stay(lodging, date(2024, 5, 14), date(2024, 5, 18), client_name="Kiourtzidou")
    feed = factories.make_ical_feed(
        lodging, feed_server.url("/smoobu.ics"), platform=Platform.OTHER, name="Smoobu"
    )
    feed_server.serve(
        "/smoobu.ics", feeds.smoobu(feeds.smoobu_stay("1001", "Jean Dupont", "20240510", "20240514"))
    )
    result = sync(feed)
    assert (result.created, result.conflicts, result.error) == (1, 0, "")
    assert planning(lodging, date(2024, 5, 8), date(2024, 5, 16)) == expected(
        "2024-05-08", "2024-05-16", nights("2024-05-10", "2024-05-14", "reservation:Jean Dupont")
    )
    assert blocks_of(feed) == [("1001@smoobu.com", date(2024, 5, 10), date(2024, 5, 14))]
    with provider_scope(lodging.provider):
        assert selectors.open_conflicts(lodging.provider) == []
    assert mailoutbox == []


def test_markers_imported_before_leave_the_planning(feed_server, lodging, sync):
    feed = factories.make_ical_feed(
        lodging, feed_server.url("/smoobu.ics"), platform=Platform.OTHER, name="Smoobu"
    )
    with provider_scope(lodging.provider):
        ImportedBlock.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            feed=feed,
            uid="1001-checkout@smoobu.com",
            summary="Check-out Jean Dupont",
            arrival=date(2024, 5, 14),
            departure=date(2024, 5, 15),
        )
    feed_server.serve(
        "/smoobu.ics", feeds.smoobu(feeds.smoobu_stay("1001", "Jean Dupont", "20240510", "20240514"))
    )
    sync(feed)
    assert blocks_of(feed) == [("1001@smoobu.com", date(2024, 5, 10), date(2024, 5, 14))]


OUTSIDE = (
    "Le calendrier ne contient aucun événement dans la période synchronisée (du 28/04/2024 au 03/05/2027)."
)


def test_a_feed_with_every_event_outside_the_window_is_a_success_that_says_so(
    feed_server, lodging, sync, owner_client
):
    pages = [
        reverse("commercialisation:ical"),
        reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": lodging.pk}),
    ]
    feed = factories.make_ical_feed(lodging, feed_server.url("/a.ics"))
    feed_server.serve(
        "/a.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("past", "20240428", "20240430"),
            feeds.airbnb_reserved("next", "20240510", "20240512"),
        ),
    )
    sync(feed)
    # The platform now lists only stays more than three years ahead (and "next" was cancelled).
    feed_server.serve(
        "/a.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("far", "20270601", "20270608"),
            feeds.airbnb_reserved("farther", "20300101", "20300105"),
        ),
    )
    result = sync(feed)
    assert (result.error, result.created, result.removed, result.notice) == ("", 0, 1, "outside_window")
    assert feed.state == IcalFeed.State.OK and feed.consecutive_failures == 0
    assert blocks_of(feed) == [("past@airbnb.com", date(2024, 4, 28), date(2024, 4, 30))]  # history kept
    for page in pages:
        assert OUTSIDE in owner_client.get(page).content.decode()
    assert sync(feed).unchanged  # same bytes, not parsed again: still said
    assert OUTSIDE in owner_client.get(pages[0]).content.decode()

    feed_server.serve("/a.ics", feeds.airbnb(feeds.airbnb_reserved("next", "20240510", "20240512")))
    sync(feed)
    html = owner_client.get(pages[0]).content.decode()
    assert "aucun événement" not in html and "1 événement importé, 0 modifié, 0 supprimé" in html


def test_an_empty_calendar_is_a_success_that_says_so(feed_server, lodging, sync, owner_client):
    feed = factories.make_ical_feed(lodging, feed_server.url("/a.ics"))
    feed_server.serve("/a.ics", feeds.airbnb())
    result = sync(feed)
    assert result.error == "" and result.notice == "empty"
    html = owner_client.get(reverse("commercialisation:ical")).content.decode()
    assert "Le calendrier ne contient aucun événement." in html and "période synchronisée" not in html


def test_unreadable_events_are_skipped_reported_and_keep_their_blocks(
    feed_server, lodging, sync, owner_client
):
    weekly = [
        "BEGIN:VEVENT",
        "DTSTART;VALUE=DATE:20240506",
        "DTEND;VALUE=DATE:20240508",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "UID:weekly@example.com",
        "SUMMARY:Location Martin",
        "END:VEVENT",
    ]
    feed = factories.make_ical_feed(
        lodging, feed_server.url("/g.ics"), platform=Platform.GOOGLE, name="Agenda"
    )
    feed_server.serve("/g.ics", feeds.google(weekly, feeds.google_utc_stay()))
    assert sync(feed).created == 4
    before = blocks_of(feed)

    broken_weekly = [*weekly[:-1], "EXDATE:garbage", "END:VEVENT"]
    period_start = [
        "BEGIN:VEVENT",
        "UID:p@example.com",
        "DTSTART;VALUE=PERIOD:20240601T140000Z/P2D",
        "END:VEVENT",
    ]
    feed_server.serve("/g.ics", feeds.google(broken_weekly, period_start, feeds.google_utc_stay()))
    result = sync(feed)
    assert (result.error, result.skipped, result.removed) == ("", 2, 0)
    assert feed.state == IcalFeed.State.OK
    assert blocks_of(feed) == before
    html = owner_client.get(reverse("commercialisation:ical")).content.decode()
    assert "2 événements ignorés : ils n’ont pas pu être lus ou ne sont pas pris en charge." in html
