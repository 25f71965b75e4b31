"""Taxe de séjour: the issue's hand-computed cases, to the cent, through the price engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from comptes.models import Provider
from comptes.scoping import provider_scope
from tarifs.engine import LineKind, quote_stay
from tarifs.models import TouristTaxBound, TouristTaxCategory, TouristTaxLaw, TouristTaxRate
from tarifs.tourist_tax import tourist_tax_departmental_add, tourist_tax_rate_save
from tests import factories

pytestmark = pytest.mark.django_db

JULY = date(2026, 7, 4)
D = Decimal


@pytest.fixture
def office(db):
    return factories.make_office()


def set_rate(office, category, rate, year=2026, commune=None):
    return tourist_tax_rate_save(
        office=office, commune=commune or factories.foix(), year=year, category=category, rate=D(rate)
    )


def family(provider, adults=2, children=1):
    brackets = factories.age_brackets(provider)
    occupants = {brackets["Adulte"].pk: adults}
    if children:
        occupants[brackets["Enfant"].pk] = children
    return occupants


def quote(lodging, arrival=JULY, nights=7, occupants=None):
    with provider_scope(lodging.provider):
        return quote_stay(
            lodging=lodging,
            arrival=arrival,
            nights=nights,
            occupants=occupants or family(lodging.provider),
            booking_date=date(2026, 3, 1),
        )


def lodging_priced(provider, classification, amount, arrival=JULY, nights=7):
    lodging = factories.make_lodging(provider, classification=classification, capacity_max=6)
    factories.price_for_stay(lodging, arrival, nights, amount)
    return lodging


def test_three_stars_two_adults_one_child_seven_nights_at_one_euro(provider, office):
    set_rate(office, TouristTaxCategory.STARS_3, "1.00")
    lodging = lodging_priced(provider, "3", "700.00")
    result = quote(lodging)
    assert result.tourist_tax == D("14.00")  # 7 nights × 2 adults × 1,00 €, the child exempt
    tax_lines = [line for line in result.lines if line.kind == LineKind.TOURIST_TAX]
    assert [line.amount for line in tax_lines] == [D("14.00")]
    # Outside the stay's total and outside the deposit.
    assert result.total == D("700.00")
    assert result.deposit_amount == D("175.00")
    assert result.total_with_tax == D("714.00")


def test_unclassified_lodging_pays_the_voted_percentage(provider, office):
    set_rate(office, TouristTaxCategory.UNCLASSIFIED, "5")
    lodging = lodging_priced(provider, "non_classe", "700.00")
    # 700 € ÷ 7 nights ÷ 2 people = 50 € × 5 % = 2,50 € × 2 adults × 7 nights.
    assert quote(lodging, occupants=family(provider, children=0)).tourist_tax == D("35.00")


def test_the_cap_binds_at_the_communes_highest_rate(provider, office):
    set_rate(office, TouristTaxCategory.STARS_3, "1.00")
    set_rate(office, TouristTaxCategory.UNCLASSIFIED, "5")
    lodging = lodging_priced(provider, "non_classe", "700.00")
    # 2,50 € capped at 1,00 € (the highest rate the commune adopted) × 2 × 7.
    assert quote(lodging, occupants=family(provider, children=0)).tourist_tax == D("14.00")


def test_the_cap_binds_at_the_four_star_ceiling_when_lower(provider, office):
    set_rate(office, TouristTaxCategory.STARS_5, "3.00")
    set_rate(office, TouristTaxCategory.UNCLASSIFIED, "5")
    lodging = lodging_priced(provider, "non_classe", "1400.00")
    # 1400 ÷ 7 ÷ 2 = 100 € × 5 % = 5,00 € → min(3,00 €, 2026's 4-star ceiling 2,60 €) × 2 × 7.
    assert quote(lodging, occupants=family(provider, children=0)).tourist_tax == D("36.40")


def test_unclassified_price_per_person_counts_every_occupant_but_only_adults_pay(provider, office):
    set_rate(office, TouristTaxCategory.UNCLASSIFIED, "5")
    lodging = lodging_priced(provider, "non_classe", "700.00")
    # 700 ÷ 7 ÷ 4 people = 25 € × 5 % = 1,25 € × 2 adults × 7 nights.
    assert quote(lodging, occupants=family(provider, children=2)).tourist_tax == D("17.50")


def test_departmental_additional_tax_adds_ten_percent(provider, office):
    set_rate(office, TouristTaxCategory.UNCLASSIFIED, "5")
    tourist_tax_departmental_add(office=office, department="09", year=2026)
    lodging = lodging_priced(provider, "non_classe", "700.00")
    result = quote(lodging, occupants=family(provider, children=0))
    assert result.tourist_tax == D("38.50")
    assert result.tourist_tax_detail.communal == D("35.00")
    assert result.tourist_tax_detail.departmental == D("3.50")


def test_a_stay_across_new_year_uses_each_years_rate_per_night(provider, office):
    set_rate(office, TouristTaxCategory.STARS_3, "1.00", year=2025)
    set_rate(office, TouristTaxCategory.STARS_3, "1.50", year=2026)
    arrival = date(2025, 12, 29)
    lodging = lodging_priced(provider, "3", "700.00", arrival=arrival)
    with provider_scope(provider):
        result = quote_stay(
            lodging=lodging,
            arrival=arrival,
            nights=7,
            occupants=family(provider),
            booking_date=date(2025, 6, 1),
        )
    # 29, 30, 31 December at 1,00 € and 1–4 January at 1,50 €, for 2 adults: 6,00 + 12,00.
    assert result.tourist_tax == D("18.00")
    assert [(part.year, part.nights) for part in result.tourist_tax_detail.parts] == [(2025, 3), (2026, 4)]


def test_chambres_dhotes_use_their_own_category(office):
    provider = factories.make_provider(kind=Provider.Kind.CHAMBRE_HOTES)
    set_rate(office, TouristTaxCategory.CHAMBRE_HOTES, "0.80")
    set_rate(office, TouristTaxCategory.STARS_3, "1.50")
    lodging = lodging_priced(provider, "non_classe", "420.00")
    assert quote(lodging).tourist_tax == D("11.20")  # 0,80 × 2 adults × 7 nights


def test_no_rate_voted_means_no_tax_line(provider, office):
    set_rate(office, TouristTaxCategory.STARS_4, "1.00")  # another category only
    lodging = lodging_priced(provider, "3", "700.00")
    result = quote(lodging)
    assert result.tourist_tax == D("0.00")
    assert all(line.kind != LineKind.TOURIST_TAX for line in result.lines)


def test_a_rate_outside_the_years_legal_bounds_is_refused(office):
    with pytest.raises(ValidationError) as error:
        set_rate(office, TouristTaxCategory.STARS_3, "2.00")  # 2026: 0,50 € – 1,70 €
    assert "rate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        set_rate(office, TouristTaxCategory.UNCLASSIFIED, "6")  # 1 % – 5 %
    assert "rate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        set_rate(office, TouristTaxCategory.STARS_3, "1.00", year=2031)  # no scale recorded
    assert "year" in error.value.message_dict
    assert not TouristTaxRate.objects.exists()


def test_a_second_rate_for_the_same_commune_year_and_category_is_refused(office):
    set_rate(office, TouristTaxCategory.STARS_3, "1.00")
    with pytest.raises(ValidationError) as error:
        set_rate(factories.make_office(name="Autre office"), TouristTaxCategory.STARS_3, "1.20")
    assert "category" in error.value.message_dict
    assert TouristTaxRate.objects.get().rate == D("1.00")
    # The database refuses it too, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        TouristTaxRate.objects.create(
            office=office, commune=factories.foix(), year=2026, category="3", rate=D("1.10")
        )


def test_the_legal_scales_of_2025_and_2026_are_seeded():
    with scopes_disabled():
        laws = {law.year: law for law in TouristTaxLaw.objects.all()}
    assert {2025, 2026} <= set(laws)
    assert laws[2026].proportional_min == D("1.00") and laws[2026].proportional_max == D("5.00")
    assert laws[2026].departmental_percent == D("10.00")
    assert "L2333-30" in laws[2026].source
    categories = set(TouristTaxBound.objects.filter(law=laws[2026]).values_list("category", flat=True))
    assert categories == set(TouristTaxCategory.values) - {TouristTaxCategory.UNCLASSIFIED}
