"""Benchmark: "Créer des tarifs" for a full year of 1- to 14-night stays of one lodging.

    .venv/bin/python benchmarks/tarifs_generate.py [--repeat N]

Uses the database of ``DATABASE_URL`` (migrated: ``make migrate``); everything it creates is
rolled back. Prints the number of rows, the number of SQL statements and the times of the preview
(plan only), the first write (all new rows) and a second write (every row replaced).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from comptes.scoping import provider_scope, scopes_disabled  # noqa: E402
from comptes.services import provider_create  # noqa: E402
from hebergements.models import AgeBracket, Commune  # noqa: E402
from hebergements.services import lodging_create  # noqa: E402
from tarifs.models import StayPrice  # noqa: E402
from tarifs.services import stay_prices_generate  # noqa: E402

YEAR = [(date(2026, 1, 1), date(2026, 12, 31))]
NIGHTS = range(1, 15)


class Rollback(Exception):
    pass


def timed(function):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries.captured_queries)


def run_once(number: int, *, per_person: bool) -> dict:
    figures: dict = {}
    try:
        with transaction.atomic():
            with scopes_disabled():
                provider = provider_create(number=number, last_name="Benchmark", email="bench@example.com")
            with provider_scope(provider):
                lodging = lodging_create(
                    provider=provider,
                    name="Petit coin de paradis",
                    description_fr="Benchmark",
                    commune=Commune.objects.first(),
                )
                pricing = (
                    {"bracket_prices": {b: Decimal("30") for b in AgeBracket.objects.all()}}
                    if per_person
                    else {"initial_price": Decimal("60.00")}
                )

                def generate(commit: bool):
                    return stay_prices_generate(
                        provider=provider,
                        lodging=lodging,
                        periods=YEAR,
                        nights=NIGHTS,
                        weekdays=range(7),
                        commit=commit,
                        **pricing,
                    )

                plan, figures["preview"], figures["preview_queries"] = timed(lambda: generate(False))
                _, figures["first_write"], figures["write_queries"] = timed(lambda: generate(True))
                figures["rows"] = StayPrice.objects.filter(lodging=lodging).count()
                assert figures["rows"] == plan.count
                replaced, figures["replace_write"], _ = timed(lambda: generate(True))
                assert replaced.replaced == plan.count
            raise Rollback
    except Rollback:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for per_person in (False, True):
        runs = [run_once(990_000 + i, per_person=per_person) for i in range(args.repeat)]
        label = "per occupant (3 age brackets)" if per_person else "whole lodging"
        print(f"Créer des tarifs — 1 year × 1–14 nights, {label}: {runs[0]['rows']} stay prices")
        print(
            f"  SQL statements: preview {runs[0]['preview_queries']}, "
            f"write {runs[0]['write_queries']} (whatever the number of rows)"
        )
        for key, name in (
            ("preview", "preview"),
            ("first_write", "write (new)"),
            ("replace_write", "write (replace)"),
        ):
            values = [run[key] * 1000 for run in runs]
            print(f"  {name:16s} median {statistics.median(values):7.1f} ms   min {min(values):7.1f} ms")


if __name__ == "__main__":
    main()
