""" "Synchroniser maintenant" only records and queues: two clicks start one synchronisation, and a
request whose task was lost (broker down, worker killed) is started by the dispatcher."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commercialisation.models import IcalFeed
from commercialisation.services import feeds_dispatch_due
from comptes.scoping import provider_scope, scopes_disabled
from tests import factories
from tests.commercialisation import feeds

pytestmark = pytest.mark.django_db

LIST = reverse("commercialisation:ical")


def test_two_clicks_start_one_synchronisation(owner_client, lodging, django_capture_on_commit_callbacks):
    factories.make_ical_feed(lodging)
    factories.make_ical_feed(lodging, name="Booking.com")

    with django_capture_on_commit_callbacks(execute=False) as first:
        response = owner_client.post(LIST, {"sync": "1", "lodging": lodging.pk}, follow=True)
    assert len(first) == 2  # one task per feed, queued, not run in the request
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html  # the page polls until the syncs end

    with django_capture_on_commit_callbacks(execute=False) as second:
        owner_client.post(LIST, {"sync": "1", "lodging": lodging.pk})
    assert second == []  # already waiting: nothing queued twice

    later = timezone.now() + timedelta(minutes=6)  # the request is long gone
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=False) as third:
        owner_client.post(LIST, {"sync": "1", "lodging": lodging.pk})
    assert len(third) == 2


def test_a_lost_request_is_started_by_the_dispatcher(
    owner_client, lodging, feed_server, settings, django_capture_on_commit_callbacks
):
    url = feed_server.serve("/a.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20300508", "20300512")))
    feed = factories.make_ical_feed(lodging, url)
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the task
        owner_client.post(LIST, {"sync": "1", "lodging": lodging.pk})
    with scopes_disabled():
        feed.refresh_from_db()
    assert feed.state == IcalFeed.State.PENDING
    assert feed.next_sync_at == feed.sync_requested_at + timedelta(seconds=settings.ICAL_SYNC_GRACE_SECONDS)

    with django_capture_on_commit_callbacks(execute=True):
        assert feeds_dispatch_due(spread_seconds=0) == 0  # not yet: the task may still come
    with (
        time_machine.travel(feed.next_sync_at + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert feeds_dispatch_due(spread_seconds=0) == 1
    assert len(feed_server.requests_to("/a.ics")) == 1
    with provider_scope(lodging.provider):
        feed.refresh_from_db()
    assert feed.state == IcalFeed.State.OK and feed.last_success_at is not None
