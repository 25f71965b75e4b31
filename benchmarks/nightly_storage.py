#!/usr/bin/env python
"""Benchmark: the storage of prices by the night — rows and table + index size for one lodging and
one year.

Prices by the night are stored rows (one ``StayPrice`` per arrival day and length, like every other
price), so the search, the planning and the engine read them unchanged. Their bound per lodging and
year is 365 arrival days × (max − min + 1) lengths. This script measures, in a throw-away database:

* the issue's rule over a whole year: 90 € / night, 2 to 30 nights, every arrival day, −10 % from 7
  nights — one "Créer des tarifs" entry (preview and write timed, rows counted, sizes measured);
* the ceiling of one lodging and year: every arrival day × every length 1 … ``MAX_STAY_NIGHTS``
  (written by SQL, as no single entry may write more than ``MAX_GENERATED_STAYS`` rows).

    .venv/bin/python benchmarks/nightly_storage.py [--keep]

Uses ``DATABASE_URL`` (the database ``bench_<name>`` is created next to it and dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

YEAR = (date(2031, 1, 1), date(2031, 12, 31))


def sizes() -> dict[str, int]:
    """Bytes of the stay price table: heap, indexes, total (with TOAST and the free space map)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('tarifs_stayprice'), pg_indexes_size('tarifs_stayprice'), "
            "pg_total_relation_size('tarifs_stayprice')"
        )
        heap, indexes, total = cursor.fetchone()
    return {"heap": heap, "indexes": indexes, "total": total}


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in before}


def mb(value: int) -> str:
    return f"{value / 1024 / 1024:.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from benchmarks.harness import throwaway_database
    from comptes.scoping import provider_scope, scopes_disabled
    from comptes.services import provider_create
    from hebergements.models import Commune
    from hebergements.services import lodging_create
    from tarifs.models import MAX_STAY_NIGHTS, StayPrice
    from tarifs.services import MAX_GENERATED_STAYS, NightlyRule, stay_prices_generate

    with throwaway_database(keep=args.keep):
        with scopes_disabled():
            provider = provider_create(number=990_500, last_name="Benchmark", email="nightly@example.com")
        with provider_scope(provider):
            commune = Commune.objects.first()
            rule_lodging, ceiling_lodging = (
                lodging_create(provider=provider, name=name, description_fr="Benchmark", commune=commune)
                for name in ("Gîte à la nuitée", "Gîte au plafond")
            )
            rule = NightlyRule(
                nightly_price=Decimal("90"), min_nights=2, max_nights=30, weekly_percent=Decimal("10")
            )

            def generate(commit: bool):
                return stay_prices_generate(
                    provider=provider,
                    lodging=rule_lodging,
                    periods=[YEAR],
                    weekdays=range(7),
                    nightly=rule,
                    commit=commit,
                )

            began = time.perf_counter()
            plan = generate(False)
            preview = time.perf_counter() - began
            before = sizes()
            began = time.perf_counter()
            generate(True)
            write = time.perf_counter() - began
            rule_size = delta(before, sizes())
            rule_rows = StayPrice.objects.filter(lodging=rule_lodging).count()
            assert rule_rows == plan.count <= MAX_GENERATED_STAYS

            began = time.perf_counter()
            generate(True)  # every row replaced: the upsert's dead tuples until autovacuum
            replace = time.perf_counter() - began

            before = sizes()
            stamp = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO tarifs_stayprice (provider_id, lodging_id, arrival, nights, mode,
                        initial_price, discount, sale_price, created_at, updated_at)
                    SELECT %(provider)s, %(lodging)s, d::date, n, 'lodging', 90 * n, 0, 90 * n,
                        %(stamp)s, %(stamp)s
                    FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
                    CROSS JOIN generate_series(1, %(max)s) AS n
                    """,
                    {
                        "provider": provider.pk,
                        "lodging": ceiling_lodging.pk,
                        "start": YEAR[0],
                        "end": YEAR[0] + timedelta(days=364),
                        "max": MAX_STAY_NIGHTS,
                        "stamp": stamp,
                    },
                )
            ceiling_size = delta(before, sizes())
            ceiling_rows = StayPrice.objects.filter(lodging=ceiling_lodging).count()

    print("Prices by the night: one lodging, one year (2031)")
    print(
        f"  rule 90 €/night, 2–30 nights, every day, −10 % from 7 nights: {rule_rows} rows "
        f"(bound 365 × 29 = {365 * 29}); preview {preview * 1000:.0f} ms, write {write * 1000:.0f} ms, "
        f"replace {replace * 1000:.0f} ms"
    )
    print(
        f"    heap {mb(rule_size['heap'])} + indexes {mb(rule_size['indexes'])} = total "
        f"{mb(rule_size['total'])} ({rule_size['total'] / rule_rows:.0f} bytes a row)"
    )
    print(f"  ceiling 365 arrival days × 1–{MAX_STAY_NIGHTS} nights: {ceiling_rows} rows")
    print(
        f"    heap {mb(ceiling_size['heap'])} + indexes {mb(ceiling_size['indexes'])} = total "
        f"{mb(ceiling_size['total'])} ({ceiling_size['total'] / ceiling_rows:.0f} bytes a row)"
    )


if __name__ == "__main__":
    main()
