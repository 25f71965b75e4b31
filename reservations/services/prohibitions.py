"""Sale prohibitions ("interdictions de vente"): the owner closes dates without a booking file
(hatched on the planning), or allows sale again. A prohibition closes every unit of the lodging
unless the owner gives a number; ``reservations.availability`` counts it like the files."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from comptes.audit import audit_date, log_action
from comptes.models import Provider
from hebergements.models import Lodging
from reservations import availability
from reservations.models import SaleProhibition, Stay


def _check_units(lodging: Lodging, units: int | None) -> int | None:
    capacity = availability.capacity_of(lodging)
    if units is None or units == capacity:
        return None
    if units < 1 or units > capacity:
        raise ValidationError(
            {
                "units": _("Give a number of units between 1 and %(count)d (empty: every unit).")
                % {"count": capacity}
            }
        )
    return units


@transaction.atomic
def sale_prohibition_create(
    *,
    provider: Provider,
    lodging: Lodging,
    arrival: date,
    departure: date,
    units: int | None = None,
    user=None,
) -> SaleProhibition:
    """ "Créer des interdictions de vente" on ``[arrival, departure)``: every unit of the lodging, or
    ``units`` of a lodging with stock.

    Prohibitions closing as many units that overlap or touch the new one are merged into it (one
    hatched block); closing units that are booked is refused ("These dates are no longer
    available."), by the count of ``availability.reserve`` and, for a one-unit lodging, by the
    database.
    """
    availability.check_dates(arrival, departure)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})
    availability.lock_lodging(lodging)
    units = _check_units(lodging, units)
    touching = list(
        SaleProhibition.objects.filter(
            lodging=lodging, active=True, arrival__lte=departure, departure__gte=arrival, units=units
        )
        if units is not None
        else SaleProhibition.objects.filter(
            lodging=lodging, active=True, arrival__lte=departure, departure__gte=arrival, units__isnull=True
        )
    )
    start = min([arrival, *(p.arrival for p in touching)])
    end = max([departure, *(p.departure for p in touching)])
    for existing in touching:
        log_action(
            existing,
            "sale_prohibition.merged",
            user=user,
            data={"arrival": audit_date(existing.arrival), "departure": audit_date(existing.departure)},
        )
    SaleProhibition.objects.filter(pk__in=[p.pk for p in touching]).delete()
    exclusive = availability.reserve(lodging=lodging, arrival=start, departure=end, units=units)
    prohibition = SaleProhibition(
        provider=provider,
        lodging=lodging,
        kind=Stay.Kind.PROHIBITION,
        arrival=start,
        departure=end,
        units=units,
        exclusive=exclusive,
    )
    prohibition.full_clean(validate_constraints=False)
    with availability.guard("arrival"):
        prohibition.save()
    log_action(
        prohibition,
        "sale_prohibition.created",
        user=user,
        data={
            "lodging": lodging.name,
            "arrival": audit_date(start),
            "departure": audit_date(end),
            "units": units,
        },
    )
    availability.changed(lodging.pk)
    return prohibition


@transaction.atomic
def sale_prohibition_remove(
    *, provider: Provider, lodging: Lodging, arrival: date, departure: date, user=None
) -> int:
    """Allow sale again on ``[arrival, departure)``: prohibitions are deleted, shortened or split.
    Returns the number of nights made available again."""
    availability.check_dates(arrival, departure)
    if lodging.provider_id != provider.pk:
        raise ValidationError({"lodging": _("Choose one of your lodgings.")})
    availability.lock_lodging(lodging)
    freed = 0
    overlapping = SaleProhibition.objects.filter(
        lodging=lodging, active=True, arrival__lt=departure, departure__gt=arrival
    )
    for prohibition in overlapping:
        old = (prohibition.arrival, prohibition.departure)
        freed += (min(old[1], departure) - max(old[0], arrival)).days
        left = (old[0], arrival) if old[0] < arrival else None
        right = (departure, old[1]) if old[1] > departure else None
        log_action(
            prohibition,
            "sale_prohibition.removed",
            user=user,
            data={
                "lodging": lodging.name,
                "arrival": audit_date(max(old[0], arrival)),
                "departure": audit_date(min(old[1], departure)),
            },
        )
        if left is None and right is None:
            prohibition.delete()
            continue
        first, second = (left, right) if left is not None else (right, None)
        prohibition.arrival, prohibition.departure = first
        prohibition.save(update_fields=["arrival", "departure", "updated_at"])
        if second is not None:
            SaleProhibition.objects.create(
                provider=provider,
                lodging=lodging,
                kind=Stay.Kind.PROHIBITION,
                arrival=second[0],
                departure=second[1],
                units=prohibition.units,
                exclusive=prohibition.exclusive,
            )
    if not freed:
        raise ValidationError(
            {
                "arrival": _("There is no sale prohibition between %(start)s and %(end)s.")
                % {
                    "start": formats.date_format(arrival, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(departure, "SHORT_DATE_FORMAT"),
                }
            }
        )
    availability.changed(lodging.pk)
    return freed
