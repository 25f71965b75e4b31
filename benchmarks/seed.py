"""Seed one big provider for the benchmarks: 50 lodgings, 5 000 booking files, 3 years of prices.

Lodgings go through the service (references, numbering), committed first; everything else is
written with PostgreSQL's COPY in foreign-key order (the services, or ``bulk_create``, would take
minutes for 50 000 files); amounts and statuses follow the rules of
``reservations.services.booking_refresh``. Used by
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


def reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys taken from ``model``'s sequence at once (rows then go in by COPY)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        if count > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return list(range(first, first + count))


def copy_objects(model, rows: list[dict], *, stamp) -> int:
    """COPY ``rows`` (dicts by column attname) into ``model``'s table; every other column gets the
    field's default (``stamp`` for creation / update times, "" for blank text, NULL if nullable)."""
    from django.db import connection

    if not rows:
        return 0
    given = list(rows[0])
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        if field.has_default():
            value = field.get_default()
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = stamp
        elif field.null:
            value = None
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField"):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value")
        defaults[field.column] = field.get_db_prep_save(value, connection)
    columns = [model._meta.get_field(name).column if name != "id" else "id" for name in given]
    constants = tuple(defaults.values())
    return copy_rows(
        model, columns + list(defaults), (tuple(row[name] for name in given) + constants for row in rows)
    )


def seed_provider(
    *,
    lodgings: int = 50,
    files: int = 5000,
    years: float = 3,
    history_years: float = 1,
    today: date | None = None,
    seed: int = 2024,
    units: int = 1,
    number: int = BENCH_PROVIDER_NUMBER,
    email: str = BENCH_EMAIL,
    prices_days: tuple[int, int] = (365, 730),
    lengths: tuple[int, ...] = (1, 2, 7),
    weekly_percent: int = 0,
) -> object:
    """Create the benchmark provider (or return it when the database already has it). ``units`` > 1:
    lodgings with stock, each of its units booked like a lodging of its own. Files are spread from
    ``history_years`` before today over ``years`` years; stay prices cover ``prices_days`` (days
    before today, days after: a year back and two ahead by default) whatever the history, for each
    of ``lengths`` nights from every day (1, 2 and 7 by default; prices by the night: e.g. 2 … 30,
    with ``weekly_percent`` off from 7 nights as ``tarifs.services.nightly_amounts`` computes it)."""
    from common.money import percent_of
    from comptes.models import Provider, User
    from comptes.scoping import provider_scope, scopes_disabled
    from comptes.services import provider_complete_setup, provider_create
    from hebergements.models import AgeBracket, Commune
    from hebergements.services import lodging_create
    from reservations.models import Booking, BookingStatus, Client, Payment, Stay, StayOccupant

    with scopes_disabled():
        existing = Provider.objects.filter(number=number).first()
    if existing is not None:
        return existing

    rng = random.Random(seed)
    stamp = timezone.now()
    today = today or timezone.localdate()
    first_day = today - timedelta(days=365 * history_years)
    last_day = first_day + timedelta(days=365 * years)
    prices_from, prices_to = today - timedelta(days=prices_days[0]), today + timedelta(days=prices_days[1])
    with transaction.atomic(), scopes_disabled():
        owner = User.objects.create_user(email=email, password=BENCH_PASSWORD)
        provider = provider_create(number=number, last_name="Benchmark", email=email, owner=owner)
        provider_complete_setup(provider=provider)
    commune = Commune.objects.filter(insee_code="09122").first()

    # Lodgings through the service (references, numbering), committed before the bulk rows: a
    # foreign-key check on a row written by a savepoint of the same transaction (each service call
    # is one) is far slower than on a committed row, and 50 000 files make millions of them.
    with transaction.atomic(), provider_scope(provider):
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

    with transaction.atomic(), provider_scope(provider):
        # Foreign keys are checked at the end of each statement, not all at COMMIT (a queue of a
        # million deferred checks made seeding an office take minutes).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        adult = AgeBracket.objects.order_by("position").first()

        # Stay prices (1.6 million rows for an office) generated by PostgreSQL itself: one statement,
        # no row built in Python.
        nightly = [Decimal(rng.choice((45, 50, 60, 75, 90))) for _item in items]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO tarifs_stayprice (provider_id, lodging_id, arrival, nights, mode,
                    initial_price, discount, sale_price, created_at, updated_at)
                SELECT %(provider)s, l.id, d::date, n, 'lodging', l.nightly * n, off.amount,
                    l.nightly * n - off.amount, %(stamp)s, %(stamp)s
                FROM unnest(%(ids)s::bigint[], %(nightly)s::numeric[]) AS l(id, nightly)
                CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
                CROSS JOIN unnest(%(lengths)s::integer[]) AS n
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN n >= 7 THEN round(l.nightly * n * %(weekly)s / 100, 2) ELSE 0 END
                ) AS off(amount)
                ORDER BY l.id, d, n
                """,
                {
                    "provider": provider.pk,
                    "ids": [item.pk for item in items],
                    "nightly": nightly,
                    "start": prices_from,
                    "end": prices_to,
                    "stamp": stamp,
                    "lengths": list(lengths),
                    "weekly": weekly_percent,
                },
            )

        client_ids = reserve_ids(Client, files)
        copy_objects(
            Client,
            [
                {
                    "id": pk,
                    "provider_id": provider.pk,
                    "last_name": f"Client{index:04d}",
                    "first_name": rng.choice(("Marie", "Paul", "Anne", "Luc")),
                    "postcode": "09000",
                    "city": "Foix",
                    "phone1": "0561000000",
                    "email": f"client{index}@example.com",
                }
                for index, pk in enumerate(client_ids)
            ],
            stamp=stamp,
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

        plan = plan[:files]
        booking_ids, stay_ids = reserve_ids(Booking, len(plan)), reserve_ids(Stay, len(plan))
        bookings, stays, occupants, payments = [], [], [], []
        now = timezone.now()
        for number, ((lodging, arrival, departure), client_id, booking_id, stay_id) in enumerate(
            zip(plan, client_ids, booking_ids, stay_ids, strict=False), start=1
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
                {
                    "id": booking_id,
                    "provider_id": provider.pk,
                    "number": number,
                    "client_id": client_id,
                    "status": status.value,
                    "total_amount": Decimal("0.00") if status == BookingStatus.CANCELLED else price,
                    "deposit_amount": Decimal("0.00") if status == BookingStatus.CANCELLED else deposit,
                    "paid_amount": paid,
                    "deposit_due_date": arrival - timedelta(days=30),
                    "balance_due_date": arrival,
                    "first_arrival": arrival,
                    "last_departure": departure,
                    # booked 1 to 120 days before arrival (never in the future)
                    "created_at": min(
                        now - timedelta(hours=1),
                        now + timedelta(days=(arrival - today).days - rng.randint(1, 120)),
                    ),
                }
            )
            stays.append(
                {
                    "id": stay_id,
                    "provider_id": provider.pk,
                    "lodging_id": lodging.pk,
                    "kind": Stay.Kind.BOOKING.value,
                    "booking_id": booking_id,
                    "arrival": arrival,
                    "departure": departure,
                    "active": status != BookingStatus.CANCELLED,
                    "exclusive": units == 1,
                    "lodging_price": price,
                }
            )
            occupants.append(
                {"provider_id": provider.pk, "stay_id": stay_id, "age_bracket_id": adult.pk, "count": 2}
            )
            if paid:
                payments.append(
                    {
                        "provider_id": provider.pk,
                        "booking_id": booking_id,
                        "date": today,
                        "mode": "cheque",
                        "amount": paid,
                    }
                )
        # In foreign-key order, each by COPY (the checks run at the end of each statement).
        copy_objects(Booking, bookings, stamp=stamp)
        copy_objects(Stay, stays, stamp=stamp)
        copy_objects(StayOccupant, occupants, stamp=stamp)
        copy_objects(Payment, payments, stamp=stamp)
        provider.booking_counter = len(bookings)
        provider.save(update_fields=["booking_counter"])
    return provider


def main() -> None:
    """``python benchmarks/seed.py``: time the office's seeding (500 lodgings, 50 000 files), with
    the prices its pages show and with the full three-year grid, in a throw-away database."""
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
    os.environ["DEBUG"] = "0"
    os.environ["OPENPRO_TESTING"] = "1"
    import django

    django.setup()
    from benchmarks.harness import throwaway_database

    slow = []
    with throwaway_database():
        for number, label, prices in (
            (99601, "prices 30 days back, 90 ahead", (30, 90)),
            (99602, "3-year prices", (365, 730)),
        ):
            began = time.perf_counter()
            seed_provider(
                number=number,
                email=f"seed-{number}@openpro.example",
                lodgings=500,
                files=50000,
                prices_days=prices,
            )
            seconds = time.perf_counter() - began
            print(f"500 lodgings, 50 000 files, {label}: {seconds:.1f} s")
            if prices == (30, 90) and seconds > 60:
                slow.append(f"{seconds:.0f} s")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if slow:
        print("OUT OF BOUNDS: seeding 500 lodgings and 50 000 files took " + ", ".join(slow) + " (> 60 s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
