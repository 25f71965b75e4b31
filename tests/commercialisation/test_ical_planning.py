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
    return re.findall(r'<div class="pl-block pl-(imported|conflict)[^"]*" style="([^"]*)"', html)


def test_imported_reservations_and_conflicts_are_drawn_on_the_planning(owner_client, provider, lodging):
    airbnb = factories.make_ical_feed(lodging, name="Airbnb", platform=Platform.AIRBNB)
    file = factories.make_booking_stay(lodging, date(2024, 5, 11), date(2024, 5, 14)).booking
    block(airbnb, "r1", date(2024, 5, 8), date(2024, 5, 12))  # clashes with the file
    block(airbnb, "r2", date(2024, 5, 15), date(2024, 5, 18), summary="Reserved - Ossipian")

    html = owner_client.get(reverse("reservations:planning"), {"debut": "2024-05-01"}).content.decode()

    drawn = blocks(html)
    assert [kind for kind, _ in drawn] == ["conflict", "imported"]
    assert "background: #" in drawn[1][1]  # the platform's own colour
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
