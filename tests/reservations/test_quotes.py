"""Files are created from the engine's quote, computed on the server: the stored amounts equal the
quote's; a price the owner types is an explicit, audited manual price; promo codes are applied by the
engine and counted once; the deposit is never due after arrival."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptes.audit import history
from comptes.models import DepositRule, ProviderSettings
from comptes.scoping import provider_scope, scopes_disabled
from reservations import money, services
from reservations.documents.content import contract_document
from reservations.history import describe
from reservations.models import Booking, PriceSource, StayLine
from tarifs import engine
from tarifs.models import PromoCode
from tests import factories
from tests.concurrency import race

ARRIVAL = date(2030, 7, 6)
DEPARTURE = date(2030, 7, 13)


def create_step_3(owner_client, lodging, *, price: str, discount: str = "0,00"):
    """The three steps of "Créer un dossier" as the browser posts them."""
    adult = factories.adults(lodging.provider)
    data = {
        "step": "3",
        "lodging": lodging.pk,
        "arrival": ARRIVAL.isoformat(),
        "departure": DEPARTURE.isoformat(),
        **{f"occupants_{bracket}": count for bracket, count in adult.items()},
        "price": price,
        "discount": discount,
        "last_name": "Durand",
    }
    return owner_client.post(reverse("reservations:booking_create"), data)


@pytest.mark.django_db
def test_the_grid_price_posted_back_is_the_engines_and_its_lines_are_stored(owner_client, provider, lodging):
    factories.price_for_stay(lodging, ARRIVAL, 7, "400.00", discount="50.00")
    response = create_step_3(owner_client, lodging, price="400,00", discount="50,00")
    assert response.status_code == 302
    with provider_scope(provider):
        booking = Booking.objects.get()
        stay = booking.stays.get()
        lines = list(StayLine.objects.filter(stay=stay).values_list("kind", "amount"))
        actions = [entry.action for entry in history(booking)]
    assert stay.price_source == PriceSource.ENGINE
    assert lines == [("lodging", Decimal("400.00")), ("discount", Decimal("-50.00"))]
    assert booking.total_amount == Decimal("350.00")
    assert "booking.price.manual" not in actions


@pytest.mark.django_db
def test_another_price_typed_by_the_owner_is_a_manual_price_with_an_audit_entry(
    owner_client, provider, lodging
):
    factories.price_for_stay(lodging, ARRIVAL, 7, "400.00")
    response = create_step_3(owner_client, lodging, price="320,00")
    assert response.status_code == 302
    with provider_scope(provider):
        booking = Booking.objects.get()
        stay = booking.stays.get()
        entry = next(e for e in history(booking) if e.action == "booking.price.manual")
    assert (stay.price_source, stay.lodging_price, booking.total_amount) == (
        PriceSource.MANUAL,
        Decimal("320.00"),
        Decimal("320.00"),
    )
    assert entry.data["grid_price"] == "400.00"
    assert describe(entry) == (
        "Prix saisi à la main pour Petit coin de paradis : 320,00\xa0€ (grille : 400,00\xa0€)"
    )


@pytest.mark.django_db
def test_a_public_booking_cannot_change_the_price(provider, lodging):
    factories.price_for_stay(lodging, ARRIVAL, 7, "400.00")
    with provider_scope(provider):
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            occupants=factories.adults(provider),
            owner_price=services.OwnerPrice(Decimal("1.00")),  # whatever a request carries
            origin="internet",
            online=True,
            client_data={"last_name": "Durand"},
        )
        quote = engine.quote_stay(
            lodging=lodging, arrival=ARRIVAL, nights=7, occupants=factories.adults(provider), online=True
        )
        assert booking.stays.get().price_source == PriceSource.ENGINE
    assert (booking.total_amount, booking.deposit_amount) == (quote.total, quote.deposit_amount)


@pytest.mark.django_db
def test_a_promo_code_is_applied_by_the_engine_and_counted(provider, lodging):
    factories.price_for_stay(lodging, ARRIVAL, 7, "400.00")
    factories.offer_supplement(lodging, "Ménage", "50.00", mandatory=True)
    promo = factories.make_promo_code(lodging, "ETE", value=Decimal("10"))
    with provider_scope(provider):
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            occupants=factories.adults(provider),
            promo_code="ete",
            client_data={"last_name": "Durand"},
        )
        lines = list(booking.stays.get().lines.values_list("kind", "amount"))
        promo.refresh_from_db()
    assert lines == [("lodging", Decimal("400.00")), ("promo_code", Decimal("-40.00"))]
    assert booking.total_amount == Decimal("410.00")  # the code never reduces the supplements
    assert (booking.promo_code, booking.promo_id, promo.times_used) == ("ETE", promo.pk, 1)


@pytest.mark.django_db(transaction=True)
def test_a_single_use_code_used_by_twenty_concurrent_bookings_gives_exactly_one_discount():
    provider = factories.make_provider(number=92770)
    lodging = factories.make_lodging(provider)
    for week in range(20):
        factories.price_for_stay(lodging, ARRIVAL + timedelta(days=7 * week), 7, "400.00")
    promo = factories.make_promo_code(lodging, "UNIQUE", usage=PromoCode.Usage.SINGLE)
    adults = factories.adults(provider)

    def attempt(index: int):
        arrival = ARRIVAL + timedelta(days=7 * index)
        with provider_scope(provider):
            services.booking_create(
                provider=provider,
                lodging=lodging,
                arrival=arrival,
                departure=arrival + timedelta(days=7),
                occupants=adults,
                promo_code="UNIQUE",
                client_data={"last_name": f"Client {index}"},
            )

    outcomes = race(20, attempt, refusal={"promo_code": ["Ce code promo a déjà été utilisé."]})
    # A booking that starts after the winner committed is refused by the engine's own check.
    outcomes = ["refused" if "promo_code" in o and "valable" in o else o for o in outcomes]
    assert sorted(outcomes) == ["ok"] + ["refused"] * 19, outcomes
    with scopes_disabled():
        assert Booking.objects.filter(provider=provider).count() == 1
        assert PromoCode.objects.get(pk=promo.pk).times_used == 1


@pytest.mark.django_db
def test_the_deposit_is_due_at_once_when_arrival_is_closer_than_the_option_delay(provider, lodging):
    """Proposal n°6 (arrival 05/12) said "Acompte à verser avant le 11/12/2026": after arrival."""
    today = date(2026, 12, 4)
    factories.price_for_stay(lodging, date(2026, 12, 5), 3, "300.00")
    with provider_scope(provider):
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=date(2026, 12, 5),
            departure=date(2026, 12, 8),
            occupants=factories.adults(provider),
            client_data={"last_name": "Durand"},
            today=today,
        )
        Booking.objects.filter(pk=booking.pk).update(created_at=factories.paris(2026, 12, 4))
        booking.refresh_from_db()
        document = contract_document(booking=booking)
    assert booking.deposit_due_date == today and booking.balance_due_date == date(2026, 12, 5)
    assert money.deposit_due_at_once(booking)
    assert [line.label for line in document.payment_lines][
        0
    ] == "Acompte à verser dès réception de ce courrier"
    assert "dès réception" in document.confirmation and "11/12/2026" not in document.confirmation
    # Far enough ahead: the usual deadline (10 days by default).
    with provider_scope(provider):
        dues = engine.due_dates(provider=provider, arrival=date(2027, 1, 5), booking_date=today)
    assert (dues.deposit, dues.deposit_at_once) == (date(2026, 12, 14), False)


@pytest.mark.django_db
def test_the_proposal_says_when_the_deposit_is_due_at_once(provider, lodging):
    factories.price_for_stay(lodging, date(2026, 12, 5), 3, "300.00")
    with provider_scope(provider):
        proposal = services.stay_price_proposal(
            lodging=lodging,
            arrival=date(2026, 12, 5),
            nights=3,
            occupants=factories.adults(provider),
            today=date(2026, 12, 4),
        )
    assert proposal.price == Decimal("300.00") and proposal.deposit_at_once


# --- the quote and the stored file agree on every amount ------------------------------------------

money_values = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
supplement = st.fixed_dictionaries(
    {
        "price": st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2),
        "mandatory": st.booleans(),
        "chosen": st.integers(min_value=0, max_value=2),
        "counts": st.booleans(),
        "per_day": st.booleans(),
        "per_person": st.booleans(),
    }
)
global_supplement = st.tuples(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=2),
    st.integers(min_value=1, max_value=3),
    st.booleans(),
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=money_values,
    discount_share=st.integers(min_value=0, max_value=100),
    percent=percents,
    rules=st.lists(st.tuples(st.integers(min_value=1, max_value=90), percents), max_size=3),
    days_ahead=st.integers(min_value=0, max_value=120),
    nights=st.integers(min_value=1, max_value=14),
    persons=st.integers(min_value=1, max_value=4),
    supplements=st.lists(supplement, max_size=3),
    globals_=st.lists(global_supplement, max_size=3),
)
def test_quote_and_stored_file_agree(
    provider, price, discount_share, percent, rules, days_ahead, nights, persons, supplements, globals_
):
    today = date(2030, 1, 1)
    arrival = today + timedelta(days=days_ahead)
    discount = min((price * discount_share / 100).quantize(Decimal("0.01")), price - Decimal("0.01"))
    with transaction.atomic():  # each example rolls back
        lodging = factories.make_lodging(provider, name="Gîte du test", capacity_max=4)
        factories.price_for_stay(lodging, arrival, nights, str(price), discount=str(discount))
        with provider_scope(provider):
            ProviderSettings.objects.filter(provider=provider).update(
                deposit_percent=percent, use_proximity_rules=bool(rules)
            )
            DepositRule.objects.filter(provider=provider).delete()
            for days_before, rule_percent in dict(rules).items():
                DepositRule.objects.create(provider=provider, days_before=days_before, percent=rule_percent)
        chosen = {}
        for index, item in enumerate(supplements):
            offered = factories.offer_supplement(
                lodging,
                f"Supplément {index}",
                str(item["price"]),
                mandatory=item["mandatory"],
                counts_toward_deposit=item["counts"],
                per_day=item["per_day"],
                per_person=item["per_person"],
                max_quantity=2,
            )
            if not item["mandatory"] and item["chosen"]:
                chosen[offered.pk] = item["chosen"]
        occupants = factories.adults(provider, persons)
        with provider_scope(provider):
            quote = engine.quote_stay(
                lodging=lodging,
                arrival=arrival,
                nights=nights,
                occupants=occupants,
                supplements=chosen,
                booking_date=today,
            ).with_global_supplements(
                (f"Global {i}", unit, quantity, counts) for i, (unit, quantity, counts) in enumerate(globals_)
            )
            booking = services.booking_create(
                provider=provider,
                lodging=lodging,
                arrival=arrival,
                departure=arrival + timedelta(days=nights),
                occupants=occupants,
                supplements=chosen,
                client_data={"last_name": "Durand"},
                today=today,
            )
            for i, (unit, quantity, counts) in enumerate(globals_):
                services.booking_supplement_add(
                    booking=booking,
                    label=f"Global {i}",
                    unit_price=unit,
                    quantity=quantity,
                    counts_toward_deposit=counts,
                )
            booking.refresh_from_db()
            assert booking.total_amount == quote.total
            assert booking.deposit_amount == quote.deposit_amount
            assert money.balance_after_deposit(booking) == quote.balance
            assert booking.deposit_percent == quote.deposit_percent
            assert (booking.deposit_due_date, booking.balance_due_date) == (
                quote.due_dates.deposit,
                quote.due_dates.balance,
            )
            assert booking.deposit_due_date <= max(arrival, today)  # never after arrival
            assert money.deposit_left(booking) == quote.deposit_amount
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_booking_outside_the_online_rules_refuses_with_the_reason_next_to_the_field(provider, lodging):
    factories.price_for_stay(lodging, ARRIVAL, 7, "400.00")
    with provider_scope(provider), pytest.raises(ValidationError) as error:
        services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=ARRIVAL,
            departure=ARRIVAL + timedelta(days=6),
            occupants=factories.adults(provider),
            online=True,
            client_data={"last_name": "Durand"},
        )
    assert list(error.value.message_dict) == ["price"]
