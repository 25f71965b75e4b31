"""The generation rule of "Créer des tarifs" and its bulk write."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptes.audit import history
from comptes.models import AuditEntry
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket
from tarifs.models import StayPrice, StayPriceBracket
from tarifs.services import Discount, stay_arrivals, stay_prices_generate
from tests import factories

ALL_DAYS = range(7)

# ---------------------------------------------------------------------------------------------
# The rule alone (no database)


def test_manual_example_march_2020_two_nights_every_day_gives_20_stays():
    arrivals = stay_arrivals(periods=[(date(2020, 3, 7), date(2020, 3, 28))], nights=2, weekdays=ALL_DAYS)
    assert len(arrivals) == 20
    assert arrivals[0] == date(2020, 3, 7)  # sam. 07/03/2020 → lun. 09/03/2020
    assert arrivals[-1] == date(2020, 3, 26)  # last arrival 26/03, departure 28/03


def test_manual_example_february_2021_seven_nights_gives_one_stay():
    arrivals = stay_arrivals(periods=[(date(2021, 2, 13), date(2021, 2, 20))], nights=7, weekdays=ALL_DAYS)
    assert arrivals == [date(2021, 2, 13)]  # sam. 13/02/2021 → sam. 20/02/2021


def test_only_the_ticked_weekdays_are_arrival_days():
    saturdays = stay_arrivals(periods=[(date(2020, 3, 7), date(2020, 3, 28))], nights=7, weekdays={5})
    assert saturdays == [date(2020, 3, 7), date(2020, 3, 14), date(2020, 3, 21)]


def test_overlapping_periods_give_each_stay_once():
    periods = [(date(2024, 1, 1), date(2024, 1, 20)), (date(2024, 1, 10), date(2024, 1, 31))]
    arrivals = stay_arrivals(periods=periods, nights=3, weekdays=ALL_DAYS)
    assert len(arrivals) == len(set(arrivals)) == 28  # 1 … 28 January


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@given(
    start=days,
    length=st.integers(min_value=0, max_value=120),
    nights=st.integers(min_value=1, max_value=28),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_count_is_the_number_of_allowed_days_whose_stay_ends_in_the_period(start, length, nights, weekdays):
    end = start + timedelta(days=length)
    arrivals = stay_arrivals(periods=[(start, end)], nights=nights, weekdays=weekdays)
    expected = sum(
        1
        for offset in range(length + 1)
        if (start + timedelta(days=offset)).weekday() in weekdays
        and start + timedelta(days=offset + nights) <= end
    )
    assert len(arrivals) == expected
    for arrival in arrivals:
        assert start <= arrival and arrival + timedelta(days=nights) <= end  # no stay outside the period
        assert arrival.weekday() in weekdays
    assert arrivals == sorted(set(arrivals))


# ---------------------------------------------------------------------------------------------
# The service: plan, write, replace


@pytest.fixture
def scoped(provider):
    with provider_scope(provider):
        yield


def generate(provider, lodging, **overrides):
    arguments = {
        "provider": provider,
        "lodging": lodging,
        "periods": [(date(2020, 3, 7), date(2020, 3, 28))],
        "nights": 2,
        "weekdays": ALL_DAYS,
        "initial_price": Decimal("60.00"),
    }
    arguments.update(overrides)
    return stay_prices_generate(**arguments)


def test_the_preview_writes_nothing_and_the_confirmation_writes_the_same_stays(provider, lodging, scoped):
    plan = generate(provider, lodging)
    assert plan.count == 20 and not plan.written
    assert StayPrice.objects.count() == 0
    assert AuditEntry.objects.count() == 0

    written = generate(provider, lodging, commit=True)
    assert written.written
    assert [(s.arrival, s.nights) for s in written.stays] == [(s.arrival, s.nights) for s in plan.stays]
    rows = list(StayPrice.objects.order_by("arrival"))
    assert len(rows) == 20
    assert (rows[0].arrival, rows[0].departure) == (date(2020, 3, 7), date(2020, 3, 9))
    assert (rows[-1].arrival, rows[-1].departure) == (date(2020, 3, 26), date(2020, 3, 28))
    assert {(r.initial_price, r.discount, r.sale_price) for r in rows} == {
        (Decimal("60.00"), Decimal("0.00"), Decimal("60.00"))
    }


def test_seven_nights_example_writes_one_stay_with_the_manual_price(provider, lodging, scoped):
    plan = generate(
        provider,
        lodging,
        periods=[(date(2021, 2, 13), date(2021, 2, 20))],
        nights=7,
        initial_price=Decimal("350.00"),
        commit=True,
    )
    assert plan.count == 1
    stay = StayPrice.objects.get()
    assert (stay.arrival, stay.nights, stay.sale_price) == (date(2021, 2, 13), 7, Decimal("350.00"))


def test_discount_in_euros_and_in_percent(provider, lodging, scoped):
    # The manual: prix initial 90,00 €, remise 15,00 € → prix de vente 75,00 (-16 %).
    plan = generate(
        provider, lodging, initial_price=Decimal("90"), discount=Discount(Decimal("15")), commit=True
    )
    assert (plan.amounts.discount, plan.amounts.sale_price, plan.amounts.discount_percent) == (
        Decimal("15.00"),
        Decimal("75.00"),
        Decimal("16"),
    )
    row = StayPrice.objects.first()
    assert (row.initial_price, row.discount, row.sale_price) == (
        Decimal("90.00"),
        Decimal("15.00"),
        Decimal("75.00"),
    )

    plan = generate(
        provider, lodging, initial_price=Decimal("99.99"), discount=Discount(Decimal("12.5"), percent=True)
    )
    assert plan.amounts.discount == Decimal("12.50")  # 12,49875 rounded half-up
    assert plan.amounts.sale_price == Decimal("87.49")


def test_regenerating_replaces_the_same_stays_and_leaves_the_others(provider, lodging, scoped):
    generate(provider, lodging, commit=True)  # 20 stays of 2 nights
    generate(provider, lodging, nights=7, weekdays={5}, initial_price=Decimal("450"), commit=True)  # 3 stays
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    generate(provider, other, commit=True)

    plan = generate(
        provider,
        lodging,
        periods=[(date(2020, 3, 14), date(2020, 3, 21))],
        initial_price=Decimal("80"),
        commit=True,
    )
    assert plan.count == 6 and plan.replaced == 6 and plan.created == 0
    two_nights = StayPrice.objects.filter(lodging=lodging, nights=2)
    assert two_nights.count() == 20
    assert two_nights.filter(sale_price=Decimal("80")).count() == 6
    assert StayPrice.objects.filter(lodging=lodging, nights=7, sale_price=Decimal("450")).count() == 3
    assert StayPrice.objects.filter(lodging=other, sale_price=Decimal("60")).count() == 20


settings_db = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_db
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    length=st.integers(min_value=0, max_value=60),
    nights=st.integers(min_value=1, max_value=28),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_regenerating_is_idempotent(provider, lodging, scoped, start, length, nights, weekdays):
    StayPrice.objects.filter(lodging=lodging).delete()
    end = start + timedelta(days=length)
    arguments = {"periods": [(start, end)], "nights": nights, "weekdays": weekdays}
    try:
        first = generate(provider, lodging, commit=True, **arguments)
    except ValidationError:
        assert stay_arrivals(periods=[(start, end)], nights=nights, weekdays=weekdays) == []
        return
    snapshot = list(StayPrice.objects.order_by("arrival").values_list("arrival", "nights", "sale_price"))
    second = generate(provider, lodging, commit=True, **arguments)
    assert second.replaced == second.count == first.count == len(snapshot)
    assert (
        list(StayPrice.objects.order_by("arrival").values_list("arrival", "nights", "sale_price")) == snapshot
    )
    assert all(start <= arrival and arrival + timedelta(days=n) <= end for arrival, n, _ in snapshot)


def test_one_bulk_write_and_one_audit_entry(provider, lodging, scoped):
    user = factories.owner_of(provider)
    with CaptureQueriesContext(connection) as small:
        generate(provider, lodging, user=user, commit=True)
    StayPrice.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        plan = generate(
            provider,
            lodging,
            periods=[(date(2025, 1, 1), date(2025, 12, 31))],
            nights=range(1, 15),
            user=user,
            commit=True,
        )
    assert plan.count == StayPrice.objects.count() > 5000
    inserts = [
        q["sql"] for q in large.captured_queries if q["sql"].startswith('INSERT INTO "tarifs_stayprice"')
    ]
    assert len(inserts) == 1
    assert len(large.captured_queries) == len(small.captured_queries)
    entries = [e for e in history(lodging) if e.action == "stay_prices.generated"]
    assert len(entries) == 2
    assert entries[0].data["count"] == plan.count and entries[0].user == user


def test_per_occupant_prices_write_one_row_per_bracket_in_bulk(provider, lodging, scoped):
    adult, child, baby = AgeBracket.objects.order_by("-age_max")
    prices = {adult: Decimal("40"), child: Decimal("20"), baby: Decimal("0")}
    with CaptureQueriesContext(connection) as queries:
        plan = generate(provider, lodging, initial_price=None, bracket_prices=prices, commit=True)
    assert plan.count == 20
    assert StayPrice.objects.filter(mode=StayPrice.Mode.PER_PERSON, initial_price=None).count() == 20
    assert StayPriceBracket.objects.count() == 60
    assert set(StayPriceBracket.objects.filter(age_bracket=baby).values_list("sale_price", flat=True)) == {0}
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3  # stay prices, bracket rows, audit entry

    # Back to a whole-lodging price: the per-occupant rows of the replaced stays go.
    generate(provider, lodging, periods=[(date(2020, 3, 7), date(2020, 3, 14))], commit=True)
    assert StayPrice.objects.filter(mode=StayPrice.Mode.LODGING).count() == 6
    assert StayPriceBracket.objects.count() == 14 * 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"periods": [(date(2020, 3, 28), date(2020, 3, 7))]}, "periods"),
        ({"periods": []}, "periods"),
        ({"weekdays": set()}, "weekdays"),
        ({"initial_price": Decimal("0")}, "initial_price"),
        ({"initial_price": Decimal("-10")}, "initial_price"),
        ({"discount": Discount(Decimal("60"))}, "discount"),
        ({"discount": Discount(Decimal("100"), percent=True)}, "discount"),
        ({"nights": 0}, "nights"),
        ({"nights": 91}, "nights"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(provider, lodging, scoped, overrides, field):
    with pytest.raises(ValidationError) as raised:
        generate(provider, lodging, commit=True, **overrides)
    assert field in raised.value.error_dict
    assert StayPrice.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_period_too_short_for_the_length_is_refused(provider, lodging, scoped):
    with pytest.raises(ValidationError) as raised:
        generate(provider, lodging, periods=[(date(2020, 3, 7), date(2020, 3, 8))], commit=True)
    assert raised.value.code == "no_stay"
    assert StayPrice.objects.count() == 0


def test_another_providers_lodging_is_refused(provider, other_provider, lodging):
    other_lodging = factories.make_lodging(other_provider)
    with provider_scope(provider), pytest.raises(ValidationError):
        generate(provider, other_lodging, commit=True)
