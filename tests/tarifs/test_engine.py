"""The price engine, with the manuals' figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from comptes.models import DepositRule, ProviderSettings
from comptes.scoping import provider_scope
from hebergements.models import AgeBracket, Supplement
from tarifs.engine import LineKind, Reason, StayNotBookable, planning_day_prices, quote_stay
from tarifs.models import PromoCode, Promotion, StayPrice, StayPriceBracket
from tests import factories
from tests.factories import make_lodging

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
JUNE_8 = date(2024, 6, 8)  # a Saturday (the manual's contract example)
BOOKED_ON = date(2024, 3, 1)


@pytest.fixture
def scoped(provider):
    with provider_scope(provider):
        yield provider


def price(lodging, arrival, nights, amount, discount="0"):
    amount, discount = Decimal(amount), Decimal(discount)
    return StayPrice.objects.create(
        provider=lodging.provider,
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        initial_price=amount,
        discount=discount,
        sale_price=amount - discount,
    )


def supplement(lodging, label, amount, **options):
    item = Supplement.objects.create(provider=lodging.provider, label=label, price=Decimal(amount), **options)
    item.lodgings.add(lodging)
    return item


def adults(count=2):
    return {AgeBracket.objects.get(label_fr="Adulte").pk: count}


def test_the_manuals_quote(scoped, lodging):
    """2 adults, 7 nights, 350,00 + mandatory cleaning 50,00 (not in the deposit), deposit 25 %."""
    price(lodging, JUNE_8, 7, "350.00")
    supplement(lodging, "Frais de ménage", "50.00", mandatory=True, counts_toward_deposit=False)
    quote = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, occupants=adults(2), booking_date=BOOKED_ON)
    assert quote.departure == date(2024, 6, 15)
    assert quote.lodging_price == Decimal("350.00")
    assert quote.supplements_total == Decimal("50.00")
    assert quote.total == Decimal("400.00")
    assert quote.deposit_percent == Decimal("25.00")
    assert quote.deposit_amount == Decimal("87.50")
    assert quote.balance == Decimal("312.50")
    assert [(line.kind, line.amount) for line in quote.lines] == [
        (LineKind.LODGING, Decimal("350.00")),
        (LineKind.SUPPLEMENT, Decimal("50.00")),
    ]


def test_a_supplement_counted_in_the_deposit_takes_the_same_percentage(scoped, lodging):
    price(lodging, JUNE_8, 7, "350.00")
    supplement(lodging, "Frais de ménage", "50.00", mandatory=True, counts_toward_deposit=True)
    quote = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, occupants=adults(), booking_date=BOOKED_ON)
    assert quote.deposit_amount == Decimal("100.00")
    assert quote.balance == Decimal("300.00")


def test_discount_from_the_price_grid(scoped, lodging):
    price(lodging, JUNE_8, 7, "400.00", discount="50.00")
    quote = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON)
    assert quote.lodging_initial_price == Decimal("400.00")
    assert quote.reductions == Decimal("50.00")
    assert quote.total == Decimal("350.00")


def test_no_price_for_that_stay(scoped, lodging):
    price(lodging, JUNE_8, 7, "350.00")
    with pytest.raises(StayNotBookable) as error:
        quote_stay(lodging=lodging, arrival=JUNE_8, nights=5, booking_date=BOOKED_ON)
    assert error.value.reason == Reason.NO_PRICE
    assert "5 nuits" in error.value.message and "08/06/2024" in error.value.message


def test_arrival_weekday_not_allowed(scoped, lodging):
    for week in range(4):
        price(lodging, JUNE_8 + timedelta(weeks=week), 7, "350.00")  # Saturdays only
    with pytest.raises(StayNotBookable) as error:
        quote_stay(lodging=lodging, arrival=date(2024, 6, 11), nights=7, booking_date=BOOKED_ON)
    assert error.value.reason == Reason.ARRIVAL_DAY
    assert "mardi" in error.value.message


def test_minimum_stay_of_the_provider(scoped, lodging):
    scoped.min_stay_nights = 3
    scoped.save()
    price(lodging, JUNE_8, 2, "120.00")
    lodging.provider.refresh_from_db()
    with pytest.raises(StayNotBookable) as error:
        quote_stay(lodging=lodging, arrival=JUNE_8, nights=2, booking_date=BOOKED_ON)
    assert error.value.reason == Reason.MIN_STAY


@pytest.mark.parametrize(("count", "reason"), [(5, Reason.OVER_CAPACITY), (0, Reason.NO_OCCUPANT)])
def test_capacity(scoped, lodging, count, reason):
    price(lodging, JUNE_8, 7, "350.00")
    with pytest.raises(StayNotBookable) as error:
        quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, occupants=adults(count), booking_date=BOOKED_ON)
    assert error.value.reason == reason


def test_supplements_per_day_per_person_and_optional(scoped, lodging):
    price(lodging, JUNE_8, 7, "350.00")
    linen = supplement(lodging, "Linge", "8.00", per_person=True)
    bike = supplement(lodging, "Vélo", "5.50", per_day=True, max_quantity=2)
    breakfast = supplement(lodging, "Petit-déjeuner", "7.25", per_day=True, per_person=True, max_quantity=1)
    occupants = adults(2)
    quote = quote_stay(
        lodging=lodging,
        arrival=JUNE_8,
        nights=7,
        occupants=occupants,
        supplements={linen.pk: 1, bike.pk: 2, breakfast.pk: 1},
        booking_date=BOOKED_ON,
    )
    amounts = {line.label: line.amount for line in quote.supplement_lines}
    assert amounts == {
        "Linge": Decimal("16.00"),
        "Vélo": Decimal("77.00"),
        "Petit-déjeuner": Decimal("101.50"),
    }
    assert quote.total == Decimal("350.00") + Decimal("194.50")
    assert quote.deposit_amount == Decimal("87.50")  # none of them counts toward the deposit

    with pytest.raises(StayNotBookable) as error:
        quote_stay(
            lodging=lodging, arrival=JUNE_8, nights=7, supplements={bike.pk: 3}, booking_date=BOOKED_ON
        )
    assert error.value.reason == Reason.SUPPLEMENT


def test_a_supplement_of_another_lodging_is_refused(scoped, lodging):
    other = make_lodging(scoped, name="Gîte La Colline Verte")
    price(lodging, JUNE_8, 7, "350.00")
    foreign = supplement(other, "Ménage", "60.00")
    with pytest.raises(StayNotBookable) as error:
        quote_stay(
            lodging=lodging, arrival=JUNE_8, nights=7, supplements={foreign.pk: 1}, booking_date=BOOKED_ON
        )
    assert error.value.reason == Reason.SUPPLEMENT


def promotion(lodging, kind, percent, days):
    return Promotion.objects.create(
        provider=lodging.provider,
        lodging=lodging,
        kind=kind,
        percent=Decimal(percent),
        days=days,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )


def test_last_minute_and_early_booking_promotions_on_the_lodging_price_only(scoped, lodging):
    price(lodging, JUNE_8, 7, "350.00")
    supplement(lodging, "Frais de ménage", "50.00", mandatory=True)
    promotion(lodging, Promotion.Kind.LAST_MINUTE, "10", 15)
    promotion(lodging, Promotion.Kind.EARLY_BOOKING, "5", 60)

    last_minute = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=date(2024, 6, 1))
    assert last_minute.promotion.kind == Promotion.Kind.LAST_MINUTE
    assert last_minute.lodging_price == Decimal("315.00")
    assert last_minute.total == Decimal("365.00")
    assert last_minute.deposit_amount == Decimal("78.75")

    early = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON)
    assert early.lodging_price == Decimal("332.50")

    neither = quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=date(2024, 5, 1))
    assert neither.promotion is None and neither.total == Decimal("400.00")


def promo_line(quote):
    (line,) = (line for line in quote.lines if line.kind == LineKind.PROMO_CODE)
    return line


def test_promo_codes(scoped, lodging):
    price(lodging, JUNE_8, 7, "350.00")
    supplement(lodging, "Frais de ménage", "50.00", mandatory=True)
    code = PromoCode.objects.create(
        provider=scoped,
        code="ETE2024",
        internal_label="Été",
        label="Été",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 6, 30),
        kind=PromoCode.Kind.PERCENT,
        value=Decimal("10"),
    )
    code.lodgings.add(lodging)
    quote = quote_stay(
        lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON, promo_code="ete2024"
    )
    assert quote.promo_code == code
    assert quote.lodging_price == Decimal("315.00")
    assert quote.total == Decimal("365.00")
    with translation.override("fr"):  # the guest reads the public label, in their language
        line = promo_line(
            quote_stay(
                lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON, promo_code="ETE2024"
            )
        )
    assert (line.label, line.amount) == ("Été (code promo ETE2024)", Decimal("-35.00"))
    code.label_en = "Summer"
    code.save()
    with translation.override("en"):
        line = promo_line(
            quote_stay(
                lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON, promo_code="ETE2024"
            )
        )
    assert line.label == "Summer (promo code ETE2024)"

    code.kind, code.value = PromoCode.Kind.AMOUNT, Decimal("400.00")
    code.save()
    quote = quote_stay(
        lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON, promo_code="ETE2024"
    )
    assert quote.lodging_price == Decimal("0.00")  # never below zero, supplements untouched
    assert quote.total == Decimal("50.00")

    for bad in ("NOPE", "ETE2024"):
        with pytest.raises(StayNotBookable) as error:
            quote_stay(
                lodging=lodging, arrival=JUNE_8, nights=7, booking_date=date(2024, 7, 1), promo_code=bad
            )
        assert error.value.reason == Reason.PROMO_CODE


def test_price_per_occupant_by_age_bracket(scoped, lodging):
    stay = StayPrice.objects.create(
        provider=scoped, lodging=lodging, arrival=JUNE_8, nights=7, mode=StayPrice.Mode.PER_PERSON
    )
    adult, child, baby = (AgeBracket.objects.get(label_fr=label) for label in ("Adulte", "Enfant", "Bébé"))
    for bracket, amount, discount in ((adult, "100.00", "10.00"), (child, "50.00", "0")):
        StayPriceBracket.objects.create(
            provider=scoped,
            stay_price=stay,
            age_bracket=bracket,
            initial_price=Decimal(amount),
            discount=Decimal(discount),
            sale_price=Decimal(amount) - Decimal(discount),
        )
    quote = quote_stay(
        lodging=lodging,
        arrival=JUNE_8,
        nights=7,
        occupants={adult.pk: 2, child.pk: 1},
        booking_date=BOOKED_ON,
    )
    assert quote.lodging_initial_price == Decimal("250.00")
    assert quote.lodging_price == Decimal("230.00")
    with pytest.raises(StayNotBookable) as error:
        quote_stay(
            lodging=lodging,
            arrival=JUNE_8,
            nights=7,
            occupants={adult.pk: 2, baby.pk: 1},
            booking_date=BOOKED_ON,
        )
    assert error.value.reason == Reason.BRACKET_PRICE
    with pytest.raises(StayNotBookable):
        quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=BOOKED_ON)


def test_deposit_percentage_by_proximity_of_the_stay(scoped, lodging):
    settings = ProviderSettings.objects.get()
    settings.use_proximity_rules = True
    settings.save()
    DepositRule.objects.create(provider=scoped, days_before=30, percent=Decimal("50"))
    DepositRule.objects.create(provider=scoped, days_before=7, percent=Decimal("100"))
    price(lodging, JUNE_8, 7, "350.00")

    def percent(booked_on):
        return quote_stay(lodging=lodging, arrival=JUNE_8, nights=7, booking_date=booked_on).deposit_percent

    assert percent(BOOKED_ON) == Decimal("25.00")
    assert percent(date(2024, 5, 20)) == Decimal("50.00")
    assert percent(date(2024, 6, 5)) == Decimal("100.00")


def test_deposit_is_rounded_half_up_per_line(scoped, lodging):
    price(lodging, JUNE_8, 3, "100.10")
    quote = quote_stay(
        lodging=lodging, arrival=JUNE_8, nights=3, booking_date=BOOKED_ON, deposit_percent=Decimal("12.5")
    )
    assert quote.deposit_amount == Decimal("12.51")  # 12.5125 → 12.51 ; half-up on the cent


def test_online_booking_deadline(scoped, lodging):
    settings = ProviderSettings.objects.get()
    settings.booking_delay = ProviderSettings.BookingDelay.NEXT_DAY_UNTIL
    settings.booking_delay_hour = time(18, 0)
    settings.save()
    tomorrow = JUNE_8
    price(lodging, tomorrow, 7, "350.00")
    before = datetime(2024, 6, 7, 17, 30, tzinfo=PARIS)
    after = datetime(2024, 6, 7, 18, 30, tzinfo=PARIS)
    assert quote_stay(lodging=lodging, arrival=tomorrow, nights=7, online=True, now=before).total == Decimal(
        "350.00"
    )
    with pytest.raises(StayNotBookable) as error:
        quote_stay(lodging=lodging, arrival=tomorrow, nights=7, online=True, now=after)
    assert error.value.reason == Reason.TOO_LATE
    assert "09/06/2024" in error.value.message
    # The owner's back office is not bound by the online deadline.
    assert quote_stay(lodging=lodging, arrival=tomorrow, nights=7, now=after).total == Decimal("350.00")


def test_planning_row_shows_the_nightly_price_of_the_shortest_stay(
    scoped, lodging, django_assert_num_queries
):
    other = make_lodging(scoped, name="Gîte La Colline Verte")
    start = date(2024, 2, 28)
    for offset in range(14):
        day = start + timedelta(days=offset)
        price(lodging, day, 2, "100.00")
        price(lodging, day, 7, "300.00")
    price(other, start, 7, "350.00")
    with django_assert_num_queries(1):
        row = planning_day_prices(lodgings=[lodging, other], start=start, end=start + timedelta(days=45))
    assert row[lodging.pk][start].nightly_price == Decimal("50.00")  # "Prix nuitée 50"
    assert len(row[lodging.pk]) == 14
    assert row[other.pk] == {start: row[other.pk][start]}
    assert row[other.pk][start].nightly_price == Decimal("50.00")
    longer = planning_day_prices(
        lodgings=[lodging], start=start, end=start + timedelta(days=45), min_nights=3
    )
    assert longer[lodging.pk][start].nights == 7


@pytest.mark.django_db
def test_the_batch_entry_point_gives_each_lodging_the_quote_of_quote_stay_in_constant_queries(
    django_assert_max_num_queries,
):
    from datetime import date
    from decimal import Decimal

    from comptes.scoping import provider_scope, scopes_disabled
    from hebergements.models import Lodging
    from tarifs import engine

    arrival, nights = date(2030, 8, 3), 7
    lodgings = []
    for index in range(4):
        provider = factories.make_provider(number=93000 + index)
        lodging = factories.make_lodging(provider, name=f"Gîte {index}")
        factories.price_for_stay(
            lodging, arrival, nights, str(300 + 50 * index), discount="20" if index % 2 else "0"
        )
        factories.offer_supplement(lodging, "Ménage", "50.00", mandatory=True, counts_toward_deposit=True)
        if index == 2:
            factories.make_promotion(
                lodging,
                kind="early_booking",
                percent=Decimal("10"),
                days=30,
                valid_from=date(2024, 1, 1),
                valid_to=date(2031, 1, 1),
            )
        lodgings.append(lodging)
    unpriced = factories.make_lodging(factories.make_provider(number=93010), name="Sans tarif")

    with scopes_disabled():
        everything = list(
            Lodging.objects.filter(pk__in=[item.pk for item in [*lodgings, unpriced]]).select_related(
                "provider"
            )
        )
    with django_assert_max_num_queries(8):
        batch = engine.quote_batch(
            stays=[(lodging, arrival, nights) for lodging in everything],
            occupants_for=engine.adults_of(2),
            online=True,
        )
    for lodging in lodgings:
        with provider_scope(lodging.provider):
            alone = engine.quote_stay(
                lodging=lodging,
                arrival=arrival,
                nights=nights,
                occupants=factories.adults(lodging.provider),
                online=True,
            )
        assert batch[(lodging.pk, arrival, nights)].lines == alone.lines
        assert (
            batch[(lodging.pk, arrival, nights)].total,
            batch[(lodging.pk, arrival, nights)].deposit_amount,
        ) == (
            alone.total,
            alone.deposit_amount,
        )
    assert batch[(lodgings[2].pk, arrival, nights)].promotion is not None
    assert isinstance(batch[(unpriced.pk, arrival, nights)], engine.StayNotBookable)
    assert batch[(unpriced.pk, arrival, nights)].reason == engine.Reason.NO_PRICE
