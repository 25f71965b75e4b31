"""Read-side queries of the price pages ("Voir les tarifs", the export, the promotions list)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import DateField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from comptes.scoping import scopes_disabled
from hebergements.models import Lodging
from hebergements.online import Missing, Requirement
from tarifs.models import Promotion, StayPrice, StayPriceBracket, StayPriceGroup

#: "Stay prices in the coming 6 months": at least one stay arriving within this many days. A
#: lodging without one cannot be booked online (``hebergements.online``), and the office's
#: production checklist asks for it.
PRICES_AHEAD = timedelta(days=183)


def prices_ahead_q(today: date) -> Q:
    """Stay prices arriving in the coming 6 months."""
    return Q(arrival__gte=today, arrival__lt=today + PRICES_AHEAD)


def _prices_ahead(today: date) -> Exists:
    with scopes_disabled():  # a subquery of the lodgings' own query, which is scoped
        return Exists(StayPrice.objects.filter(prices_ahead_q(today), lodging_id=OuterRef("pk")))


def _no_prices_ahead(lodging_pk: int) -> Missing:
    url = f"{reverse('tarifs:create')}?lodging={lodging_pk}"
    return Missing("prices", _("No stay price in the coming 6 months."), url, _("Create prices"))


#: The online requirement "stay prices in the coming 6 months" (registered in ``TarifsConfig``).
PRICES_AHEAD_REQUIREMENT = Requirement("prices", _prices_ahead, _no_prices_ahead)


# Sort keys of the "Voir les tarifs" table → ORM ordering (the second key keeps pages stable).
SORTS = {
    "nights": ("nights", "arrival"),
    "arrival": ("arrival", "nights"),
    "departure": ("departure_day", "nights"),
    "initial_price": ("initial_price", "arrival", "nights"),
    "discount": ("discount", "arrival", "nights"),
    "sale_price": ("sale_price", "arrival", "nights"),
}
DEFAULT_SORT = "arrival"


class AddDays(Func):
    """``date + integer`` in PostgreSQL: the departure day of a stay."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


@dataclass(frozen=True)
class StayPriceFilters:
    lodging: Lodging | None
    date_from: date | None = None
    date_to: date | None = None
    weekdays: Collection[int] = field(default_factory=lambda: range(7))
    nights: int | None = None  # None = "Indifférente"
    sort: str = DEFAULT_SORT


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    first = F(keys[0]).desc(nulls_last=True) if descending else F(keys[0]).asc(nulls_last=True)
    return [first, *keys[1:], "pk"]


def stay_prices_search(filters: StayPriceFilters) -> QuerySet[StayPrice]:
    """The stay prices of one lodging matching the filters, with their departure day and their
    per-occupant rows (prefetched: a constant number of queries whatever the page size).

    The period keeps every stay that overlaps it (the manual lists a stay of 12/03 → 19/03 for a
    period starting 18/03).
    """
    if filters.lodging is None:
        return StayPrice.objects.none()
    queryset = StayPrice.objects.filter(lodging=filters.lodging).annotate(
        departure_day=AddDays(F("arrival"), F("nights"))
    )
    if filters.date_from:
        queryset = queryset.filter(departure_day__gt=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(arrival__lte=filters.date_to)
    weekdays = set(filters.weekdays)
    if weekdays and weekdays != set(range(7)):
        # ISO weekday: Monday = 1 … Sunday = 7; Python's weekday() is one less.
        queryset = queryset.filter(arrival__iso_week_day__in=[day + 1 for day in weekdays])
    if filters.nights:
        queryset = queryset.filter(nights=filters.nights)
    return queryset.order_by(*_ordering(filters.sort)).prefetch_related(
        Prefetch(
            "bracket_prices",
            queryset=StayPriceBracket.objects.select_related("age_bracket").order_by(
                "age_bracket__position", "-age_bracket__age_max"
            ),
        ),
        Prefetch("group_prices", queryset=StayPriceGroup.objects.order_by("persons")),
    )


def promotions_list(*, lodging: Lodging | None = None) -> QuerySet[Promotion]:
    queryset = Promotion.objects.select_related("lodging").order_by(
        "lodging__position", "lodging__number", "kind", "days"
    )
    if lodging is not None:
        queryset = queryset.filter(lodging=lodging)
    return queryset
