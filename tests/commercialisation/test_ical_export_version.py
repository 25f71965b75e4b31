"""The export's version: bumped in the transaction of every change of what the calendar shows, and
nothing else; a conditional request (or a body already rendered) is one indexed query."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commercialisation import selectors, services
from commercialisation.models import IcalExport, Platform
from comptes.scoping import provider_scope, scopes_disabled
from hebergements import services as lodging_services
from reservations import services as booking_services
from reservations.models import Stay
from tests import factories
from tests.commercialisation import feeds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def export(lodging):
    with provider_scope(lodging.provider):
        return services.export_ensure(lodging=lodging)


def url_of(export, feed=None):
    if feed is None:
        return reverse("commercialisation:ical_export", kwargs={"token": export.token})
    return reverse("commercialisation:ical_export_feed", kwargs={"token": export.token, "feed_pk": feed.pk})


def version_of(lodging) -> int:
    with scopes_disabled():
        return IcalExport.objects.get(lodging=lodging).version


@pytest.fixture
def sync(django_capture_on_commit_callbacks):
    def run(feed):
        with provider_scope(feed.provider), django_capture_on_commit_callbacks(execute=True):
            result = services.feed_sync(feed=feed)
        feed.refresh_from_db()
        return result

    return run


# --- what bumps it, and what does not -----------------------------------------------------------


def test_every_change_of_a_file_bumps_the_version(lodging, export):
    assert version_of(lodging) == 1
    stay = factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12), status="option")
    created = version_of(lodging)
    assert created > 1

    with provider_scope(lodging.provider):
        stay = Stay.objects.select_related("booking").get(pk=stay.pk)
        booking_services.stay_update(
            stay=stay,
            arrival=date(2024, 5, 9),
            departure=date(2024, 5, 13),
            occupants=factories.adults(lodging.provider),
            lodging_price=stay.lodging_price,
            discount=stay.discount,
        )
    moved = version_of(lodging)
    assert moved > created

    with provider_scope(lodging.provider):
        booking_services.booking_cancel(booking=stay.booking)
    cancelled = version_of(lodging)
    assert cancelled > moved

    other = factories.make_booking_stay(lodging, date(2024, 6, 1), date(2024, 6, 4))
    before_delete = version_of(lodging)
    with provider_scope(lodging.provider):
        booking_services.booking_delete(booking=other.booking)
    assert version_of(lodging) > before_delete


def test_sale_prohibitions_bump_the_version(lodging, export):
    factories.make_prohibition(lodging, date(2024, 6, 10), date(2024, 6, 14))
    closed = version_of(lodging)
    assert closed > 1
    with provider_scope(lodging.provider):
        booking_services.sale_prohibition_remove(
            provider=lodging.provider, lodging=lodging, arrival=date(2024, 6, 11), departure=date(2024, 6, 12)
        )
    assert version_of(lodging) > closed


def test_the_lodging_name_and_units_bump_it_its_description_does_not(lodging, export):
    with provider_scope(lodging.provider):
        lodging_services.lodging_update(lodging=lodging, description_fr="Une autre description.")
        assert version_of(lodging) == 1
        lodging_services.lodging_update(lodging=lodging, name="Le Grand Chalet")
        renamed = version_of(lodging)
        assert renamed == 2
        lodging_services.lodging_update(lodging=lodging, has_stock=True, stock_units=3)
        assert version_of(lodging) == 3


def test_regenerating_the_token_bumps_it(lodging, export):
    with provider_scope(lodging.provider):
        new = services.export_token_regenerate(lodging=lodging)
    assert new.version == version_of(lodging) == 2


def test_what_the_calendar_does_not_show_leaves_the_version_alone(client, lodging, export):
    stay = factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12), status="option")
    version = version_of(lodging)
    first = client.get(url_of(export))
    with provider_scope(lodging.provider):
        booking = stay.booking
        booking_services.booking_confirm(booking=booking)  # option → confirmed: still "Booked"
        factories.record_payment(booking, "50.00")
        booking_services.booking_update_note(booking=booking, field="note", text="Arrive late")
    assert version_of(lodging) == version
    again = client.get(url_of(export))
    assert again["ETag"] == first["ETag"] and again.content == first.content


def test_a_rolled_back_change_leaves_no_new_version(lodging, export):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        factories.make_prohibition(lodging, date(2024, 6, 10), date(2024, 6, 14))
        assert version_of(lodging) == 2  # same transaction as the prohibition
        raise Abort
    assert version_of(lodging) == 1


def test_syncs_bump_it_only_when_a_re_exported_reservation_changes(feed_server, lodging, export, sync):
    airbnb = factories.make_ical_feed(lodging, feed_server.url("/airbnb.ics"), platform=Platform.AIRBNB)
    private = factories.make_ical_feed(
        lodging, feed_server.url("/perso.ics"), platform=Platform.OTHER, name="Perso", reexport=False
    )
    feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    sync(airbnb)
    assert version_of(lodging) == 2  # a reservation the other platforms get

    sync(airbnb)  # same content
    feed_server.serve(
        "/airbnb.ics",
        feeds.airbnb(
            feeds.airbnb_reserved("hm1", "20240508", "20240512"),
            feeds.airbnb_blocked("day1-a", "20240525", "20240528"),  # masks are not re-exported
        ),
    )
    sync(airbnb)
    assert version_of(lodging) == 2

    feed_server.serve("/perso.ics", feeds.airbnb(feeds.airbnb_reserved("p1", "20240601", "20240604")))
    sync(private)  # its reservations are not sent to the other platforms
    assert version_of(lodging) == 2

    feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240509", "20240512")))
    sync(airbnb)  # moved
    assert version_of(lodging) == 3
    feed_server.serve("/airbnb.ics", feeds.airbnb())
    sync(airbnb)  # cancelled on the platform
    assert version_of(lodging) == 4

    feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm2", "20240520", "20240523")))
    sync(airbnb)
    assert version_of(lodging) == 5
    with provider_scope(lodging.provider):
        services.feed_delete(feed=private)  # nothing of it was exported
        assert version_of(lodging) == 5
        services.feed_delete(feed=airbnb)
    assert version_of(lodging) == 6


def test_last_modified_moves_by_a_second_at_least_per_version(lodging, export):
    with time_machine.travel("2024-05-01 12:00:00.100 +0200", tick=False), provider_scope(lodging.provider):
        services.export_touch(lodging_id=lodging.pk)
        first = IcalExport.objects.get(pk=export.pk).changed_at
        services.export_touch(lodging_id=lodging.pk)
        second = IcalExport.objects.get(pk=export.pk).changed_at
    assert second - first == timedelta(seconds=1)


# --- the request path -----------------------------------------------------------------------------


def test_a_304_is_one_query_even_with_a_session_cookie(
    client, lodging, export, django_assert_max_num_queries
):
    factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    first = client.get(url_of(export))
    etag, last_modified = first["ETag"], first["Last-Modified"]

    with django_assert_max_num_queries(1):
        response = client.get(url_of(export), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag
    with django_assert_max_num_queries(1):
        response = client.get(url_of(export), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304

    client.force_login(factories.owner_of(lodging.provider))  # the owner opens the link in a browser
    with django_assert_max_num_queries(1) as queries:
        response = client.get(url_of(export), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert "django_session" not in queries.captured_queries[0]["sql"]

    feed = factories.make_ical_feed(lodging)
    for_feed = client.get(url_of(export, feed))
    with django_assert_max_num_queries(1):
        response = client.get(url_of(export, feed), HTTP_IF_NONE_MATCH=for_feed["ETag"])
    assert response.status_code == 304 and for_feed["ETag"] != etag


def test_a_full_answer_already_rendered_is_one_query(client, lodging, export, django_assert_max_num_queries):
    for i in range(20):
        factories.make_booking_stay(
            lodging, date(2024, 5, 2) + timedelta(days=2 * i), date(2024, 5, 3) + timedelta(days=2 * i)
        )
    first = client.get(url_of(export))
    with django_assert_max_num_queries(1):
        second = client.get(url_of(export))
    assert second.status_code == 200 and second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Content-Disposition"] == first["Content-Disposition"]


def test_the_body_is_cached_by_version(client, settings, lodging, export):
    stay = factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    first = client.get(url_of(export))
    with provider_scope(lodging.provider):  # behind the services' back: no new version
        Stay.objects.filter(pk=stay.pk).update(arrival=date(2024, 5, 9))
    assert client.get(url_of(export)).content == first.content  # rendered once, by version
    settings.ICAL_EXPORT_CACHE_ENTRIES = 0
    assert b"DTSTART;VALUE=DATE:20240509" in client.get(url_of(export)).content


def test_a_stale_etag_gets_the_new_calendar(client, lodging, export):
    factories.make_booking_stay(lodging, date(2024, 5, 8), date(2024, 5, 12))
    first = client.get(url_of(export))
    assert client.get(url_of(export), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    factories.make_prohibition(lodging, date(2024, 6, 10), date(2024, 6, 12))
    changed = client.get(url_of(export), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"DTSTART;VALUE=DATE:20240610" in changed.content and b"20240610" not in first.content
    assert client.get(url_of(export), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_a_new_day_is_a_new_etag(client, lodging, export):
    factories.make_booking_stay(lodging, date(2024, 4, 20), date(2024, 4, 24))  # ends 7 days before 1 May
    first = client.get(url_of(export))
    assert b"20240420" in first.content
    with time_machine.travel("2024-05-02 09:00 +0200"):
        next_day = client.get(url_of(export), HTTP_IF_NONE_MATCH=first["ETag"])
    assert next_day.status_code == 200 and next_day["ETag"] != first["ETag"]
    assert b"20240420" not in next_day.content  # more than a week ago now


def test_the_lookup_uses_the_token_and_feed_indexes(lodging, export):
    feed = factories.make_ical_feed(lodging)
    with scopes_disabled():
        assert selectors.export_head(token=export.token, feed_id=feed.pk).feed_found
        assert not selectors.export_head(token=export.token, feed_id=feed.pk + 1000).feed_found
        assert selectors.export_head(token="x" * 43) is None
        with CaptureQueriesContext(connection) as captured:
            selectors.export_head(token=export.token, feed_id=feed.pk)
    (query,) = captured.captured_queries
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: can an index serve it?
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert re.search(r"Index Scan using \S*token\S* on commercialisation_icalexport ", plan), plan
    assert re.search(r"Index Scan using \S+ on commercialisation_icalfeed ", plan), plan


@pytest.mark.django_db(transaction=True)
def test_a_poller_is_answered_after_the_database_dropped_its_connection(client, lodging, export, settings):
    """The 304's query stands for the connection's health check (no SELECT 1 first): a connection
    the database closed (a restart) is replaced and the query run again — no error for the poller."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    connection.close()
    first = client.get(url_of(export))
    pid = connection.connection.info.backend_pid if connection.connection else None
    assert pid is not None, "the connection is kept between requests"
    import psycopg

    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k in ("host", "port", "user", "dbname", "password")
    }
    with psycopg.connect(**params, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
    response = client.get(url_of(export), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
