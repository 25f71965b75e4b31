"""What guests may see and book: the public catalogue, the search, a lodging's calendar.

Public pages resolve their tenancy from the URL (an office's or a provider's slug, never a session)
and read across providers with the tenant scope disabled, so every query here filters explicitly:
only lodgings of providers **in production** that sell online with terms of sale, visible and not
archived — of the office of the page, or of the provider of the page. A provider in test status is
never shown, except on its own site opened with the signed link of "Tests de réservation"
(``Channel.test_token``, ``commercialisation.public.testmode``). A deactivated provider is never
shown.

Availability is ``reservations.availability``'s (files, prohibitions and imported blocks); every
price is the price engine's (``tarifs.engine.quote_batch``): SQL only selects which stays to quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django_scopes import scopes_disabled

from comptes.models import Office, Provider, ProviderSettings
from hebergements.models import Lodging, Photo
from reservations import availability
from tarifs import engine
from tarifs.models import StayPrice

MAX_NIGHTS = 90
FROM_PRICE_DAYS = 365  # "à partir de": the cheapest stay of the coming year


@dataclass(frozen=True)
class Channel:
    """Where a guest is: an office's marketplace, or a provider's own booking site (or widget)."""

    office: Office | None = None
    provider: Provider | None = None
    origin: str = "internet"  # the files' origin: internet (marketplace, site) or widget
    #: The signed token of "Tests de réservation" (a provider's site only): test mode — the site
    #: opens whatever the provider's status, with a "Test" banner, and its files are test files.
    test_token: str = ""

    def __post_init__(self):
        if (self.office is None) == (self.provider is None):
            raise ValueError("A channel is an office's marketplace or a provider's site.")
        if self.test_token and self.office is not None:
            raise ValueError("Only a provider's own site has a test mode.")

    @property
    def is_test(self) -> bool:
        return bool(self.test_token)


def sellable_providers(channel: Channel) -> QuerySet[Provider]:
    """Providers whose lodgings the channel shows: active, in production (or any status in test
    mode), selling online, terms of sale written (French at least)."""
    with scopes_disabled():
        providers = Provider.objects.filter(
            deactivated_at__isnull=True, settings__online_booking=True
        ).exclude(settings__terms_fr="")
        if not channel.is_test:
            providers = providers.filter(status=Provider.Status.PRODUCTION)
        if channel.office is not None:
            providers = providers.filter(office=channel.office)
        else:
            providers = providers.filter(pk=channel.provider.pk)
        return providers


def public_lodgings(channel: Channel) -> QuerySet[Lodging]:
    """The lodgings of the channel a guest may see, with their provider and commune (one query).
    Their photos are loaded for the lodgings shown only (``with_photos``)."""
    with scopes_disabled():
        return Lodging.objects.filter(
            provider__in=sellable_providers(channel),
            archived=False,
            visibility=Lodging.Visibility.VISIBLE,
        ).select_related("provider", "commune")


def with_photos(lodgings: Sequence[Lodging]) -> None:
    """Attach each lodging's photos, in their order, as ``gallery`` (one query)."""
    with scopes_disabled():
        prefetch_related_objects(
            list(lodgings),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "id"), to_attr="gallery"),
        )


def public_lodging(channel: Channel, pk: int) -> Lodging | None:
    with scopes_disabled():
        lodging = public_lodgings(channel).filter(pk=pk).first()
    if lodging is not None:
        with_photos([lodging])
    return lodging


def party(persons: int | None):
    """``occupants_for`` of the guests searched: ``persons`` adults, or each lodging's minimum."""

    def occupants(lodging: Lodging, data: engine.Pricing) -> dict[int, int]:
        return engine.adults_of(persons or max(1, lodging.capacity_min))(lodging, data)

    return occupants


@dataclass(frozen=True)
class SearchQuery:
    """The search form, parsed (every field in the URL)."""

    arrival: date | None = None
    nights: int | None = None
    persons: int | None = None
    commune: str = ""  # a name or a postcode
    kind: str = ""  # a lodging type
    sort: str = "price"  # price | name

    @property
    def departure(self) -> date | None:
        return self.arrival + timedelta(days=self.nights) if self.arrival and self.nights else None

    @property
    def dated(self) -> bool:
        return self.arrival is not None and self.nights is not None


@dataclass
class Offer:
    """A lodging as the results show it: its quote for the stay searched (or its cheapest stay of
    the coming year, "à partir de"), and the price before the promotion when one applies."""

    lodging: Lodging
    quote: engine.Quote | None = None
    from_price: bool = False

    @property
    def price(self) -> Decimal | None:
        return self.quote.total if self.quote else None

    @property
    def crossed_price(self) -> Decimal | None:
        """The total without the promotion ("prix barré"), when a promotion applies."""
        if self.quote is None or self.quote.promotion is None:
            return None
        promotion = -sum(
            (line.amount for line in self.quote.lines if line.kind == engine.LineKind.PROMOTION), Decimal(0)
        )
        return self.quote.total + promotion

    @property
    def photo(self) -> Photo | None:
        gallery = getattr(self.lodging, "gallery", None)
        return gallery[0] if gallery else None


@dataclass
class SearchResult:
    offers: list[Offer] = field(default_factory=list)
    candidates: int = 0  # lodgings of the channel matching the place, type and party


def _filtered(channel: Channel, query: SearchQuery) -> QuerySet[Lodging]:
    lodgings = public_lodgings(channel)
    if query.kind:
        lodgings = lodgings.filter(lodging_type=query.kind)
    if query.commune:
        text = query.commune.strip()
        lodgings = lodgings.filter(
            Q(commune__postcode__startswith=text)
            if text[:1].isdigit()
            else Q(commune__name__unaccent__iexact=text)
        )
    if query.persons:
        lodgings = lodgings.filter(capacity_max__gte=query.persons, capacity_min__lte=query.persons)
    return lodgings


# What a result card and the price engine read of a lodging (a search loads hundreds of them).
CARD_FIELDS = (
    "id",
    "provider_id",
    "number",
    "name",
    "lodging_type",
    "classification",
    "commune__name",
    "commune__postcode",
    "capacity_min",
    "capacity_max",
    "has_stock",
    "stock_units",
    "position",
    "visibility",
    "archived",
)


def _cards(channel: Channel, lodgings: QuerySet[Lodging]) -> list[Lodging]:
    """The lodgings with the fields of a card only, each with its provider (loaded once each)."""
    providers = {provider.pk: provider for provider in sellable_providers(channel)}
    found = list(lodgings.select_related(None).select_related("commune").only(*CARD_FIELDS))
    for lodging in found:
        lodging.provider = providers[lodging.provider_id]
    return found


def search(channel: Channel, query: SearchQuery, *, now: datetime | None = None) -> SearchResult:
    """The lodgings of the channel actually sellable for the stay searched — free (files, sale
    prohibitions and imported blocks), priced for exactly that stay, within capacity, minimum stay
    and booking delay — each with the engine's quote; without dates, each with its cheapest stay of
    the coming year. A constant number of queries whatever the number of lodgings."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with scopes_disabled():
        lodgings_query = _filtered(channel, query)
        if query.dated:
            priced = StayPrice.objects.filter(
                lodging=OuterRef("pk"), arrival=query.arrival, nights=query.nights
            )
            lodgings = _cards(channel, lodgings_query.filter(Exists(priced)))
            candidates = len(lodgings)
            free = availability.free_units(lodgings, query.arrival, query.departure) if lodgings else {}
            lodgings = [
                lodging for lodging in lodgings if free.get(lodging.pk) and min(free[lodging.pk].values()) > 0
            ]
            quotes = engine.quote_batch(
                stays=[(lodging, query.arrival, query.nights) for lodging in lodgings],
                occupants_for=party(query.persons),
                now=now,
            )
            offers = [
                Offer(lodging, quote)
                for lodging in lodgings
                if isinstance(quote := quotes[(lodging.pk, query.arrival, query.nights)], engine.Quote)
            ]
        else:
            lodgings = _cards(channel, lodgings_query)
            candidates = len(lodgings)
            offers = _from_prices(lodgings, persons=query.persons, today=today, now=now)
    key = (
        (lambda offer: offer.lodging.name.lower())
        if query.sort == "name"
        else (lambda offer: (offer.price is None, offer.price or 0, offer.lodging.name.lower()))
    )
    return SearchResult(offers=sorted(offers, key=key), candidates=candidates)


def _from_prices(
    lodgings: Sequence[Lodging], *, persons: int | None, today: date, now: datetime
) -> list[Offer]:
    """Each lodging's cheapest stay price of the coming year (SQL selects it), quoted by the engine
    for the party (mandatory supplements included): its "à partir de"."""
    if not lodgings:
        return []
    first = today + timedelta(days=1)
    with connection.cursor() as cursor:
        # Each lodging's cheapest stay of the coming year: one index probe per lodging (LATERAL on
        # the index stay_price_cheapest), whatever the years of prices behind it.
        cursor.execute(
            "SELECT wanted.id, cheapest.arrival, cheapest.nights FROM unnest(%s::integer[]) AS wanted(id) "
            "CROSS JOIN LATERAL (SELECT arrival, nights FROM tarifs_stayprice WHERE lodging_id = wanted.id "
            "AND sale_price IS NOT NULL AND arrival >= %s AND arrival < %s "
            "ORDER BY sale_price, arrival LIMIT 1) AS cheapest",
            [[lodging.pk for lodging in lodgings], first, today + timedelta(days=FROM_PRICE_DAYS)],
        )
        cheapest = {lodging_id: (arrival, nights) for lodging_id, arrival, nights in cursor.fetchall()}
    stays = [(lodging, *cheapest[lodging.pk]) for lodging in lodgings if lodging.pk in cheapest]
    quotes = engine.quote_batch(stays=stays, occupants_for=party(persons), now=now)
    offers = []
    for lodging in lodgings:
        stay = cheapest.get(lodging.pk)
        quote = quotes.get((lodging.pk, *stay)) if stay else None
        offers.append(Offer(lodging, quote if isinstance(quote, engine.Quote) else None, from_price=True))
    return offers


# --- a lodging's calendar ----------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A stay on offer from an arrival day: "5 nuits / 300,00 €"."""

    nights: int
    quote: engine.Quote

    @property
    def departure(self) -> date:
        return self.quote.departure


@dataclass
class CalendarDay:
    day: date
    state: str  # arrival (stays start here) | free (no stay starts here) | taken | closed | past
    durations: list[Duration] = field(default_factory=list)


def lodging_calendar(
    lodging: Lodging, first: date, last: date, *, persons: int | None = None, now: datetime | None = None
) -> dict[date, CalendarDay]:
    """Each day of ``[first, last]``: whether a stay can start then and, when one can, the durations
    on offer with their quotes (the engine's), for ``persons`` (the lodging's minimum by default).
    A constant number of queries: the stay prices of the period, the availability, the pricing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with scopes_disabled():
        prices = list(
            StayPrice.objects.filter(
                lodging=lodging, arrival__gte=first, arrival__lte=last, nights__lte=MAX_NIGHTS
            )
            .order_by("arrival", "nights")
            .values_list("arrival", "nights")
        )
        horizon = max(
            [last + timedelta(days=1), *(arrival + timedelta(days=nights) for arrival, nights in prices)]
        )
        nights_of = availability.nights([lodging], first, horizon)[lodging.pk]
        quotes = engine.quote_batch(
            stays=[(lodging, arrival, nights) for arrival, nights in prices],
            occupants_for=party(persons),
            now=now,
        )
    calendar: dict[date, CalendarDay] = {}
    day = first
    while day <= last:
        night = nights_of.get(day)
        if day < today:
            state = "past"
        elif night is not None and night.free == 0:
            state = "closed" if night.prohibited >= night.capacity else "taken"
        else:
            state = "free"
        calendar[day] = CalendarDay(day, state)
        day += timedelta(days=1)
    for arrival, nights in prices:
        quote = quotes.get((lodging.pk, arrival, nights))
        if not isinstance(quote, engine.Quote) or arrival not in calendar:
            continue
        stay_nights = [arrival + timedelta(days=offset) for offset in range(nights)]
        if all(nights_of.get(night) is None or nights_of[night].free > 0 for night in stay_nights):
            calendar[arrival].durations.append(Duration(nights, quote))
    for entry in calendar.values():
        if entry.durations and entry.state == "free":
            entry.state = "arrival"
    return calendar


def settings_of(provider: Provider) -> ProviderSettings:
    with scopes_disabled():
        return ProviderSettings.objects.get(provider=provider)
