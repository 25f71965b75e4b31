"""The search quotes only what a page needs (``catalogue.OfferList``): whatever the page, its
offers are exactly those of quoting every lodging with the engine and sorting — same prices, same
order (price, then name), same count. Checked on a marketplace built to defeat shortcuts: equal
prices, promotions that apply or not, mandatory supplements, booked lodgings, a provider whose
minimum stay refuses the week."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from commercialisation.public.catalogue import Channel, OfferList, SearchQuery, party, search
from comptes.models import Provider
from comptes.scoping import scopes_disabled
from hebergements.models import Lodging
from reservations import availability
from tarifs import engine
from tests import factories

pytestmark = pytest.mark.django_db

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)  # a Saturday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    """Quote one lodging at a time at first, so the order of the work matters on these few lodgings."""
    monkeypatch.setattr(OfferList, "first_chunk", 1)


@pytest.fixture
def marketplace():
    rng = random.Random(20301)
    office = factories.make_office(slug="ordre")
    sellers = [factories.make_seller(office) for _ in range(3)]
    strict = sellers[2]
    with scopes_disabled():
        Provider.objects.filter(pk=strict.pk).update(min_stay_nights=8)  # refuses a week
    for seller in sellers:
        seller.refresh_from_db()
    lodgings = []
    for index in range(27):
        seller = sellers[index % 3]
        price = rng.choice(["300.00", "300.00", "320.00", "350.00", "410.00"])
        name = f"{rng.choice(['Gîte', 'cabane', 'Moulin', 'chalet'])} {rng.randint(1, 9)}"
        lodging = factories.make_priced_lodging(seller, name=name, price=price)
        lodgings.append(lodging)
        roll = rng.random()
        if roll < 0.25:  # applies: booked well ahead of July
            factories.make_promotion(
                lodging,
                kind="early_booking",
                days=20,
                percent=Decimal(rng.choice([5, 10, 30])),
                valid_from=date(2030, 1, 1),
                valid_to=date(2030, 12, 31),
            )
        elif roll < 0.4:  # does not apply to this stay (last minute)
            factories.make_promotion(lodging, valid_from=date(2030, 1, 1), valid_to=date(2030, 12, 31))
        if rng.random() < 0.3:
            factories.make_supplement(
                seller, lodgings=[lodging], price=Decimal(rng.choice(["25.00", "80.00"]))
            )
        if rng.random() < 0.15:
            factories.make_booking(lodging, ARRIVAL + timedelta(days=1), ARRIVAL + timedelta(days=4))
    return office, lodgings


def brute_force(office, lodgings, persons):
    """Quote every lodging of the office for the week, keep what sells, sort as the page does."""
    with scopes_disabled():
        public = list(
            Lodging.objects.filter(pk__in=[lodging.pk for lodging in lodgings]).select_related("provider")
        )
        free = availability.free_units(public, ARRIVAL, ARRIVAL + timedelta(days=7))
        public = [lodging for lodging in public if min(free[lodging.pk].values()) > 0]
        quotes = engine.quote_batch(
            stays=[(lodging, ARRIVAL, 7) for lodging in public], occupants_for=party(persons), now=NOW
        )
    sold = [
        (quote.total, lodging.name.lower(), lodging.pk)
        for lodging in public
        if isinstance(quote := quotes[(lodging.pk, ARRIVAL, 7)], engine.Quote)
    ]
    return sorted(sold)


@pytest.mark.parametrize("page_size", [1, 4, 7])
def test_every_page_is_the_slice_of_quoting_everything(marketplace, page_size):
    office, lodgings = marketplace
    expected = brute_force(office, lodgings, persons=2)
    assert 5 < len(expected) < len(lodgings)  # some sell, some do not
    with scopes_disabled():
        result = search(Channel(office=office), SearchQuery(arrival=ARRIVAL, nights=7, persons=2), now=NOW)
        assert len(result.offers) == len(expected)
        shown = []
        for start in range(0, len(expected), page_size):
            page = result.offers[start : start + page_size]
            shown += [(offer.price, offer.lodging.name.lower(), offer.lodging.pk) for offer in page]
    assert shown == expected


def test_a_late_page_asked_first_is_right_too(marketplace):
    office, lodgings = marketplace
    expected = brute_force(office, lodgings, persons=2)
    with scopes_disabled():
        result = search(Channel(office=office), SearchQuery(arrival=ARRIVAL, nights=7, persons=2), now=NOW)
        page = result.offers[6:9]
    assert [(offer.price, offer.lodging.name.lower(), offer.lodging.pk) for offer in page] == expected[6:9]


def test_by_name_quotes_only_the_page_and_keeps_the_name_order(marketplace):
    office, lodgings = marketplace
    expected = sorted(brute_force(office, lodgings, persons=2), key=lambda row: row[1])
    with scopes_disabled():
        result = search(
            Channel(office=office), SearchQuery(arrival=ARRIVAL, nights=7, persons=2, sort="name"), now=NOW
        )
        first = result.offers[0:3]
        assert result.offers._next < len(result.offers)  # the rest not quoted
        everything = result.offers[0 : len(result.offers)]
    assert [offer.lodging.name.lower() for offer in everything] == [row[1] for row in expected]
    assert {(offer.price, offer.lodging.pk) for offer in everything} == {(row[0], row[2]) for row in expected}
    assert first == everything[:3]


def test_from_prices_pages_match_the_complete_order(marketplace):
    office, _lodgings = marketplace
    with scopes_disabled():
        complete = search(Channel(office=office), SearchQuery(persons=2), now=NOW).offers
        everything = [(offer.price, offer.lodging.pk) for offer in complete[0 : len(complete)]]
        paged = []
        lazy = search(Channel(office=office), SearchQuery(persons=2), now=NOW).offers
        for start in range(0, len(lazy), 4):
            paged += [(offer.price, offer.lodging.pk) for offer in lazy[start : start + 4]]
    assert paged == everything
    prices = [price for price, _pk in everything if price is not None]
    assert prices == sorted(prices)
