"""Seed one big provider for the benchmarks: 50 lodgings, 5 000 booking files, 3 years of prices.

Rows are written with ``bulk_create`` (the services would take minutes for 5 000 files); amounts
and statuses follow the rules of ``reservations.services.booking_refresh``. Used by
``benchmarks/planning.py``; importable by other benchmark scripts::

    from benchmarks.seed import seed_provider
    provider = seed_provider()  # inside a database set up by the script
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

BENCH_PROVIDER_NUMBER = 99001
BENCH_EMAIL = "bench@openpro.example"
BENCH_PASSWORD = "bench-password-0123"  # noqa: S105 - a throwaway database


@contextmanager
def seeded_database(*, keep: bool = False) -> Iterator[tuple[object, float]]:
    """A throw-away database ``bench_<name>`` next to the configured one, seeded with
    ``seed_provider()``: yields (provider, seconds it took), drops it afterwards — whatever happens —
    unless ``keep`` (then the next run reuses it)."""
    from benchmarks.harness import throwaway_database

    started = time.perf_counter()
    with throwaway_database(keep=keep):
        provider = seed_provider()
        yield provider, time.perf_counter() - started


def copy_rows(model, columns: list[str], rows) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``model``'s table with PostgreSQL's
    COPY, inside the caller's transaction. Returns the number of rows."""
    from django.db import connection

    count = 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def seed_provider(
    *,
    lodgings: int = 50,
    files: int = 5000,
    years: int = 3,
    history_years: int = 1,
    today: date | None = None,
    seed: int = 2024,
    units: int = 1,
    number: int = BENCH_PROVIDER_NUMBER,
    email: str = BENCH_EMAIL,
) -> object:
    """Create the benchmark provider (or return it when the database already has it). ``units`` > 1:
    lodgings with stock, each of its units booked like a lodging of its own. Files are spread from
    ``history_years`` before today over ``years`` years; stay prices cover a year back and two
    ahead whatever the history (what the pages show)."""
    from common.money import percent_of
    from comptes.models import Provider, User
    from comptes.scoping import provider_scope, scopes_disabled
    from comptes.services import provider_complete_setup, provider_create
    from hebergements.models import AgeBracket, Commune
    from hebergements.services import lodging_create
    from reservations.models import Booking, BookingStatus, Client, Payment, Stay, StayOccupant
    from tarifs.models import StayPrice

    with scopes_disabled():
        existing = Provider.objects.filter(number=number).first()
    if existing is not None:
        return existing

    rng = random.Random(seed)
    stamp = timezone.now()
    today = today or timezone.localdate()
    first_day = today - timedelta(days=365 * history_years)
    last_day = first_day + timedelta(days=365 * years)
    prices_from, prices_to = today - timedelta(days=365), today + timedelta(days=730)
    with transaction.atomic(), scopes_disabled():
        owner = User.objects.create_user(email=email, password=BENCH_PASSWORD)
        provider = provider_create(number=number, last_name="Benchmark", email=email, owner=owner)
        provider_complete_setup(provider=provider)
    commune = Commune.objects.filter(insee_code="09122").first()

    with transaction.atomic(), provider_scope(provider):
        # Foreign keys are checked row by row, not all at COMMIT (a queue of a million deferred
        # checks made seeding an office take minutes).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        items = [
            lodging_create(
                provider=provider,
                name=f"Gîte {index + 1:02d}",
                description_fr="Gîte de test.",
                capacity_min=1,
                capacity_max=6,
                commune=commune,
                has_stock=units > 1,
                stock_units=units,
            )
            for index in range(lodgings)
        ]
        adult = AgeBracket.objects.order_by("position").first()

        # Stay prices by COPY (hundreds of thousands of rows for an office): ~10× bulk_create's speed.
        copy_rows(
            StayPrice,
            [
                "provider_id",
                "lodging_id",
                "arrival",
                "nights",
                "mode",
                "initial_price",
                "discount",
                "sale_price",
                "created_at",
                "updated_at",
            ],
            (
                (
                    provider.pk,
                    lodging.pk,
                    prices_from + timedelta(days=offset),
                    nights,
                    "lodging",
                    nightly * nights,
                    Decimal("0.00"),
                    nightly * nights,
                    stamp,
                    stamp,
                )
                for lodging, nightly in ((item, Decimal(rng.choice((45, 50, 60, 75, 90)))) for item in items)
                for offset in range((prices_to - prices_from).days)
                for nights in (1, 2, 7)
            ),
        )

        clients = Client.objects.bulk_create(
            [
                Client(
                    provider=provider,
                    last_name=f"Client{index:04d}",
                    first_name=rng.choice(("Marie", "Paul", "Anne", "Luc")),
                    postcode="09000",
                    city="Foix",
                    phone1="0561000000",
                    email=f"client{index}@example.com",
                )
                for index in range(files)
            ],
            batch_size=2000,
        )

        plan = []  # (lodging, arrival, departure)
        per_unit = files // (len(items) * units)
        for lodging in items:
            for _unit in range(units):  # each unit is booked like a lodging of its own
                cursor = first_day
                for _slot in range(per_unit):
                    cursor += timedelta(days=rng.randint(0, 4))
                    nights = rng.randint(2, 7)
                    if cursor + timedelta(days=nights) > last_day:
                        break
                    plan.append((lodging, cursor, cursor + timedelta(days=nights)))
                    cursor += timedelta(days=nights)
        while len(plan) < files:  # top up on the last unit's free tail, one night each
            lodging, _arrival, departure = plan[-1]
            plan.append((lodging, departure, departure + timedelta(days=1)))

        bookings, stays, payments = [], [], []
        now = timezone.now()
        for number, ((lodging, arrival, departure), client) in enumerate(
            zip(plan, clients, strict=False), start=1
        ):
            price = Decimal(45 * (departure - arrival).days)
            roll = rng.random()
            status = (
                BookingStatus.CANCELLED
                if roll < 0.05
                else BookingStatus.PAID
                if arrival < today or roll < 0.35
                else BookingStatus.CONFIRMED
                if roll < 0.7
                else BookingStatus.OPTION
            )
            deposit = percent_of(price, Decimal(25))
            paid = {BookingStatus.PAID: price, BookingStatus.CONFIRMED: deposit}.get(status, Decimal("0.00"))
            bookings.append(
                Booking(
                    provider=provider,
                    number=number,
                    client=client,
                    status=status,
                    total_amount=Decimal("0.00") if status == BookingStatus.CANCELLED else price,
                    deposit_amount=Decimal("0.00") if status == BookingStatus.CANCELLED else deposit,
                    paid_amount=paid,
                    deposit_due_date=arrival - timedelta(days=30),
                    balance_due_date=arrival,
                    first_arrival=arrival,
                    last_departure=departure,
                    # booked 1 to 120 days before arrival (never in the future)
                    created_at=min(
                        now - timedelta(hours=1),
                        now + timedelta(days=(arrival - today).days - rng.randint(1, 120)),
                    ),
                )
            )
            stays.append(
                Stay(
                    provider=provider,
                    lodging=lodging,
                    kind=Stay.Kind.BOOKING,
                    arrival=arrival,
                    departure=departure,
                    active=status != BookingStatus.CANCELLED,
                    exclusive=units == 1,
                    lodging_price=price,
                )
            )
            if paid:
                payments.append((len(bookings) - 1, paid))
        Booking.objects.bulk_create(bookings, batch_size=2000)
        for booking, stay in zip(bookings, stays, strict=True):
            stay.booking = booking
        Stay.objects.bulk_create(stays, batch_size=2000)
        StayOccupant.objects.bulk_create(
            [StayOccupant(provider=provider, stay=stay, age_bracket=adult, count=2) for stay in stays],
            batch_size=2000,
        )
        Payment.objects.bulk_create(
            [
                Payment(provider=provider, booking=bookings[index], date=today, mode="cheque", amount=amount)
                for index, amount in payments
            ],
            batch_size=2000,
        )
        provider.booking_counter = len(bookings)
        provider.save(update_fields=["booking_counter"])
    return provider
