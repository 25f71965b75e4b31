"""The planning: rows, colours, prices, navigation, sale prohibitions, block sources, query budget."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.scoping import provider_scope
from reservations import services
from reservations.models import SaleProhibition
from reservations.planning import (
    COMPACT_DAYS,
    NORMAL_DAYS,
    PlanningBlock,
    register_block_source,
    unregister_block_source,
)
from tests import factories

pytestmark = pytest.mark.django_db

START = date(2024, 5, 1)  # "1 mai 2024 - 14 juin 2024" in compact display


def planning(client, start=START, **params):
    return client.get(reverse("reservations:planning"), {"debut": start.isoformat(), **params})


def cells(html: str, lodging_pk: int) -> dict[str, str]:
    row = re.search(
        rf'<div class="pl-days pl-cells" data-lodging="{lodging_pk}">(.*?)</div></div>', html, re.S
    )
    assert row, html
    return dict(re.findall(r'data-day="([\d-]+)" data-state="(\w+)"', row.group(1)))


def test_lodging_header_rows_and_period(owner_client, provider, lodging):
    html = planning(owner_client).content.decode()
    assert "Mon planning" in html
    assert "Petit coin de paradis" in html and "OSMB-92750-1" in html
    assert "Visible sur internet, pas encore réservable" in html  # the honest status: not selling yet
    assert "1 mai 2024 - 21 mai 2024" in html  # normal display: 21 days
    assert len(cells(html, lodging.pk)) == NORMAL_DAYS
    for label in ("Réservations", "Prix nuitée", "Créer un dossier", "Créer des tarifs", "Voir les tarifs"):
        assert label in html
    for name in ("tarifs:create", "tarifs:list", "tarifs:promotion_list"):
        assert f'href="{reverse(name)}?lodging={lodging.pk}"' in html
    assert f'href="{reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})}"' in html
    create = reverse("reservations:booking_create")
    assert f'href="{create}?lodging={lodging.pk}"' in html


def test_compact_display_is_remembered(owner_client, provider, lodging):
    html = planning(owner_client, affichage="compact").content.decode()
    assert len(cells(html, lodging.pk)) == COMPACT_DAYS
    assert "1 mai 2024 - 14 juin 2024" in html and "mai 2024" in html and "juin 2024" in html
    html = planning(owner_client).content.decode()
    assert len(cells(html, lodging.pk)) == COMPACT_DAYS
    html = planning(owner_client, affichage="normal").content.decode()
    assert len(cells(html, lodging.pk)) == NORMAL_DAYS


def test_month_navigation_and_today(owner_client, provider, lodging):
    html = planning(owner_client, start=date(2024, 1, 31)).content.decode()
    assert "?debut=2023-12-31" in html and "?debut=2024-02-29" in html
    assert "Aujourd’hui" in html
    response = owner_client.get(reverse("reservations:planning"), {"debut": "n'importe quoi"})
    assert response.status_code == 200


def test_htmx_navigation_returns_only_the_planning_body(owner_client, provider, lodging):
    response = owner_client.get(
        reverse("reservations:planning"),
        {"debut": "2024-06-01"},
        headers={"HX-Request": "true", "HX-Target": "planning-body"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="planning-body"') and "<html" not in html
    assert "1 juin 2024" in html


def test_days_states_blocks_and_prices(owner_client, provider, lodging):
    factories.price_for_stay(lodging, date(2024, 5, 4), 7, "350.00")
    factories.price_for_stay(lodging, date(2024, 5, 4), 2, "105.00")
    booking = factories.make_booking(lodging, date(2024, 5, 6), date(2024, 5, 9))
    factories.make_prohibition(lodging, date(2024, 5, 1), date(2024, 5, 3))
    html = planning(owner_client).content.decode()
    states = cells(html, lodging.pk)
    assert [states[f"2024-05-0{d}"] for d in range(1, 10)] == [
        "prohibited",
        "prohibited",
        "free",
        "free",
        "free",
        "booked",
        "booked",
        "booked",
        "free",  # departure day is free for the next arrival
    ]
    assert 'class="pl-block pl-prohibition ' in html
    block = re.search(rf'<div class="pl-block pl-option ([^"]*)"[^>]*data-booking="{booking.pk}"', html)
    assert block and block.group(1) == "gc-6 gs-3 gr-1"  # column 6, 3 days, first lane
    assert f"Accéder au dossier n°{booking.number}" in html
    # Nightly price of the shortest stay starting that day: 105,00 / 2 nights, shown in whole euros
    # (it fits its day at every width), exact in the tooltip.
    assert re.search(
        r'<div class="pl-price has-price" title="2 nuits : 105,00\xa0€ \(52,50\xa0€ par nuit\)">53</div>',
        html,
    )


def test_a_file_starting_before_the_period_continues_from_its_left_edge(owner_client, provider, lodging):
    factories.make_booking(lodging, date(2024, 4, 28), date(2024, 5, 3))
    html = planning(owner_client).content.decode()
    assert re.search(r"pl-option continues-before gc-1 gs-2 ", html)


def test_another_providers_files_never_show(owner_client, provider, lodging, other_provider):
    foreign = factories.make_lodging(other_provider, name="Chez les autres")
    factories.make_booking(foreign, date(2024, 5, 6), date(2024, 5, 9), last_name="Secret")
    html = planning(owner_client).content.decode()
    assert "Chez les autres" not in html and "SECRET" not in html


def test_selection_offers_a_file_or_prohibitions_on_free_days(owner_client, provider, lodging):
    params = {
        "lodging": lodging.pk,
        "arrival": "2024-05-11",
        "departure": "2024-05-15",
        "debut": "2024-05-01",
    }
    response = owner_client.get(
        reverse("reservations:planning_selection"),
        params,
        headers={"HX-Request": "true", "HX-Target": "planning-dialog-content"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "du samedi 11/05/2024 au mercredi 15/05/2024 (4 nuits)" in html
    create = reverse("reservations:booking_create")
    assert f'href="{create}?lodging={lodging.pk}&amp;arrival=2024-05-11&amp;departure=2024-05-15"' in html
    assert "Créer des interdictions de vente" in html and "Appliquer" in html

    factories.make_prohibition(lodging, date(2024, 5, 11), date(2024, 5, 15))
    html = owner_client.get(reverse("reservations:planning_selection"), params).content.decode()
    assert "Autoriser à nouveau la vente" in html and "Créer un dossier" not in html


def test_prohibition_from_the_planning_dialog_swaps_the_planning(owner_client, provider, lodging):
    response = owner_client.post(
        reverse("reservations:prohibition_create"),
        {"lodging": lodging.pk, "arrival": "2024-05-11", "departure": "2024-05-15", "start": "2024-05-01"},
        headers={"HX-Request": "true", "HX-Target": "prohibition-form"},
    )
    assert response["HX-Retarget"] == "#planning-body" and response["HX-Trigger"] == "planning-changed"
    states = cells(response.content.decode(), lodging.pk)
    assert [states[f"2024-05-{d}"] for d in (10, 11, 14, 15)] == ["free", "prohibited", "prohibited", "free"]


def test_prohibitions_merge_shorten_and_split(provider, lodging):
    factories.make_prohibition(lodging, date(2024, 5, 1), date(2024, 5, 5))
    factories.make_prohibition(lodging, date(2024, 5, 5), date(2024, 5, 8))  # touching: merged
    factories.make_prohibition(lodging, date(2024, 5, 3), date(2024, 5, 10))  # overlapping: merged
    with provider_scope(provider):
        assert list(SaleProhibition.objects.values_list("arrival", "departure")) == [
            (date(2024, 5, 1), date(2024, 5, 10))
        ]
        freed = services.sale_prohibition_remove(
            provider=provider, lodging=lodging, arrival=date(2024, 5, 4), departure=date(2024, 5, 6)
        )
        assert freed == 2
        assert list(SaleProhibition.objects.order_by("arrival").values_list("arrival", "departure")) == [
            (date(2024, 5, 1), date(2024, 5, 4)),
            (date(2024, 5, 6), date(2024, 5, 10)),
        ]
        services.sale_prohibition_remove(
            provider=provider, lodging=lodging, arrival=date(2024, 4, 1), departure=date(2024, 5, 2)
        )
        assert list(SaleProhibition.objects.order_by("arrival").values_list("arrival", "departure")) == [
            (date(2024, 5, 2), date(2024, 5, 4)),
            (date(2024, 5, 6), date(2024, 5, 10)),
        ]


def test_allow_sale_again_from_the_form(owner_client, provider, lodging):
    factories.make_prohibition(lodging, date(2024, 5, 11), date(2024, 5, 15))
    response = owner_client.post(
        reverse("reservations:prohibition_remove"),
        {"lodging": lodging.pk, "arrival": "2024-05-11", "departure": "2024-05-15", "start": "2024-05-01"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?debut=2024-05-01")
    with provider_scope(provider):
        assert not SaleProhibition.objects.exists()
    response = owner_client.post(
        reverse("reservations:prohibition_remove"),
        {"lodging": lodging.pk, "arrival": "2024-05-11", "departure": "2024-05-15"},
    )
    assert (
        "Il n’y a pas d’interdiction de vente entre le 11/05/2024 et le 15/05/2024."
        in response.content.decode()
    )


def test_block_sources_are_drawn_in_their_own_lane(owner_client, provider, lodging):
    """The extension point for the iCal import: one call per render, whatever the lodgings."""
    booking = factories.make_booking(lodging, date(2024, 5, 6), date(2024, 5, 9))
    calls = []

    def imported(lodgings, start, end):
        calls.append(([item.pk for item in lodgings], start, end))
        return {
            lodging.pk: [
                PlanningBlock(date(2024, 5, 12), date(2024, 5, 14), "Airbnb", PlanningBlock.IMPORTED),
                PlanningBlock(
                    date(2024, 5, 8),
                    date(2024, 5, 10),
                    "Booking.com",
                    PlanningBlock.CONFLICT,
                    summary=("Conflit",),
                ),
            ],
            999999: [PlanningBlock(date(2024, 5, 1), date(2024, 5, 2), "ignored", PlanningBlock.IMPORTED)],
        }

    register_block_source(imported)
    register_block_source(imported)  # idempotent
    try:
        html = planning(owner_client).content.decode()
    finally:
        unregister_block_source(imported)
    assert calls == [([lodging.pk], START, START + timedelta(days=NORMAL_DAYS))]
    assert re.search(r'class="pl-block pl-imported gc-12 gs-2 gr-1"', html)
    assert re.search(r'class="pl-block pl-conflict gc-8 gs-2 gr-2"', html)
    assert "lanes-2" in html and "ignored" not in html
    # Imported blocks never change which days are free.
    assert cells(html, lodging.pk)["2024-05-12"] == "free"
    assert cells(html, lodging.pk)["2024-05-08"] == "booked"
    assert booking.number == 1
    assert "Airbnb" not in planning(owner_client).content.decode()


def _fill(provider, lodgings: int, bookings: int):
    items = [factories.make_lodging(provider, name=f"Gîte {index}") for index in range(lodgings)]
    for index, lodging in enumerate(items):
        factories.price_for_stay(lodging, START + timedelta(days=index % 5), 7, "350.00")
    per_lodging = max(1, bookings // lodgings)
    made = 0
    for lodging in items:
        for slot in range(per_lodging):
            if made == bookings:
                break
            arrival = START + timedelta(days=2 * slot)
            booking = factories.make_booking(
                lodging, arrival, arrival + timedelta(days=2), last_name=f"Client{made}"
            )
            if made % 3 == 1:
                factories.record_payment(booking, "50.00")
            made += 1
        factories.make_prohibition(lodging, START + timedelta(days=40), START + timedelta(days=42))
    return items


def _count_planning_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = planning(client, affichage="compact")
    assert response.status_code == 200
    return len(queries), queries


def test_query_budget_is_the_same_for_2_lodgings_and_5_files_as_for_20_lodgings_and_200_files(
    client, provider, other_provider
):
    """The planning's queries do not grow with lodgings, days or files (20 × 45 days × 200 files)."""
    _fill(provider, 2, 5)
    client.force_login(factories.owner_of(provider))
    planning(client, affichage="compact")  # warm up: session, content types
    small, small_queries = _count_planning_queries(client)

    _fill(other_provider, 20, 200)
    client.force_login(factories.owner_of(other_provider))
    planning(client, affichage="compact")
    large, large_queries = _count_planning_queries(client)
    html = planning(client, affichage="compact").content.decode()
    assert html.count('class="planning-lodging"') == 20
    assert html.count("data-booking=") == 200

    def sql(queries):
        return "\n".join(query["sql"] for query in queries.captured_queries)

    assert small == large, f"small: {small}\n{sql(small_queries)}\n\nlarge: {large}\n{sql(large_queries)}"
    assert large <= 12, sql(large_queries)


def test_an_office_sized_planning_is_paged_and_filtered(
    owner_client, provider, django_assert_max_num_queries
):
    from reservations.planning import PAGE_SIZE

    lodgings = [factories.make_lodging(provider, name=f"Gîte {index:02d}") for index in range(PAGE_SIZE + 5)]
    chalet = factories.make_lodging(provider, name="Chalet des cimes", lodging_type="chalet")
    url = reverse("reservations:planning")
    with django_assert_max_num_queries(14):
        first = owner_client.get(url, {"debut": "2030-07-01"})
    assert len(first.context["planning"].lodgings) == PAGE_SIZE
    html = first.content.decode()
    assert f"Hébergements 1 à {PAGE_SIZE} sur {len(lodgings) + 1}" in html
    second = owner_client.get(first.context["next_lodgings_url"])
    assert [row.lodging.name for row in second.context["planning"].lodgings][-1] == "Chalet des cimes"
    assert "page=2" in second.context["kept"]  # the month links keep the page
    only = owner_client.get(url, {"debut": "2030-07-01", "type": "chalet"})
    assert [row.lodging.pk for row in only.context["planning"].lodgings] == [chalet.pk]
    found = owner_client.get(url, {"q": "gîte 07"})
    assert [row.lodging.name for row in found.context["planning"].lodgings] == ["Gîte 07"]
    by_reference = owner_client.get(url, {"q": chalet.reference})
    assert [row.lodging.pk for row in by_reference.context["planning"].lodgings] == [chalet.pk]
