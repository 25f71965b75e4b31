"""The heads of the iCal exports in the web process's memory (``export_heads``): a poller's 304
makes no query, and a committed change is never hidden — by PostgreSQL's notifications, with the
database read whenever the listening connection is not known alive.

These tests commit (``transactional_db``): notifications are only sent when a transaction commits.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commercialisation import export_heads, services
from commercialisation.models import IcalFeed, Platform
from comptes.scoping import provider_scope, scopes_disabled
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heads(monkeypatch):
    """The process's heads, turned on (the test settings leave them off)."""
    monkeypatch.setattr(export_heads.HEADS, "entries", 100)
    yield export_heads.HEADS
    export_heads.HEADS.stop()


@pytest.fixture
def export(lodging):
    with provider_scope(lodging.provider):
        return services.export_ensure(lodging=lodging)


def url_of(export, feed=None):
    if feed is None:
        return reverse("commercialisation:ical_export", kwargs={"token": export.token})
    return reverse("commercialisation:ical_export_feed", kwargs={"token": export.token, "feed_pk": feed.pk})


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def listening(heads, client, url) -> None:
    """Start the listener (the first request does) and wait until it listens."""
    client.get(url)
    wait_for(lambda: heads.listening)


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def test_a_known_head_answers_the_304_with_no_query(heads, client, export):
    url = url_of(export)
    listening(heads, client, url)
    first, queries = get(client, url)
    assert first.status_code == 200 and queries >= 1  # read once from the database, then kept
    response, queries = get(client, url, if_none_match=first["ETag"])
    assert response.status_code == 304
    assert queries == 0
    again, queries = get(client, url)
    assert again.status_code == 200 and again.content == first.content and queries == 0  # body cached too


def test_a_committed_change_is_seen_by_the_next_poll(heads, client, export, lodging):
    url = url_of(export)
    listening(heads, client, url)
    before = get(client, url)[0]["ETag"]
    assert get(client, url, if_none_match=before)[0].status_code == 304
    day = timezone.localdate() + timedelta(days=30)
    factories.make_booking_stay(lodging, day, day + timedelta(days=3))  # commits: the trigger notifies
    wait_for(lambda: len(heads) == 0)
    response, queries = get(client, url, if_none_match=before)
    assert response.status_code == 200 and queries >= 1
    assert response["ETag"] != before
    assert b"BEGIN:VEVENT" in response.content


def test_a_new_token_kills_the_old_address_at_once(heads, client, export, lodging):
    url = url_of(export)
    listening(heads, client, url)
    get(client, url)
    assert get(client, url)[1] == 0
    with provider_scope(lodging.provider):
        renewed = services.export_token_regenerate(lodging=lodging)
    wait_for(lambda: len(heads) == 0)
    assert client.get(url).status_code == 404
    assert client.get(url_of(renewed)).status_code == 200


def test_a_removed_feed_address_answers_404(heads, client, export, lodging):
    with scopes_disabled():
        feed = IcalFeed.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            url="https://www.airbnb.fr/calendar/ical/1.ics",
            platform=Platform.AIRBNB,
        )
    url = url_of(export, feed)
    listening(heads, client, url)
    get(client, url)
    assert get(client, url)[1] == 0
    with scopes_disabled():
        feed.delete()
    wait_for(lambda: len(heads) == 0)
    assert client.get(url).status_code == 404


def test_without_its_connection_every_request_asks_the_database(heads, client, export, lodging):
    url = url_of(export)
    listening(heads, client, url)
    get(client, url)
    assert get(client, url)[1] == 0
    old_listener = heads.listener_pid
    with connection.cursor() as cursor:  # the listener's connection is cut (a restart, the network)
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_listener])
    wait_for(lambda: not heads.listening or heads.listener_pid != old_listener)
    day = timezone.localdate() + timedelta(days=40)
    factories.make_booking_stay(lodging, day, day + timedelta(days=2))  # no one listens to this one
    wait_for(lambda: heads.listening and heads.listener_pid != old_listener)  # back, memory emptied
    response, queries = get(client, url)
    assert queries >= 1 and response.content.count(b"BEGIN:VEVENT") == 1
    assert get(client, url)[1] == 0


def test_a_head_read_while_a_change_arrives_is_not_kept(heads, client, export):
    url = url_of(export)
    listening(heads, client, url)
    key = (export.token, None)
    head, generation = heads.get(key)
    assert head is None and generation is not None
    read = export_heads.selectors.export_head(token=export.token)
    heads.changed(export.lodging_id)  # a notification arrives between the read and the store
    heads.store(key, read, generation)
    assert heads.get(key)[0] is None
    heads.store(key, read, heads.get(key)[1])
    assert heads.get(key)[0] == read


def test_off_it_keeps_nothing_and_starts_no_listener(client, export):
    assert export_heads.HEADS.entries == 0  # the test settings
    url = url_of(export)
    client.get(url)
    assert get(client, url)[1] >= 1
    assert not export_heads.HEADS.listening and len(export_heads.HEADS) == 0
