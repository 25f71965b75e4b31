"""Read-side queries of SUIVI DES RÉSERVATIONS: the files search ("Dossiers"), the top-bar search,
arrivals and departures, the dashboard's figures and the client file.

Every function returns a queryset or plain data in a constant number of queries whatever the number
of files (lists prefetch what their rows show). They run inside the provider's scope, like the
pages that call them.

Rules the dashboard's figures share (one place each):

* ``counted_bookings``: what counts as business — every file except cancelled files and test files
  ("Tests de réservation"). Revenue, the number of reservations, the origins and "Dernières
  réservations" use it.
* ``awaiting_deposit_q`` / ``awaiting_balance_q``: the files of "Mes relances", also the
  ``relance`` filter of the files list their "Consulter" buttons open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from common.money import ZERO
from hebergements.models import Lodging
from reservations import money
from reservations.models import (
    Booking,
    BookingOrigin,
    BookingStatus,
    BookingSupplement,
    Client,
    Payment,
    Stay,
    StayOccupant,
)
from reservations.planning import add_months

PROVIDER_TZ = ZoneInfo(settings.TIME_ZONE)  # Europe/Paris: months and days are the provider's


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PROVIDER_TZ)


# --- shared rules -----------------------------------------------------------------------------------


def counted_bookings() -> QuerySet[Booking]:
    """The files the dashboard counts: neither cancelled nor test files."""
    return Booking.objects.real().exclude(status=BookingStatus.CANCELLED)


def awaiting_deposit_q(today: date) -> Q:
    """ "Dossiers en attente d'acompte": in option, the deposit reminder date is today or passed."""
    return Q(status=BookingStatus.OPTION, deposit_due_date__lte=today, is_test=False)


def awaiting_balance_q(today: date) -> Q:
    """ "Dossiers en attente du solde": confirmed, a balance left, its payment date reached."""
    return money.balance_due_q() & Q(
        status=BookingStatus.CONFIRMED, balance_due_date__lte=today, is_test=False
    )


def _lodging_stays() -> Prefetch:
    return Prefetch(
        "stays",
        queryset=Stay.objects.filter(kind=Stay.Kind.BOOKING)
        .select_related("lodging")
        .order_by("arrival", "id"),
    )


def list_rows(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    """What a table of files shows: the client, the stays with their lodging (first and last day are
    the file's own fields)."""
    return queryset.select_related("client").prefetch_related(_lodging_stays())


# --- "Dossiers": search form ------------------------------------------------------------------------

STATUS_OPEN = "open"  # "Option / Confirmé": every file that is not cancelled
BALANCE_PAID, BALANCE_DUE = "paid", "due"
PROMO_ANY, PROMO_NONE = "*", "-"
REMINDER_DEPOSIT, REMINDER_BALANCE = "acompte", "solde"


@dataclass(frozen=True)
class BookingFilters:
    """The "Rechercher des dossiers" form, parsed. Empty values mean "Indifférent"."""

    arrival_from: date | None = None
    arrival_to: date | None = None
    client: str = ""
    lodging: Lodging | None = None
    number: int | None = None
    optin: bool | None = None
    status: str = ""
    balance: str = ""
    origin: str = ""
    promo_code: str = ""
    reminder: str = ""
    today: date | None = None
    sort: str = "-number"


SORTS = {
    "-number": ("-number",),
    "number": ("number",),
    "arrival": ("first_arrival", "number"),
    "-arrival": ("-first_arrival", "-number"),
    "-created": ("-created_at", "-number"),
}


def client_terms_q(text: str, prefix: str = "") -> Q:
    """Every word of ``text`` in the client's last name, first name, company or e-mail (accents and
    case ignored): "dupont marie" finds "DUPONT Marie"."""
    condition = Q()
    for word in text.split():
        condition &= (
            Q(**{f"{prefix}last_name__unaccent__icontains": word})
            | Q(**{f"{prefix}first_name__unaccent__icontains": word})
            | Q(**{f"{prefix}company__unaccent__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return condition


def _filtered(filters: BookingFilters) -> QuerySet[Booking]:
    queryset = Booking.objects.all()
    if filters.arrival_from or filters.arrival_to:
        # The stays' index on arrival gives the files' ids first (one query): as a subquery,
        # PostgreSQL hashed it against a scan of every file of the history.
        stays = Stay.objects.filter(kind=Stay.Kind.BOOKING)
        if filters.arrival_from:
            stays = stays.filter(arrival__gte=filters.arrival_from)
        if filters.arrival_to:
            stays = stays.filter(arrival__lte=filters.arrival_to)
        ids = list(stays.order_by().values_list("booking_id", flat=True).distinct())
        queryset = queryset.filter(pk__any=ids)
    if filters.client.strip():
        queryset = queryset.filter(client_terms_q(filters.client, "client__"))
    if filters.lodging is not None:
        queryset = queryset.filter(pk__in=Stay.objects.filter(lodging=filters.lodging).values("booking_id"))
    if filters.number is not None:
        queryset = queryset.filter(number=filters.number)
    if filters.optin is not None:
        queryset = queryset.filter(client__optin=filters.optin)
    if filters.status == STATUS_OPEN:
        queryset = queryset.exclude(status=BookingStatus.CANCELLED)
    elif filters.status == BookingStatus.CONFIRMED:  # paid files are confirmed ones, paid in full
        queryset = queryset.filter(status__in=(BookingStatus.CONFIRMED, BookingStatus.PAID))
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.balance == BALANCE_PAID:
        queryset = queryset.filter(money.nothing_due_q())
    elif filters.balance == BALANCE_DUE:
        queryset = queryset.filter(money.balance_due_q())
    if filters.origin:
        queryset = queryset.filter(origin=filters.origin)
    if filters.promo_code == PROMO_ANY:
        queryset = queryset.exclude(promo_code="")
    elif filters.promo_code == PROMO_NONE:
        queryset = queryset.filter(promo_code="")
    elif filters.promo_code:
        queryset = queryset.filter(promo_code__iexact=filters.promo_code)
    today = filters.today or timezone.localdate()
    if filters.reminder == REMINDER_DEPOSIT:
        queryset = queryset.filter(awaiting_deposit_q(today))
    elif filters.reminder == REMINDER_BALANCE:
        queryset = queryset.filter(awaiting_balance_q(today))
    return queryset


def bookings_search(filters: BookingFilters) -> QuerySet[Booking]:
    """The files matching the filters, in the order asked (newest number first); page them with
    ``common.pagination.paginate(…, rows=booking_rows)``."""
    return _filtered(filters).order_by(*SORTS.get(filters.sort, SORTS["-number"]))


def booking_rows(ids: list[int]) -> QuerySet[Booking]:
    """The files ``ids`` with what a table of files shows."""
    return list_rows(Booking.objects.filter(pk__in=ids))


def promo_codes_used() -> list[str]:
    """The promo codes the provider's files carry (choices of the "Code Promo" filter)."""
    codes = Booking.objects.exclude(promo_code="").order_by().values_list("promo_code", flat=True)
    return sorted({code.upper() for code in codes.distinct()})  # the partial index booking_promo_code


def bookings_for_export(filters: BookingFilters) -> QuerySet[Booking]:
    """The ids of the files of the export, in the order of the list (read them with
    ``.iterator()``; ``export_chunk`` reads what the columns show, chunk by chunk)."""
    return (
        _filtered(filters)
        .real()  # test files never leave the application
        .order_by(*SORTS.get(filters.sort, SORTS["-number"]))
        .values_list("pk", flat=True)
    )


@dataclass
class ExportFile:
    """One file of the export as plain values (no model instances: nothing outlives its chunk)."""

    values: dict
    stays: list[dict] = field(default_factory=list)
    supplements: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)


def export_chunk(ids: list[int]) -> list[ExportFile]:
    """The files ``ids`` with their stays (lodging, occupants), supplements and payments, in the
    order of ``ids``. Five queries, whatever the number of ids."""
    files = {
        row["pk"]: ExportFile(row)
        for row in Booking.objects.filter(pk__in=ids).values(
            "pk",
            "number",
            "created_at",
            "status",
            "is_test",
            "contract_signed_at",
            "deposit_due_date",
            "balance_due_date",
            "origin",
            "promo_code",
            "total_amount",
            "paid_amount",
            "client__last_name",
            "client__first_name",
            "client__email",
            "client__phone1",
            "client__phone2",
            "client__phone3",
            "client__postcode",
            "client__city",
            "client__optin",
        )
    }
    stays = {}
    for stay in (
        Stay.objects.filter(booking_id__in=ids, kind=Stay.Kind.BOOKING)
        .values("pk", "booking_id", "lodging__name", "arrival", "departure")
        .order_by("arrival", "pk")
    ):
        stay["occupants"] = []
        stays[stay["pk"]] = stay
        files[stay["booking_id"]].stays.append(stay)
    for occupant in (
        StayOccupant.objects.filter(stay_id__in=list(stays))
        .values("stay_id", "age_bracket__label_fr", "count")
        .order_by("age_bracket__position", "-age_bracket__age_max", "pk")
    ):
        stays[occupant["stay_id"]]["occupants"].append(occupant)
    for line in (
        BookingSupplement.objects.filter(booking_id__in=ids)
        .values("booking_id", "stay_id", "label", "quantity", "amount")
        .order_by("pk")
    ):
        files[line["booking_id"]].supplements.append(line)
    for payment in (
        Payment.objects.filter(booking_id__in=ids)
        .values("booking_id", "date", "mode", "amount", "reference", "note")
        .order_by("date", "pk")
    ):
        files[payment["booking_id"]].payments.append(payment)
    return [files[pk] for pk in ids if pk in files]


# --- the top bar: "N° dossier / Nom client" ---------------------------------------------------------


@dataclass
class QuickSearch:
    """What the top-bar search found: ``booking`` to open, else ``bookings`` to list."""

    query: str
    number: int | None = None
    booking: Booking | None = None
    bookings: list[Booking] = field(default_factory=list)


QUICK_SEARCH_LIMIT = 50


def parse_file_number(text: str) -> int | None:
    """ "131", "n°131", "N° 131", "#131" → 131."""
    cleaned = text.strip().lower().removeprefix("#").removeprefix("n°").removeprefix("no").strip(" .°")
    if cleaned.isdigit() and len(cleaned) < 10:
        return int(cleaned)
    return None


def quick_search(text: str) -> QuickSearch:
    """A number opens that file; a name lists the files of the matching clients (one → the file)."""
    query = " ".join(text.split())
    result = QuickSearch(query=query, number=parse_file_number(query))
    if result.number is not None:
        result.booking = Booking.objects.real().filter(number=result.number).first()
        return result
    if len(query) < 2:
        return result
    matches = list(
        list_rows(Booking.objects.filter(client_terms_q(query, "client__"))).order_by("-number")[
            : QUICK_SEARCH_LIMIT + 1
        ]
    )
    if len(matches) == 1:
        result.booking = matches[0]
    else:
        result.bookings = matches
    return result


# --- "Arrivées" and "Départs" ------------------------------------------------------------------------


def _moving_on(day: date, field_name: str) -> QuerySet[Booking]:
    stays = Stay.objects.filter(kind=Stay.Kind.BOOKING, active=True, **{field_name: day})
    return list_rows(Booking.objects.filter(pk__in=stays.values("booking_id"))).order_by(
        "client__last_name", "number"
    )


def arrivals_on(day: date) -> QuerySet[Booking]:
    """Files with a lodging arriving on ``day`` (cancelled files have freed their dates: not shown)."""
    return _moving_on(day, "arrival")


def departures_on(day: date) -> QuerySet[Booking]:
    return _moving_on(day, "departure")


# --- the dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: date  # first day of the month
    revenue: Decimal
    count: int
    previous_revenue: Decimal | None = None  # the same month a year earlier (comparison)
    previous_count: int | None = None


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def revenue_by_month(*, first_month: date, last_month: date, compare: bool = False) -> list[MonthFigure]:
    """ "Chiffre d'affaires par mois de prise de réservation": the total amount of the files created
    in each month (Paris time) from ``first_month`` to ``last_month``, with the same months a year
    earlier when ``compare``. Cancelled and test files are left out. One query."""
    months = months_between(first_month, last_month)
    start = add_months(months[0], -12) if compare else months[0]
    end = add_months(months[-1], 1)
    rows = (
        counted_bookings()
        .filter(created_at__gte=local_midnight(start), created_at__lt=local_midnight(end))
        .annotate(month=TruncMonth("created_at", tzinfo=PROVIDER_TZ))
        .values("month")
        .annotate(revenue=Sum("total_amount"), count=Count("pk"))
        .order_by()
    )
    found = {row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row for row in rows}

    def figures(month: date) -> tuple[Decimal, int]:
        row = found.get(month)
        return (row["revenue"], row["count"]) if row else (ZERO, 0)

    result = []
    for month in months:
        revenue, count = figures(month)
        previous = figures(add_months(month, -12)) if compare else (None, None)
        result.append(MonthFigure(month, revenue, count, previous[0], previous[1]))
    return result


@dataclass(frozen=True)
class Activity:
    count: int
    revenue: Decimal


ACTIVITY_PERIODS = ("12m", "30d", "7d")


def activity_start(period: str, today: date) -> date:
    """First day of "Mon activité récente" windows: the last 7 or 30 days (today included), or the
    last 12 months (from the day after the same day a year ago)."""
    if period == "7d":
        return today - timedelta(days=6)
    if period == "30d":
        return today - timedelta(days=29)
    return add_months(today, -12) + timedelta(days=1)


def recent_activity(*, today: date) -> dict[str, Activity]:
    """ "Mon activité récente": reservations and revenue of the files created over 12 months, 30
    days and 7 days, and today ("N aujourd'hui"). One query."""
    windows = {
        period: Q(created_at__gte=local_midnight(activity_start(period, today)))
        for period in ACTIVITY_PERIODS
    }
    windows["today"] = Q(created_at__gte=local_midnight(today))
    aggregates = {}
    for period, condition in windows.items():
        aggregates[f"{period}_count"] = Count("pk", filter=condition)
        aggregates[f"{period}_revenue"] = Sum("total_amount", filter=condition)
    tomorrow = local_midnight(today + timedelta(days=1))
    since = local_midnight(min(activity_start(period, today) for period in ACTIVITY_PERIODS))
    values = counted_bookings().filter(created_at__gte=since, created_at__lt=tomorrow).aggregate(**aggregates)
    return {
        period: Activity(values[f"{period}_count"], values[f"{period}_revenue"] or ZERO) for period in windows
    }


@dataclass(frozen=True)
class Reminders:
    deposit: int
    balance: int


def reminders(*, today: date) -> Reminders:
    """ "Mes relances": how many files wait for their deposit, for their balance. One query, on the
    files in option or confirmed only (an index), whatever the history."""
    values = (
        Booking.objects.real()
        .filter(status__in=(BookingStatus.OPTION, BookingStatus.CONFIRMED))
        .aggregate(
            deposit=Count("pk", filter=awaiting_deposit_q(today)),
            balance=Count("pk", filter=awaiting_balance_q(today)),
        )
    )
    return Reminders(values["deposit"], values["balance"])


@dataclass(frozen=True)
class OriginShare:
    origin: str
    label: str
    count: int
    percent: Decimal  # one decimal, rounded half-up


def origin_shares() -> list[OriginShare]:
    """ "Origines de toutes vos réservations": files per origin, largest first. One query."""
    rows = counted_bookings().values("origin").annotate(count=Count("pk")).order_by()
    counts = {row["origin"]: row["count"] for row in rows}
    total = sum(counts.values())
    labels = dict(BookingOrigin.choices)
    shares = [
        OriginShare(
            origin,
            str(labels.get(origin, origin)),
            count,
            (Decimal(100 * count) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        )
        for origin, count in counts.items()
        if count
    ]
    order = list(BookingOrigin.values)
    return sorted(shares, key=lambda s: (-s.count, order.index(s.origin) if s.origin in order else 99))


def upcoming_stays(*, moving: str, today: date, days: int = 7, limit: int = 10) -> list[Stay]:
    """ "Prochaines arrivées" (``moving="arrival"``) or "Prochains départs" over the coming week."""
    day_field = "arrival" if moving == "arrival" else "departure"
    return list(
        Stay.objects.filter(
            kind=Stay.Kind.BOOKING,
            active=True,
            booking__is_test=False,  # the dashboard leaves test files out
            **{f"{day_field}__gte": today, f"{day_field}__lt": today + timedelta(days=days)},
        )
        .select_related("lodging", "booking", "booking__client")
        .order_by(day_field, "lodging__position", "id")[:limit]
    )


ONLINE_ORIGINS = (BookingOrigin.INTERNET, BookingOrigin.WIDGET)


def online_files_waiting() -> QuerySet[Booking]:
    """The alert icon ("3- Réservation en ligne"): files booked online (marketplace or widget) still
    in option — the owner is to contact the client and finalise them. Test files left out."""
    return Booking.objects.real().filter(origin__in=ONLINE_ORIGINS, status=BookingStatus.OPTION)


def latest_bookings(*, limit: int = 10) -> list[Booking]:
    """ "Dernières réservations": the files created last (test files left out)."""
    return list(
        Booking.objects.real()
        .select_related("client")
        .prefetch_related(_lodging_stays())
        .order_by("-created_at", "-number")[:limit]
    )


# --- the client file ----------------------------------------------------------------------------------


def clients_search(text: str = "") -> QuerySet[Client]:
    """ "Fichier clients": the clients whose words match names, e-mail, phone or city, in the file's
    order (an index of its own). Page them with ``paginate(…, rows=client_rows)``."""
    queryset = Client.objects.all()
    for word in text.split():
        queryset = queryset.filter(
            client_terms_q(word)
            | Q(phone1__contains=word)
            | Q(phone2__contains=word)
            | Q(city__unaccent__icontains=word)
        )
    return queryset.order_by("last_name", "first_name", "id")


def same_email(outer: str = "email") -> QuerySet[Client]:
    """The provider's other clients with the e-mail of the outer row, case ignored (the functional
    index ``client_email_lower``)."""
    return (
        Client.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=Lower(OuterRef(outer)))
        .exclude(pk=OuterRef("pk"))
        .exclude(email="")
    )


def with_client_figures(queryset: QuerySet[Client]) -> QuerySet[Client]:
    """Each client with its number of files, the date of the last one and how many other clients
    share its e-mail (duplicates to merge): three indexed lookups per client shown."""
    duplicates = same_email().order_by().values("provider").annotate(n=Count("pk")).values("n")
    files = Booking.objects.filter(client=OuterRef("pk")).order_by().values("client")
    return queryset.annotate(
        files=Subquery(files.annotate(n=Count("pk")).values("n")),
        last_file_at=Subquery(files.annotate(last=Max("created_at")).values("last")),
        duplicates=Subquery(duplicates),
    )


def client_rows(ids: list[int]) -> QuerySet[Client]:
    return with_client_figures(Client.objects.filter(pk__in=ids))


def clients_for_export(text: str = "") -> QuerySet[Client]:
    """The clients of the search with their figures, for the Excel extraction."""
    return with_client_figures(clients_search(text))


def client_duplicates(client: Client) -> list[Client]:
    """The provider's other clients with the same e-mail (case ignored), with their file counts."""
    if not client.email:
        return []
    return list(
        Client.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=client.email.lower())
        .exclude(pk=client.pk)
        .annotate(files=Count("bookings"))
        .order_by("created_at", "id")
    )


def client_bookings(client: Client) -> list[Booking]:
    return list(list_rows(Booking.objects.filter(client=client)).order_by("-number"))


# --- across providers (the office's staff space; call with scopes disabled) -------------------------


@dataclass(frozen=True)
class SeasonFigures:
    files: int = 0
    revenue: Decimal = ZERO


def season_figures(provider_ids: list[int], first: date, last: date) -> dict[int, SeasonFigures]:
    """Each provider's counted files (``counted_bookings``: no cancelled, no test file) arriving
    from ``first`` to ``last`` included, and their total: one query whatever the number of
    providers."""
    rows = (
        counted_bookings()
        .filter(provider_id__in=provider_ids, first_arrival__gte=first, first_arrival__lte=last)
        .order_by()
        .values("provider_id")
        .annotate(files=Count("pk"), revenue=Sum("total_amount"))
    )
    return {row["provider_id"]: SeasonFigures(row["files"], row["revenue"] or ZERO) for row in rows}
