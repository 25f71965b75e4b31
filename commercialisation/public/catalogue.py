"""What guests may see and book: the public catalogue, the search, a lodging's calendar.

Public pages resolve their tenancy from the URL (an office's or a provider's slug, never a session)
and read across providers with the tenant scope disabled, so every query here filters explicitly:
only lodgings of providers **in production** that sell online with terms of sale, visible and not
archived — of the office of the page, or of the provider of the page (the predicates of
``hebergements.online``, which says the owner whether a lodging can be booked). A provider in test status is
never shown, except on its own site opened with the signed link of "Tests de réservation"
(``Channel.test_token``, ``commercialisation.public.testmode``). A deactivated provider is never
shown.

Availability is ``reservations.availability``'s (files, prohibitions and imported blocks); every
price is the price engine's (``tarifs.engine.quote_batch``): SQL only selects which stays to quote.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone
from django_scopes import scopes_disabled

from comptes.models import Office, Provider, ProviderSettings
from hebergements.models import Lodging, Photo
from hebergements.online import lodging_shown_q, provider_sells_q
from reservations import availability
from tarifs import engine
from tarifs.models import MAX_STAY_NIGHTS, Promotion, StayPrice

MAX_NIGHTS = MAX_STAY_NIGHTS  # the longest stay a guest can search or book (set in tarifs.models)
FROM_PRICE_DAYS = 365  # "à partir de": the cheapest stay of the coming year


@dataclass(frozen=True)
class Channel:
    """Where a guest is: an office's marketplace, or a provider's own booking site (or widget)."""

    office: Office | None = None
    provider: Provider | None = None
    origin: str = "internet"  # the files' origin: internet (marketplace, site) or widget
    color: str = ""  # a widget's main colour (rrggbb), empty for the default colours
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

    @property
    def widget(self) -> bool:
        """Framed in another site's page: compact pages, every link stays in the widget."""
        return self.origin == WIDGET


WIDGET = "widget"


def sellable_providers(channel: Channel) -> QuerySet[Provider]:
    """Providers whose lodgings the channel shows: active, in production (or any status in test
    mode), selling online, terms of sale written (French at least)."""
    with scopes_disabled():
        providers = Provider.objects.filter(provider_sells_q(production=not channel.is_test))
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
            lodging_shown_q(), provider__in=sellable_providers(channel)
        ).select_related("provider", "commune")


def with_photos(lodgings: Sequence[Lodging]) -> None:
    """Attach each lodging's photos as ``gallery``, the main one first, then in their order (one
    query)."""
    with scopes_disabled():
        prefetch_related_objects(
            list(lodgings),
            Prefetch(
                "photos", queryset=Photo.objects.order_by("-is_main", "position", "id"), to_attr="gallery"
            ),
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
    offers: Sequence[Offer] = field(default_factory=list)
    candidates: int = 0  # lodgings of the channel matching the place, type and party (and priced)


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


# What a result card and the price engine read of a lodging (only the lodgings quoted are loaded).
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

# What a search reads of every lodging it considers: availability and the order need no more.
CANDIDATE_FIELDS = ("id", "provider_id", "name", "has_stock", "stock_units")


class Candidate(NamedTuple):
    """A lodging a search considers, before the engine quotes it: its stay, and a floor under the
    engine's total for that stay (``_floor``) that decides which lodgings to quote first. A named
    tuple: a search builds one per lodging of the office, and a frozen dataclass costs twice as
    much to build."""

    pk: int
    provider_id: int
    name: str
    has_stock: bool
    stock_units: int | None
    arrival: date | None = None
    nights: int | None = None
    floor: Decimal | None = None  # None: no stay to quote (no price in the coming year)

    @property
    def name_key(self) -> str:
        return self.name.lower()


def _floor(mode: str, sale_price: Decimal | None, best_promotion: Decimal | None) -> Decimal:
    """A price no quote of the stay can go below, from its stored row: the flat sale price less the
    lodging's largest promotion (supplements only add; a cent for the rounding). A price per person
    gets 0: quoted first. Only an order of work — every price shown is the engine's."""
    if mode != StayPrice.Mode.LODGING or sale_price is None:
        return Decimal(0)
    if not best_promotion:
        return sale_price  # the lodging's line is exactly its sale price
    return max(Decimal(0), sale_price * (100 - best_promotion) / 100 - Decimal("0.01"))


class OfferList(Sequence):
    """The results of a search in their order, quoted when a page asks for them: by price, the
    candidates are quoted by rising floor until the last offer asked for costs less than every
    floor not yet quoted, so the order is the engine's exact order whatever the page; by name,
    only the page's lodgings are quoted. ``len`` is the number of candidates (for a dated search,
    those free and within the provider's rules: the engine refuses none of them in practice —
    one that it does refuse is left out as soon as it is quoted)."""

    first_chunk = 20  # lodgings quoted at least at the first request (one engine batch)

    def __init__(
        self,
        channel: Channel,
        candidates: list[Candidate],
        *,
        persons: int | None,
        by_name: bool,
        keep_unpriced: bool,
        now: datetime,
        providers: dict[int, Provider],
    ) -> None:
        self.channel = channel
        self.providers = providers  # the channel's sellable providers, by id
        self.persons = persons
        self.by_name = by_name
        self.keep_unpriced = keep_unpriced  # "à partir de": a lodging without a price is still listed
        self.now = now
        key = (lambda c: c.name_key) if by_name else (lambda c: (c.floor is None, c.floor or 0, c.name_key))
        self._order = sorted(candidates, key=key)
        self._next = 0  # the first candidate of _order not quoted yet
        self._offers: list[Offer] = []  # quoted, priced
        self._unpriced: list[Offer] = []  # quoted (or with nothing to quote), without a price
        self._refused = 0

    def __len__(self) -> int:
        return len(self._order) - self._refused

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return self._first(stop)[start:stop:step]
        if index < 0:
            index += len(self)
        return self._first(index + 1)[index]

    # --- quoting what is asked for ---------------------------------------------------------

    def _first(self, count: int) -> list[Offer]:
        if self.by_name:
            while len(self._offers) + len(self._unpriced) < count and self._next < len(self._order):
                self._quote(count - len(self._offers) - len(self._unpriced))
            return self._offers  # in name order already: quoted in that order, nothing reordered
        while self._next < len(self._order):
            if len(self._offers) >= count:
                # Every candidate not quoted yet sorts at or after ``upcoming`` by (floor, name),
                # and its price is at least its floor: none can come before the last offer asked.
                upcoming = self._order[self._next]
                last = self._offers[count - 1]
                if upcoming.floor is None or (last.price, last.lodging.name.lower()) < (
                    upcoming.floor,
                    upcoming.name_key,
                ):
                    break
            self._quote(
                max(2 * count, self.first_chunk) if not self._offers else max(count, 2 * len(self._offers))
            )
        done = self._next >= len(self._order)
        return self._offers + (self._unpriced if done else [])

    def _quote(self, size: int) -> None:
        chunk = self._order[self._next : self._next + size]
        self._next += len(chunk)
        lodgings = self._cards([candidate.pk for candidate in chunk])
        to_quote = [c for c in chunk if c.floor is not None and c.pk in lodgings]
        quotes = engine.quote_batch(
            stays=[(lodgings[c.pk], c.arrival, c.nights) for c in to_quote],
            occupants_for=party(self.persons),
            now=self.now,
        )
        for candidate in chunk:
            lodging = lodgings.get(candidate.pk)
            quote = quotes.get((candidate.pk, candidate.arrival, candidate.nights)) if lodging else None
            if isinstance(quote, engine.Quote):
                self._offers.append(Offer(lodging, quote, from_price=self.keep_unpriced))
            elif self.keep_unpriced and lodging is not None:
                offer = Offer(lodging, None, from_price=True)
                (self._offers if self.by_name else self._unpriced).append(offer)
            else:
                self._refused += 1
        if not self.by_name:
            self._offers.sort(key=lambda offer: (offer.price, offer.lodging.name.lower()))

    def _cards(self, ids: list[int]) -> dict[int, Lodging]:
        """The lodgings with the fields of a card only, each with its provider."""
        with scopes_disabled():
            found = public_lodgings(self.channel).filter(pk__any=ids)
            found = found.select_related(None).select_related("commune").only(*CARD_FIELDS)
            # A provider that became sellable since the search began is not in ``providers``: its
            # lodgings wait for the next search.
            lodgings = {lodging.pk: lodging for lodging in found if lodging.provider_id in self.providers}
        for lodging in lodgings.values():
            lodging.provider = self.providers[lodging.provider_id]
        return lodgings


def search(channel: Channel, query: SearchQuery, *, now: datetime | None = None) -> SearchResult:
    """The lodgings of the channel actually sellable for the stay searched — free (files, sale
    prohibitions and imported blocks), priced for exactly that stay, within capacity, minimum stay
    and booking delay — each with the engine's quote; without dates, each with its cheapest stay of
    the coming year. A constant number of queries whatever the number of lodgings; only the
    lodgings a page shows (and those a cheaper one could hide behind) are quoted (``OfferList``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with scopes_disabled():
        providers = {provider.pk: provider for provider in sellable_providers(channel)}
        lodgings = _filtered(channel, query)
        if query.dated:
            candidates = _dated_candidates(lodgings, query, now=now)
            count = len(candidates)
            free = availability.free_throughout(candidates, query.arrival, query.departure)
            candidates = [candidate for candidate in candidates if candidate.pk in free]
            refusing = engine.providers_refusing(
                [providers[pk] for pk in sorted({c.provider_id for c in candidates}) if pk in providers],
                arrival=query.arrival,
                nights=query.nights,
                now=now,
            )
            candidates = [candidate for candidate in candidates if candidate.provider_id not in refusing]
        else:
            candidates = _cheapest_candidates(lodgings, today=today)
            count = len(candidates)
    offers = OfferList(
        channel,
        candidates,
        persons=query.persons,
        by_name=query.sort == "name",
        keep_unpriced=not query.dated,
        now=now,
        providers=providers,
    )
    return SearchResult(offers=offers, candidates=count)


def _best_promotion(lodging: str) -> Subquery:
    """The lodging's largest active promotion (percent), for ``_floor``: a subquery of the
    candidates' own query (no second round trip with a thousand ids)."""
    return Subquery(
        Promotion.objects.filter(lodging_id=OuterRef(lodging), active=True)
        .order_by("-percent")
        .values("percent")[:1]
    )


def _dated_candidates(lodgings: QuerySet[Lodging], query: SearchQuery, *, now: datetime) -> list[Candidate]:
    """The lodgings with a price for exactly the stay searched, with that price's floor."""
    rows = list(
        StayPrice.objects.filter(
            arrival=query.arrival, nights=query.nights, lodging__in=lodgings.values("pk")
        )
        .annotate(best_promotion=_best_promotion("lodging_id"))
        .order_by()
        .values_list(
            *(f"lodging__{name}" for name in CANDIDATE_FIELDS), "mode", "sale_price", "best_promotion"
        )
    )
    return [
        Candidate(
            *row[: len(CANDIDATE_FIELDS)],
            arrival=query.arrival,
            nights=query.nights,
            floor=_floor(*row[len(CANDIDATE_FIELDS) :]),
        )
        for row in rows
    ]


def _cheapest_candidates(lodgings: QuerySet[Lodging], *, today: date) -> list[Candidate]:
    """Each lodging with its cheapest stay price of the coming year (SQL selects it; the engine
    quotes it for the party, mandatory supplements included: its "à partir de")."""
    rows = list(
        lodgings.annotate(best_promotion=_best_promotion("pk")).values_list(
            *CANDIDATE_FIELDS, "best_promotion"
        )
    )
    if not rows:
        return []
    first = today + timedelta(days=1)
    with connection.cursor() as cursor:
        # Each lodging's cheapest stay of the coming year: one index probe per lodging (LATERAL on
        # the index stay_price_cheapest), whatever the years of prices behind it.
        cursor.execute(
            "SELECT wanted.id, cheapest.arrival, cheapest.nights, cheapest.mode, cheapest.sale_price "
            "FROM unnest(%s::integer[]) AS wanted(id) "
            "CROSS JOIN LATERAL (SELECT arrival, nights, mode, sale_price FROM tarifs_stayprice "
            "WHERE lodging_id = wanted.id AND sale_price IS NOT NULL AND arrival >= %s AND arrival < %s "
            "ORDER BY sale_price, arrival LIMIT 1) AS cheapest",
            [[row[0] for row in rows], first, today + timedelta(days=FROM_PRICE_DAYS)],
        )
        cheapest = {lodging_id: rest for lodging_id, *rest in cursor.fetchall()}
    candidates = []
    for *row, best_promotion in rows:
        stay = cheapest.get(row[0])
        if stay is None:
            candidates.append(Candidate(*row))
        else:
            arrival, nights, mode, sale_price = stay
            floor = _floor(mode, sale_price, best_promotion)
            candidates.append(Candidate(*row, arrival=arrival, nights=nights, floor=floor))
    return candidates


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
    lodging: Lodging,
    first: date,
    last: date,
    *,
    persons: int | None = None,
    now: datetime | None = None,
    detailed: Container[date] | None = None,
    lengths: Collection[int] | None = None,
) -> dict[date, CalendarDay]:
    """Each day of ``[first, last]``: whether a stay can start then and, when one can, the durations
    on offer with their quotes (the engine's), for ``persons`` (the lodging's minimum by default).

    Every duration of a day is quoted for the days of ``detailed`` (all days when None); any other
    day gets the shortest duration the engine accepts, enough to say an arrival is possible (a
    month of prices by the night is 29 lengths a day: the month view quotes 31 stays, not 900).
    ``lengths`` keeps only stays of those lengths. A constant number of queries: the stay prices
    of the period, the availability, the pricing (twice when a day's shortest stay is refused)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with scopes_disabled():
        prices = StayPrice.objects.filter(
            lodging=lodging, arrival__gte=max(first, today), arrival__lte=last, nights__lte=MAX_NIGHTS
        )
        if lengths is not None:
            prices = prices.filter(nights__any=sorted(lengths))
        prices = list(prices.order_by("arrival", "nights").values_list("arrival", "nights"))
        horizon = max(
            [last + timedelta(days=1), *(arrival + timedelta(days=nights) for arrival, nights in prices)]
        )
        nights_of = availability.nights([lodging], first, horizon)[lodging.pk]
    free_run = _free_runs(nights_of)
    on_offer: dict[date, list[int]] = {}  # each day's free stays, shortest first
    for arrival, nights in prices:
        if nights <= free_run.get(arrival, 0):
            on_offer.setdefault(arrival, []).append(nights)
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

    def every(day: date) -> bool:
        return detailed is None or day in detailed

    def quote(stays: list[tuple[date, int]]) -> None:
        if not stays:
            return
        with scopes_disabled():
            quotes = engine.quote_batch(
                stays=[(lodging, arrival, nights) for arrival, nights in stays],
                occupants_for=party(persons),
                now=now,
            )
        for arrival, nights in stays:  # by day, shortest first: a day's first quote is its shortest
            result = quotes.get((lodging.pk, arrival, nights))
            entry = calendar[arrival]
            if isinstance(result, engine.Quote) and (every(arrival) or not entry.durations):
                entry.durations.append(Duration(nights, result))

    # The shortest stay of each day (every stay of a detailed day); then, for the days whose
    # shortest stay the engine refused (a minimum stay, say), all their other stays at once.
    quote(
        [
            (day, nights)
            for day, offered in on_offer.items()
            for nights in (offered if every(day) else offered[:1])
        ]
    )
    quote(
        [
            (day, nights)
            for day, offered in on_offer.items()
            if not every(day) and not calendar[day].durations
            for nights in offered[1:]
        ]
    )
    for entry in calendar.values():
        if entry.durations and entry.state == "free":
            entry.state = "arrival"
    return calendar


# --- the planning of all the lodgings of a channel ----------------------------------------------------


@dataclass
class PlanningDay:
    day: date
    state: str  # free | taken | closed
    arrival: bool = False  # a priced stay starts this day and its nights are free
    url: str = ""
    label: str = ""  # what a screen reader says of the cell (the page fills it)


@dataclass
class PlanningRow:
    lodging: Lodging
    days: list[PlanningDay]


def _free_runs(by_day: dict[date, availability.Night]) -> dict[date, int]:
    """For each day, how many nights in a row are free from it (a stay of n nights can start that
    day when it is at least n): one pass backwards instead of a check per stay and night."""
    runs: dict[date, int] = {}
    following = 0
    for day in sorted(by_day, reverse=True):
        following = following + 1 if by_day[day].free > 0 else 0
        runs[day] = following
    return runs


def lodgings_planning(channel: Channel, first: date, days: int) -> list[PlanningRow]:
    """Each lodging of the channel with ``days`` days from ``first``: free, taken or closed (the
    availability's count: files, sale prohibitions, imported blocks) and whether a priced stay can
    start then. Four queries whatever the number of lodgings and days: the lodgings, the stay prices
    of the period, the stays and the imported blocks. The price engine's last word (booking delay,
    capacity) is the lodging's calendar's, where an arrival day leads."""
    end = first + timedelta(days=days)
    with scopes_disabled():
        lodgings = list(public_lodgings(channel).order_by("position", "name", "pk"))
        ids = [lodging.pk for lodging in lodgings]
        prices = list(
            StayPrice.objects.filter(
                lodging_id__in=ids,
                arrival__gte=first,
                arrival__lt=end,
                nights__lte=MAX_NIGHTS,
                sale_price__isnull=False,
            )
            .values_list("lodging_id", "arrival", "nights")
            .distinct()
        )
        horizon = max([end, *(arrival + timedelta(days=nights) for _id, arrival, nights in prices)])
        nights_of = availability.nights(lodgings, first, horizon) if lodgings else {}
    free_run = {lodging_id: _free_runs(by_day) for lodging_id, by_day in nights_of.items()}
    arrivals = {
        (lodging_id, arrival)
        for lodging_id, arrival, nights in prices
        if free_run[lodging_id].get(arrival, 0) >= nights
    }
    rows = []
    for lodging in lodgings:
        cells = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            night = nights_of[lodging.pk][day]
            state = "free" if night.free > 0 else "closed" if night.prohibited >= night.capacity else "taken"
            cells.append(PlanningDay(day, state, arrival=(lodging.pk, day) in arrivals))
        rows.append(PlanningRow(lodging, cells))
    return rows


def settings_of(provider: Provider) -> ProviderSettings:
    with scopes_disabled():
        return ProviderSettings.objects.get(provider=provider)
