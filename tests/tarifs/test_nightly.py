"""Prices by the night (issue #17 item 2): a price per night, a minimum and a maximum stay, arrival
days, weekly and monthly discounts → a stored price for every length of the range, which the engine
quotes like any other; and the longest stay lifted from 28 to ``MAX_STAY_NIGHTS`` nights."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commercialisation.public import catalogue
from comptes.models import AuditEntry
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from tarifs.engine import LineKind, quote_stay
from tarifs.models import MAX_STAY_NIGHTS, StayPrice
from tarifs.services import (
    MAX_GENERATED_STAYS,
    NightlyRule,
    nightly_amounts,
    nights_check,
    stay_prices_generate,
)

ALL_DAYS = frozenset(range(7))
JULY = (date(2030, 7, 1), date(2030, 7, 31))  # a month: the last day is the last departure day
BOOKED_ON = date(2030, 3, 1)
THE_ISSUES_RULE = NightlyRule(
    nightly_price=Decimal("90.00"), min_nights=2, max_nights=30, weekly_percent=Decimal("10")
)


@pytest.fixture
def scoped(provider):
    with provider_scope(provider):
        yield provider


def adults(count=2):
    return {AgeBracket.objects.get(label_fr="Adulte").pk: count}


def generate(provider, lodging, **overrides):
    arguments = {
        "provider": provider,
        "lodging": lodging,
        "periods": [JULY],
        "weekdays": ALL_DAYS,
        "nightly": THE_ISSUES_RULE,
    }
    arguments.update(overrides)
    return stay_prices_generate(**arguments)


# ---------------------------------------------------------------------------------------------
# The amounts of one length (no database)


def test_seven_nights_at_90_less_10_percent_is_567():
    amounts = nightly_amounts(rule=THE_ISSUES_RULE, nights=7)
    assert (amounts.initial_price, amounts.discount, amounts.sale_price) == (
        Decimal("630.00"),
        Decimal("63.00"),
        Decimal("567.00"),
    )


def test_the_weekly_discount_starts_at_seven_nights():
    six = nightly_amounts(rule=THE_ISSUES_RULE, nights=6)
    assert (six.initial_price, six.discount, six.sale_price) == (Decimal("540.00"), 0, Decimal("540.00"))


def test_the_monthly_discount_replaces_the_weekly_one_from_28_nights():
    rule = NightlyRule(
        nightly_price=Decimal("90"),
        min_nights=2,
        max_nights=60,
        weekly_percent=Decimal("10"),
        monthly_percent=Decimal("25"),
    )
    assert nightly_amounts(rule=rule, nights=27).sale_price == Decimal("2187.00")  # 2 430 − 10 %
    assert nightly_amounts(rule=rule, nights=28).sale_price == Decimal("1890.00")  # 2 520 − 25 %
    assert nightly_amounts(rule=rule, nights=60).sale_price == Decimal("4050.00")  # 5 400 − 25 %
    # No monthly discount: the weekly one goes on past 28 nights.
    assert nightly_amounts(rule=THE_ISSUES_RULE, nights=30).sale_price == Decimal("2430.00")


def test_the_discount_is_rounded_half_up_to_the_cent():
    rule = NightlyRule(
        nightly_price=Decimal("33.35"), min_nights=7, max_nights=7, weekly_percent=Decimal("7.5")
    )
    # 7 × 33,35 = 233,45; 7,5 % = 17,50875 → 17,51; sale 215,94.
    amounts = nightly_amounts(rule=rule, nights=7)
    assert (amounts.initial_price, amounts.discount, amounts.sale_price) == (
        Decimal("233.45"),
        Decimal("17.51"),
        Decimal("215.94"),
    )


def test_the_longest_stay_is_one_constant_lifted_to_monthly_lets():
    assert MAX_STAY_NIGHTS == 90
    assert catalogue.MAX_NIGHTS == MAX_STAY_NIGHTS  # the public search and journey follow it
    nights_check(28)
    nights_check(29)
    nights_check(MAX_STAY_NIGHTS)
    with pytest.raises(ValidationError):
        nights_check(MAX_STAY_NIGHTS + 1)


# ---------------------------------------------------------------------------------------------
# The stays generated: exactly the rule's


settings_db = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_db
@given(
    start=st.dates(min_value=date(2030, 1, 1), max_value=date(2031, 12, 31)),
    length=st.integers(min_value=0, max_value=45),
    low=st.integers(min_value=1, max_value=MAX_STAY_NIGHTS),
    span=st.integers(min_value=0, max_value=40),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    weekly=st.sampled_from([Decimal("0"), Decimal("10"), Decimal("12.5")]),
)
def test_the_stays_are_exactly_those_of_the_rule(
    provider, lodging, scoped, start, length, low, span, weekdays, weekly
):
    """Every (arrival, length) with an allowed arrival day, a length from min to max, the whole stay
    inside the period — each once, each priced nights × price less its discount — and nothing else."""
    end = start + timedelta(days=length)
    high = min(low + span, MAX_STAY_NIGHTS)
    rule = NightlyRule(nightly_price=Decimal("90"), min_nights=low, max_nights=high, weekly_percent=weekly)
    expected = {
        (start + timedelta(days=offset), nights)
        for nights in range(low, high + 1)
        for offset in range(length + 1)
        if (start + timedelta(days=offset)).weekday() in weekdays
        and start + timedelta(days=offset + nights) <= end
    }
    try:
        plan = generate(provider, lodging, periods=[(start, end)], weekdays=weekdays, nightly=rule)
    except ValidationError as error:
        assert error.code == "no_stay" and not expected
        return
    stays = [(stay.arrival, stay.nights) for stay in plan.stays]
    assert len(stays) == len(set(stays)) and set(stays) == expected
    for stay in plan.stays:
        initial = Decimal("90") * stay.nights
        discount = (
            (initial * weekly / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if stay.nights >= 7
            else 0
        )
        assert stay.amounts.initial_price == initial
        assert stay.amounts.sale_price == initial - discount
    assert sum(line.count for line in plan.by_length) == plan.count
    assert StayPrice.objects.count() == 0  # a preview writes nothing


def test_the_issues_example_over_a_month(provider, lodging, scoped):
    """90 € / night, 2 to 30 nights, every day, July (31 days): 30 lengths would not all fit —
    a stay of n nights can arrive on 31 − n days; 2 … 30 nights gives 29 + 28 + … + 1 = 435."""
    plan = generate(provider, lodging, commit=True)
    assert plan.count == sum(31 - nights for nights in range(2, 31)) == 435
    summary = {line.nights: line for line in plan.by_length}
    assert sorted(summary) == list(range(2, 31))
    assert (summary[2].count, summary[2].first, summary[2].last) == (29, date(2030, 7, 1), date(2030, 7, 29))
    assert (summary[30].count, summary[30].first, summary[30].last) == (1, date(2030, 7, 1), date(2030, 7, 1))
    assert summary[7].amounts.sale_price == Decimal("567.00")
    assert summary[6].amounts.sale_price == Decimal("540.00")
    assert StayPrice.objects.filter(lodging=lodging).count() == 435
    assert set(StayPrice.objects.filter(nights=7).values_list("sale_price", flat=True)) == {Decimal("567.00")}
    seven = StayPrice.objects.get(arrival=date(2030, 7, 10), nights=7)
    assert (seven.initial_price, seven.discount, seven.sale_price) == (
        Decimal("630.00"),
        Decimal("63.00"),
        Decimal("567.00"),
    )
    entry = AuditEntry.objects.get(action="stay_prices.generated")
    assert entry.data["nightly"] == {
        "nightly_price": "90.00",
        "min_nights": 2,
        "max_nights": 30,
        "weekly_percent": "10",
        "monthly_percent": "0.00",
    }
    assert entry.data["count"] == 435 and entry.data["nights"] == list(range(2, 31))


def test_the_engine_quotes_seven_nights_567(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    quote = quote_stay(
        lodging=lodging, arrival=date(2030, 7, 6), nights=7, occupants=adults(2), booking_date=BOOKED_ON
    )
    assert [(line.kind, line.amount) for line in quote.lodging_lines] == [
        (LineKind.LODGING, Decimal("630.00")),
        (LineKind.DISCOUNT, Decimal("-63.00")),
    ]
    assert quote.lodging_price == Decimal("567.00")
    assert quote.total == Decimal("567.00")


def test_a_monthly_let_beyond_28_nights_is_priced_and_quoted(provider, lodging, scoped):
    rule = NightlyRule(
        nightly_price=Decimal("50"), min_nights=28, max_nights=60, monthly_percent=Decimal("20")
    )
    generate(
        provider,
        lodging,
        periods=[(date(2030, 9, 1), date(2030, 11, 30))],
        weekdays={5},
        nightly=rule,
        commit=True,
    )
    assert StayPrice.objects.filter(nights=60).exists()
    quote = quote_stay(
        lodging=lodging, arrival=date(2030, 9, 7), nights=45, occupants=adults(2), booking_date=BOOKED_ON
    )
    assert quote.lodging_price == Decimal("1800.00")  # 45 × 50 = 2 250, −20 %


def test_regenerating_replaces_every_length_in_one_bulk_write(provider, lodging, scoped):
    generate(provider, lodging, commit=True)
    cheaper = NightlyRule(
        nightly_price=Decimal("80"), min_nights=2, max_nights=30, weekly_percent=Decimal("10")
    )
    with CaptureQueriesContext(connection) as queries:
        plan = generate(provider, lodging, nightly=cheaper, commit=True)
    assert plan.replaced == plan.count == 435
    assert StayPrice.objects.count() == 435
    assert StayPrice.objects.get(arrival=date(2030, 7, 10), nights=7).sale_price == Decimal("504.00")
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # the stay prices (one upsert), the audit entry


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nightly": NightlyRule(Decimal("90"), 10, 5)}, "max_nights"),  # min > max
        ({"nightly": NightlyRule(Decimal("90"), 0, 5)}, "min_nights"),
        ({"nightly": NightlyRule(Decimal("90"), 2, MAX_STAY_NIGHTS + 1)}, "max_nights"),
        ({"nightly": NightlyRule(Decimal("0"), 2, 30)}, "nightly_price"),
        ({"nightly": NightlyRule(Decimal("-5"), 2, 30)}, "nightly_price"),
        ({"nightly": NightlyRule(Decimal("90"), 2, 30, weekly_percent=Decimal("100"))}, "weekly_percent"),
        ({"nightly": NightlyRule(Decimal("90"), 2, 30, weekly_percent=Decimal("-1"))}, "weekly_percent"),
        ({"nightly": NightlyRule(Decimal("90"), 2, 30, monthly_percent=Decimal("120"))}, "monthly_percent"),
        ({"periods": [(date(2030, 7, 31), date(2030, 7, 1))]}, "periods"),  # period reversed
        ({"weekdays": set()}, "weekdays"),  # no arrival day
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(provider, lodging, scoped, overrides, field):
    with pytest.raises(ValidationError) as raised:
        generate(provider, lodging, commit=True, **overrides)
    assert field in raised.value.error_dict
    assert StayPrice.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_an_entry_too_large_is_refused_on_the_maximum_stay(provider, lodging, scoped):
    """A year of arrivals × 2–90 nights would be ~30 000 rows in one entry: refused, nothing written."""
    rule = NightlyRule(nightly_price=Decimal("90"), min_nights=2, max_nights=MAX_STAY_NIGHTS)
    with pytest.raises(ValidationError) as raised:
        generate(
            provider, lodging, periods=[(date(2030, 1, 1), date(2030, 12, 31))], nightly=rule, commit=True
        )
    assert "max_nights" in raised.value.error_dict
    assert str(MAX_GENERATED_STAYS).replace("_", "") in str(raised.value)
    assert StayPrice.objects.count() == 0


def test_a_year_of_the_2_to_30_rule_fits_in_one_entry(provider, lodging, scoped):
    rule = NightlyRule(nightly_price=Decimal("90"), min_nights=2, max_nights=30)
    plan = generate(provider, lodging, periods=[(date(2030, 1, 1), date(2030, 12, 31))], nightly=rule)
    assert plan.count == sum(365 - nights for nights in range(2, 31)) <= MAX_GENERATED_STAYS
