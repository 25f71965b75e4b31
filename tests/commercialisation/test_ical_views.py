"""COMMERCIALISATION > Synchronisation iCal pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commercialisation.models import IcalExport, IcalFeed, ImportedBlock
from comptes.audit import history
from comptes.scoping import provider_scope
from tests import factories
from tests.commercialisation import feeds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

LIST = reverse("commercialisation:ical")


def lodging_url(lodging):
    return reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": lodging.pk})


def test_the_menu_entry_lists_every_feed_of_every_lodging(owner_client, lodging):
    empty = factories.make_lodging(lodging.provider, name="Gîte La Colline Verte")
    factories.make_ical_feed(lodging, name="Airbnb")
    failing = factories.make_ical_feed(lodging, name="Booking.com", platform="booking")
    with provider_scope(lodging.provider):
        IcalFeed.objects.filter(pk=failing.pk).update(
            last_error_code="html", consecutive_failures=3, last_attempt_at="2024-05-01T08:00Z"
        )
    response = owner_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Synchronisation iCal" in html and 'aria-current="page"' in html
    assert "Petit coin de paradis" in html and "Gîte La Colline Verte" in html
    assert "Jamais synchronisé" in html and "Échecs répétés" in html
    assert "L’adresse renvoie une page web" in html
    assert "Aucun calendrier importé pour cet hébergement." in html
    assert html.count("Synchroniser maintenant") == 1  # only the lodging with feeds
    assert lodging_url(empty) in html


def test_the_list_page_costs_the_same_with_many_feeds(owner_client, provider, django_assert_num_queries):
    first = factories.make_lodging(provider)
    factories.make_ical_feed(first)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(LIST).status_code == 200
        return len(queries)

    small = count()
    for i in range(8):
        lodging = factories.make_lodging(provider, name=f"Chalet {i}")
        for _ in range(3):
            feed = factories.make_ical_feed(lodging)
            with provider_scope(provider):
                ImportedBlock.objects.create(
                    provider=provider,
                    lodging=lodging,
                    feed=feed,
                    uid=f"u{feed.pk}",
                    summary="Reserved",
                    arrival=date(2024, 5, 8),
                    departure=date(2024, 5, 12),
                )
        factories.make_booking_stay(lodging, date(2024, 5, 10), date(2024, 5, 11))  # conflicts, too
    assert count() == small


def test_lodging_page_shows_export_address_and_feeds(owner_client, lodging):
    feed = factories.make_ical_feed(lodging, name="Airbnb")
    response = owner_client.get(lodging_url(lodging))
    assert response.status_code == 200
    with provider_scope(lodging.provider):
        export = IcalExport.objects.get(lodging=lodging)
    html = response.content.decode()
    assert f"http://testserver/ical/{export.token}.ics" in html
    assert f"http://testserver/ical/{export.token}/{feed.pk}.ics" in html
    assert "Adresse à donner à Airbnb" in html
    # The address stays the same from one visit to the next.
    assert f"/ical/{export.token}.ics" in owner_client.get(lodging_url(lodging)).content.decode()


def test_add_a_feed_synchronises_it_at_once(owner_client, lodging, feed_server, transactional_db):
    """In the tests (eager Celery) the synchronisation runs in-process once the request's transaction
    commits; a real worker runs it elsewhere (tests/resilience)."""
    url = feed_server.serve("/airbnb.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512")))
    response = owner_client.post(
        lodging_url(lodging),
        {"add": "1", "url": url, "platform": "", "name": "", "reexport": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "Le calendrier « Autre plateforme » est ajouté." in html
    assert (
        "Synchronisation terminée : 1 événement importé, 0 modifié, 0 supprimé, 0 conflit, 0 erreur." in html
    )
    assert "08/05/2024" in html and "12/05/2024" in html and "Reserved" in html
    with provider_scope(lodging.provider):
        assert [a.action for a in history(lodging)] == ["ical.feed.added"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("ftp://example.com/cal.ics", "Seules les adresses http, https et webcal sont acceptées."),
        ("https://example.com:8443/cal.ics", "Seuls les ports web standard (80 et 443) sont acceptés."),
        (
            "https://www.airbnb.fr/calendar/ical/1.ics?s=abc",
            "Ce calendrier est déjà importé (Petit coin de paradis).",
        ),
    ],
)
def test_a_bad_address_is_refused_next_to_the_field(owner_client, lodging, settings, url, message):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    factories.make_ical_feed(lodging, "https://www.airbnb.fr/calendar/ical/1.ics?s=abc")
    response = owner_client.post(lodging_url(lodging), {"add": "1", "url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    with provider_scope(lodging.provider):
        assert IcalFeed.objects.count() == 1


def test_remove_a_feed_and_its_blocks(owner_client, lodging):
    feed = factories.make_ical_feed(lodging)
    with provider_scope(lodging.provider):
        ImportedBlock.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            feed=feed,
            uid="x",
            arrival=date(2024, 5, 8),
            departure=date(2024, 5, 9),
        )
    response = owner_client.post(lodging_url(lodging), {"remove": "1", "feed": feed.pk}, follow=True)
    assert "Le calendrier « Airbnb » est supprimé." in response.content.decode()
    with provider_scope(lodging.provider):
        assert not IcalFeed.objects.exists() and not ImportedBlock.objects.exists()


def test_a_feed_of_another_lodging_cannot_be_removed_from_here(owner_client, lodging, other_provider):
    other = factories.make_lodging(other_provider)
    foreign = factories.make_ical_feed(other)
    mine = factories.make_lodging(lodging.provider, name="Gîte La Colline Verte")
    sibling = factories.make_ical_feed(mine)
    assert owner_client.post(lodging_url(lodging), {"remove": "1", "feed": foreign.pk}).status_code == 404
    assert owner_client.post(lodging_url(lodging), {"remove": "1", "feed": sibling.pk}).status_code == 404
    assert owner_client.post(LIST, {"sync": "1", "lodging": other.pk}).status_code == 404


def test_regenerate_the_export_address(owner_client, lodging, client):
    owner_client.get(lodging_url(lodging))
    with provider_scope(lodging.provider):
        old = IcalExport.objects.get(lodging=lodging).token
    response = owner_client.post(lodging_url(lodging), {"regenerate": "1"}, follow=True)
    assert "Une nouvelle adresse d’export est créée" in response.content.decode()
    with provider_scope(lodging.provider):
        new = IcalExport.objects.get(lodging=lodging).token
    assert new != old and f"/ical/{new}.ics" in response.content.decode()
    assert client.get(f"/ical/{old}.ics").status_code == 404


def test_synchronise_now_from_the_list_shows_the_result(owner_client, lodging, feed_server, transactional_db):
    feed = factories.make_ical_feed(
        lodging,
        feed_server.serve("/a.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20240508", "20240512"))),
    )
    broken = factories.make_ical_feed(
        lodging, feed_server.serve("/b.ics", b"<html>login</html>"), name="Booking.com"
    )
    response = owner_client.post(LIST, {"sync": "1", "lodging": lodging.pk}, follow=True)
    html = response.content.decode()
    assert (
        "Synchronisation terminée : 1 événement importé, 0 modifié, 0 supprimé, 0 conflit, 1 erreur." in html
    )
    assert "L’adresse renvoie une page web" in html
    feed.refresh_from_db()
    broken.refresh_from_db()
    assert feed.state == "ok" and broken.state == "error"
    assert feed.last_success_at.strftime("%d/%m/%Y") in html


def test_the_feed_list_is_an_htmx_partial_when_polled(owner_client, lodging):
    factories.make_ical_feed(lodging)
    response = owner_client.get(LIST, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ical-feeds"') and "<html" not in html
    response = owner_client.get(lodging_url(lodging), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="ical-feeds"')


def test_a_pending_synchronisation_is_polled_for_a_while_only(owner_client, lodging):
    feed = factories.make_ical_feed(lodging)
    with provider_scope(lodging.provider):
        IcalFeed.objects.filter(pk=feed.pk).update(sync_requested_at=timezone.now())
    html = owner_client.get(LIST).content.decode()
    assert "Synchronisation en cours…" in html and 'hx-trigger="every 2s"' in html
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        html = owner_client.get(LIST).content.decode()
    assert "Synchronisation en cours…" not in html and 'hx-trigger="every 2s"' not in html


def test_the_lodging_page_costs_the_same_with_many_feeds(owner_client, lodging):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.make_ical_feed(lodging)
    owner_client.get(lodging_url(lodging))  # creates the export address

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(lodging_url(lodging)).status_code == 200
        return len(queries)

    small = count()
    for i in range(10):
        feed = factories.make_ical_feed(lodging, name=f"Calendrier {i}")
        with provider_scope(lodging.provider):
            IcalFeed.objects.filter(pk=feed.pk).update(last_error_code="html", last_attempt_at=timezone.now())
            for j in range(5):
                ImportedBlock.objects.create(
                    provider=lodging.provider,
                    lodging=lodging,
                    feed=feed,
                    uid=f"u{j}",
                    summary="Reserved",
                    arrival=date(2024, 6, 1 + j),
                    departure=date(2024, 6, 2 + j),
                )
    assert count() == small


def test_synchronise_now_counts_the_events_ignored(owner_client, lodging, feed_server, transactional_db):
    period_start = [
        "BEGIN:VEVENT",
        "UID:p@example.com",
        "DTSTART;VALUE=PERIOD:20240601T140000Z/P2D",
        "END:VEVENT",
    ]
    url = feed_server.serve("/g.ics", feeds.google(period_start, feeds.google_utc_stay()))
    factories.make_ical_feed(lodging, url, platform="google", name="Agenda")
    html = owner_client.post(lodging_url(lodging), {"sync": "1"}, follow=True).content.decode()
    assert (
        "Synchronisation terminée : 1 événement importé, 0 modifié, 0 supprimé, 0 conflit, 0 erreur, "
        "1 événement ignoré." in html
    )
    assert "1 événement ignoré : il n’a pas pu être lu ou n’est pas pris en charge." in html
