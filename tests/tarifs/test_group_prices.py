"""Price by number of people (issue #17 item 3, the manual's third question "Est-ce que j'applique un
prix différent en fonction du nombre de personnes ?"): a price of the stay for 1, 2, … N people,
besides the flat price and the per-age-bracket price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import AgeBracket
from tarifs.engine import LineKind, Reason, StayNotBookable, planning_day_prices, quote_stay
from tarifs.models import StayPrice, StayPriceGroup
from tarifs.services import Discount, stay_price_update, stay_prices_generate
from tests import factories

ALL_DAYS = range(7)
BOOKED_ON = date(2020, 1, 10)
GRID = {1: Decimal("200"), 2: Decimal("240"), 3: Decimal("280"), 4: Decimal("300")}


@pytest.fixture
def scoped(provider):
    with provider_scope(provider):
        yield provider


def occupants(adults=0, children=0):
    brackets = {bracket.label_fr: bracket.pk for bracket in AgeBracket.objects.all()}
    return {brackets["Adulte"]: adults, brackets["Enfant"]: children}


def generate(provider, lodging, **overrides):
    arguments = {
        "provider": provider,
        "lodging": lodging,
        "periods": [(date(2020, 3, 7), date(2020, 3, 28))],
        "nights": 7,
        "weekdays": {5},
        "group_prices": GRID,
    }
    arguments.update(overrides)
    return stay_prices_generate(**arguments)


def test_one_row_per_number_of_people_and_the_smallest_party_as_the_from_price(provider, lodging, scoped):
    plan = generate(provider, lodging, discount=Discount(Decimal("10"), percent=True), commit=True)
    assert plan.count == 3  # Saturdays 7, 14, 21 March
    stay = StayPrice.objects.get(arrival=date(2020, 3, 7))
    assert stay.mode == StayPrice.Mode.PER_GROUP
    assert (stay.initial_price, stay.discount, stay.sale_price) == (
        Decimal("200.00"),
        Decimal("20.00"),
        Decimal("180.00"),
    )
    assert list(stay.group_prices.values_list("persons", "sale_price")) == [
        (1, Decimal("180.00")),
        (2, Decimal("216.00")),
        (3, Decimal("252.00")),
        (4, Decimal("270.00")),
    ]
    assert StayPriceGroup.objects.count() == 3 * 4


def test_the_engine_prices_the_party_whatever_the_ages(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    three = quote_stay(
        lodging=lodging,
        arrival=date(2020, 3, 14),
        nights=7,
        occupants=occupants(adults=2, children=1),
        booking_date=BOOKED_ON,
    )
    assert [(line.kind, line.label, line.amount) for line in three.lodging_lines] == [
        (LineKind.LODGING, "Hébergement — 3 personnes", Decimal("280.00"))
    ]
    assert three.total == Decimal("280.00")
    one = quote_stay(
        lodging=lodging, arrival=date(2020, 3, 14), nights=7, occupants=occupants(1), booking_date=BOOKED_ON
    )
    assert one.lodging_price == Decimal("200.00")


def test_without_the_party_the_engine_asks_for_it(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    with pytest.raises(StayNotBookable) as raised:
        quote_stay(lodging=lodging, arrival=date(2020, 3, 14), nights=7, booking_date=BOOKED_ON)
    assert raised.value.reason == Reason.NO_OCCUPANT


def test_a_party_without_a_price_is_refused_with_the_reason(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    with pytest.raises(StayNotBookable) as raised:
        quote_stay(
            lodging=lodging,
            arrival=date(2020, 3, 14),
            nights=7,
            occupants=occupants(adults=5),
            booking_date=BOOKED_ON,
            enforce_capacity=False,
        )
    assert raised.value.reason == Reason.GROUP_PRICE
    assert raised.value.message == "Il n’y a pas de prix pour 5 personnes sur ce séjour."


def test_every_size_the_lodging_sleeps_needs_a_price(provider, lodging, scoped):
    with pytest.raises(ValidationError) as raised:
        generate(provider, lodging, group_prices={1: Decimal("200"), 2: Decimal("240")}, commit=True)
    assert raised.value.message_dict == {"group_prices": ["Saisissez le prix pour 3 personnes."]}
    assert StayPrice.objects.count() == 0


def test_the_planning_shows_the_smallest_partys_nightly_price(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    prices = planning_day_prices(lodgings=[lodging], start=date(2020, 3, 1), end=date(2020, 4, 1))
    assert prices[lodging.pk][date(2020, 3, 7)].nightly_price == Decimal("28.57")  # 200 / 7


def test_editing_one_stay_to_a_flat_price_drops_its_grid(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    stay = StayPrice.objects.get(arrival=date(2020, 3, 7))
    stay_price_update(stay_price=stay, initial_price=Decimal("350"))
    assert not StayPriceGroup.objects.filter(stay_price=stay).exists()
    stay = stay_price_update(stay_price=stay, group_prices={n: GRID[n] + 10 for n in GRID})
    assert stay.mode == StayPrice.Mode.PER_GROUP and stay.sale_price == Decimal("210.00")
    assert [row.sale_price for row in stay.group_prices.all()] == [
        Decimal("210.00"),
        Decimal("250.00"),
        Decimal("290.00"),
        Decimal("310.00"),
    ]


# ---------------------------------------------------------------------------------------------
# The form of "Créer des tarifs"


def form_data(lodging, **overrides):
    data = {
        "lodging": lodging.pk,
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "1",
        "periods-MAX_NUM_FORMS": "12",
        "periods-0-start": "2020-03-07",
        "periods-0-end": "2020-03-28",
        "nights": "7",
        "weekdays": "5",
        "mode": "per_group",
        "group_1": "200",
        "group_2": "240",
        "group_3": "280",
        "group_4": "300,00",
        "action": "confirm",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_offers_a_price_for_each_number_of_people(owner_client, lodging):
    html = owner_client.get(reverse("tarifs:create")).content.decode()
    assert "Prix en fonction du nombre de personnes" in html
    for persons, label in ((1, "1 personne"), (2, "2 personnes"), (4, "4 personnes")):
        assert f'name="group_{persons}"' in html and label in html
    assert 'name="group_5"' not in html  # the largest lodging sleeps 4


def test_the_form_writes_the_grid(owner_client, lodging):
    response = owner_client.post(reverse("tarifs:create"), form_data(lodging))
    assert response.status_code == 302
    with scopes_disabled():
        assert StayPrice.objects.filter(mode="per_group").count() == 3
        assert set(StayPriceGroup.objects.filter(persons=4).values_list("sale_price", flat=True)) == {
            Decimal("300.00")
        }


def test_a_missing_size_is_shown_next_to_its_field_and_nothing_is_saved(owner_client, lodging):
    response = owner_client.post(reverse("tarifs:create"), form_data(lodging, group_3=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_group_3_error"' in html
    assert "Saisissez le prix pour 3 personnes." in html
    with scopes_disabled():
        assert StayPrice.objects.count() == 0


def test_a_size_outside_the_lodgings_capacity_is_not_asked(owner_client, provider):
    small = factories.make_lodging(provider, name="Studio", capacity_min=2, capacity_max=2)
    factories.make_lodging(provider, name="Grand gîte", capacity_max=6)
    response = owner_client.post(
        reverse("tarifs:create"), form_data(small, group_1="", group_3="", group_4="", group_2="150")
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert set(StayPriceGroup.objects.values_list("persons", flat=True)) == {2}
        assert StayPriceGroup.objects.count() == 3  # one row (2 people) for each of the 3 Saturdays


def test_modifier_shows_the_grid_and_saves_it(owner_client, provider, lodging):
    with provider_scope(provider):
        generate(provider, lodging, commit=True)
        stay = StayPrice.objects.get(arrival=date(2020, 3, 7))
    url = reverse("tarifs:stay_price_update", kwargs={"stay_price_pk": stay.pk})
    html = owner_client.get(url).content.decode()
    field = html[html.index('name="group_3"') - 200 :][:400]
    assert 'value="280,00"' in field
    data = {"mode": "per_group", "group_1": "210", "group_2": "250", "group_3": "", "group_4": "310"}
    response = owner_client.post(url, data)
    assert response.status_code == 200
    assert "Saisissez le prix pour 3 personnes." in response.content.decode()
    response = owner_client.post(url, {**data, "group_3": "290"})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(StayPriceGroup.objects.filter(stay_price=stay).values_list("persons", "sale_price")) == [
            (1, Decimal("210.00")),
            (2, Decimal("250.00")),
            (3, Decimal("290.00")),
            (4, Decimal("310.00")),
        ]
