"""Imported blocks on the owner's planning: platform colour and summary, conflicts in red."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from commercialisation.models import Platform
from tests import factories
from tests.commercialisation.test_ical_selectors import block

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def blocks(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="pl-block pl-(imported|conflict)([^"]*)"', html)


def test_imported_reservations_and_conflicts_are_drawn_on_the_planning(owner_client, provider, lodging):
    airbnb = factories.make_ical_feed(lodging, name="Airbnb", platform=Platform.AIRBNB)
    file = factories.make_booking_stay(lodging, date(2024, 5, 11), date(2024, 5, 14)).booking
    block(airbnb, "r1", date(2024, 5, 8), date(2024, 5, 12))  # clashes with the file
    block(airbnb, "r2", date(2024, 5, 15), date(2024, 5, 18), summary="Reserved - Ossipian")

    html = owner_client.get(reverse("reservations:planning"), {"debut": "2024-05-01"}).content.decode()

    drawn = blocks(html)
    assert [kind for kind, _ in drawn] == ["conflict", "imported"]
    assert "tone-airbnb" in drawn[1][1]  # the platform's own colour
    assert "Reserved - Ossipian" in html
    assert f"Conflit avec le dossier n°{file.number}" in html
    assert reverse("reservations:booking_detail", kwargs={"booking_pk": file.pk}) in html


def test_imported_blocks_cost_the_same_queries_whatever_their_number(owner_client, provider, lodging):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def render() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(reverse("reservations:planning"), {"debut": "2024-05-01"})
        return len(queries), len(blocks(response.content.decode()))

    block(factories.make_ical_feed(lodging), "one", date(2024, 5, 1), date(2024, 5, 4))
    small, drawn = render()
    assert drawn == 1
    for i in range(3):
        feed = factories.make_ical_feed(factories.make_lodging(provider, name=f"Gîte {i}"))
        for week in range(3):
            block(feed, f"w{week}", date(2024, 5, 1 + 7 * week), date(2024, 5, 4 + 7 * week))
    large, drawn = render()
    assert drawn == 10
    assert large == small


def test_conflicts_and_failing_calendars_are_in_red_on_the_dashboard(owner_client, provider, lodging):
    from commercialisation.models import IcalFeed
    from comptes.scoping import provider_scope

    airbnb = factories.make_ical_feed(lodging, name="Airbnb", platform=Platform.AIRBNB)
    booking_com = factories.make_ical_feed(lodging, name="Booking.com", platform=Platform.BOOKING)
    file = factories.make_booking_stay(lodging, date(2024, 5, 11), date(2024, 5, 14)).booking
    block(airbnb, "r1", date(2024, 5, 8), date(2024, 5, 12))
    with provider_scope(provider):
        IcalFeed.objects.filter(pk=booking_com.pk).update(consecutive_failures=3)

    html = owner_client.get(reverse("reservations:dashboard")).content.decode()

    alerts = re.findall(r'<li class="alert alert-(\w+)">(.*?)</li>', html, re.S)
    assert [level for level, _ in alerts] == ["danger", "warning"]
    assert "Airbnb bloque Petit coin de paradis du 08/05/2024 au 12/05/2024" in alerts[0][1]
    assert f"dossier n°{file.number}" in alerts[0][1]
    assert reverse("reservations:booking_detail", kwargs={"booking_pk": file.pk}) in alerts[0][1]
    assert "Le calendrier « Booking.com » de Petit coin de paradis ne se synchronise plus." in alerts[1][1]
