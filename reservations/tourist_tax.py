"""The taxe de séjour of booking files: the rule is ``tarifs.tourist_tax`` (the one the quote uses);
this module feeds it a file's stays — each stay's lodging, nights, occupants (adults pay, minors are
exempt) and price — for the file page, the contract and the office's declaration.

Left out: cancelled files' stays (the dates are free), and nights a platform sold (a file of origin
iCal, or a stay priced with the platform's amount): the platform collects and declares that tax
itself (CGCT L2333-34). The tax is computed from the rates in force, not stored on the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from common.money import ZERO
from reservations.models import Booking, BookingOrigin, BookingStatus, PriceSource, Stay, StayOccupant
from tarifs.tourist_tax import (
    TouristTax,
    is_adult,
    load_tax_table,
    lodging_tourist_tax,
    tax_sentence,
    years_of,
)


def taxable_stays(queryset: QuerySet[Stay]) -> QuerySet[Stay]:
    """Active booked stays, not sold by a platform, with what the computation reads (3 queries)."""
    return (
        queryset.filter(kind=Stay.Kind.BOOKING, active=True)
        .exclude(booking__origin=BookingOrigin.ICAL)
        .exclude(price_source=PriceSource.PLATFORM)
        .select_related("lodging__commune", "lodging__provider", "booking")
        .prefetch_related(Prefetch("occupants", queryset=StayOccupant.objects.select_related("age_bracket")))
    )


def occupant_counts(stay: Stay) -> tuple[int, int]:
    """(adults, all occupants) of a stay."""
    occupants = list(stay.occupants.all())
    adults = sum(row.count for row in occupants if is_adult(row.age_bracket.age_max))
    return adults, sum(row.count for row in occupants)


def stays_tourist_tax(stays: Iterable[Stay]) -> list[tuple[Stay, TouristTax]]:
    """Each taxable stay with its tax (stays whose commune voted no rate are left out)."""
    stays = list(stays)
    table = load_tax_table(
        commune_ids=[stay.lodging.commune_id for stay in stays if stay.lodging.commune_id],
        years={year for stay in stays for year in years_of(stay.arrival, stay.nights)},
    )
    result = []
    for stay in stays:
        adults, persons = occupant_counts(stay)
        tax = lodging_tourist_tax(
            lodging=stay.lodging,
            arrival=stay.arrival,
            nights=stay.nights,
            adults=adults,
            persons=persons,
            stay_price=stay.price,
            table=table,
        )
        if tax is not None and tax.total:
            result.append((stay, tax))
    return result


def booking_tourist_tax(booking: Booking) -> Decimal:
    """What the file's guests owe as taxe de séjour, on top of the file's total (0 if none)."""
    if booking.status == BookingStatus.CANCELLED:
        return ZERO
    taxes = stays_tourist_tax(taxable_stays(Stay.objects.filter(booking=booking)))
    return sum((tax.total for _stay, tax in taxes), ZERO)


def booking_tourist_tax_sentence(booking: Booking, *, language: str = "fr") -> str:
    """The contract's sentence ("La taxe de séjour de 0,44 € par jour et par personne adulte, soit
    … pour ce séjour, vous sera demandée…"), computed from the file's stays; empty when none is due."""
    if booking.status == BookingStatus.CANCELLED:
        return ""
    taxes = [tax for _stay, tax in stays_tourist_tax(taxable_stays(Stay.objects.filter(booking=booking)))]
    if not taxes:
        return ""
    merged = TouristTax(category=taxes[0].category, parts=tuple(part for tax in taxes for part in tax.parts))
    return tax_sentence(merged, language=language)
