#!/usr/bin/env python
"""Benchmark: the Excel export of the files list ("Exporter en fichier Excel") on 5 000 files, and
the pages of this issue (files list, top-bar search, arrivals, dashboard, client file) on that account.

Seeds the benchmark provider of ``benchmarks/seed.py`` (50 lodgings, 5 000 files with stays,
occupants and payments) in a throw-away database, then

* exports every file through the real view (Django's test client, the streamed answer read to the
  end) and prints the time, the size of the .xlsx, the number of SQL queries and the peak of Python
  memory allocated during the export (``tracemalloc``), for about 1 000 files and for 5 000 — the
  peak must not grow with the number of files (rows are read in chunks and written by openpyxl's
  write-only workbook);
* times each page (median and worst of ``--runs``) with its number of queries.

    .venv/bin/python benchmarks/dossiers_export.py            # seed, measure, drop the database
    .venv/bin/python benchmarks/dossiers_export.py --keep     # keep the seeded database
    .venv/bin/python benchmarks/dossiers_export.py --runs 20

Uses ``DATABASE_URL`` (the database ``bench_<name>`` is created next to it). DEBUG is off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["DEBUG"] = "0"
os.environ["OPENPRO_TESTING"] = "1"  # development secret key, plain static storage
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="requests per page (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database for the next run")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.seed import seeded_database
    from comptes.models import Membership
    from comptes.scoping import provider_scope, scopes_disabled
    from reservations.models import Booking, Stay

    database = settings.DATABASES["default"]
    cleanup = ExitStack()
    provider, seeded_in = cleanup.enter_context(seeded_database(keep=args.keep))
    print(f"Database {database['TEST']['NAME']} ready in {seeded_in:.1f} s")
    try:
        with scopes_disabled():
            owner = Membership.objects.get(provider=provider).user
        client = Client()
        client.force_login(owner)
        with provider_scope(provider):
            total = Booking.objects.count()
            arrivals = sorted(Stay.objects.filter(kind="booking").values_list("arrival", flat=True))
            fifth = arrivals[len(arrivals) // 5]
            busy_day = max(set(arrivals), key=arrivals.count)
            regular = Booking.objects.order_by("number").first().client_id

        export = reverse("reservations:booking_export")
        print(f"\nExport of the files list ({total} files on the account)")
        print(f"{'files':>7} {'time':>9} {'xlsx KB':>8} {'queries':>8} {'peak MB':>8}")
        for label, params in (
            (f"~{total // 5}", {"status": "", "arrival_to": fifth.isoformat()}),
            (str(total), {"status": ""}),
        ):
            client.get(export, params).getvalue()  # warm-up (content types, templates)
            tracemalloc.start()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(export, params)
                content = response.getvalue()
                elapsed = time.perf_counter() - began
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert response.status_code == 200, response.status_code
            print(
                f"{label:>7} {elapsed:>8.2f}s {len(content) / 1024:>8.0f} {len(captured):>8}"
                f" {peak / 1024 / 1024:>8.1f}"
            )
        # Time without tracemalloc (it slows Python down).
        timings = []
        for _run in range(3):
            began = time.perf_counter()
            client.get(export, {"status": ""}).getvalue()
            timings.append(time.perf_counter() - began)
        print(f"{total} files without tracemalloc: median {statistics.median(timings):.2f}s")

        pages = [
            ("files list (default search)", reverse("reservations:booking_list"), {}),
            ("files list, client 'client12'", reverse("reservations:booking_list"), {"client": "client12"}),
            ("files list, page 50", reverse("reservations:booking_list"), {"status": "", "page": "50"}),
            ("top-bar search 'Marie' (many)", reverse("reservations:search"), {"q": "Marie"}),
            ("arrivals of the busiest day", reverse("reservations:arrivals"), {"jour": busy_day.isoformat()}),
            ("dashboard", reverse("reservations:dashboard"), {}),
            (
                "dashboard, 36 months, lines",
                reverse("reservations:dashboard"),
                {"options": "1", "debut": "2024-01", "fin": "2026-12", "graphique": "line", "comparer": "on"},
            ),
            ("client file (5 000 clients)", reverse("reservations:client_list"), {}),
            ("client card", reverse("reservations:client_detail", kwargs={"client_pk": regular}), {}),
        ]
        print(f"\n{'page':<36} {'median':>9} {'worst':>9} {'queries':>8}")
        for label, url, params in pages:
            timings, queries = [], 0
            for _run in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url, params)
                    timings.append(time.perf_counter() - began)
                assert response.status_code == 200, (label, response.status_code)
                queries = len(captured)
            print(
                f"{label:<36} {statistics.median(timings) * 1000:>7.1f}ms {max(timings) * 1000:>7.1f}ms"
                f" {queries:>8}"
            )
    finally:
        cleanup.close()


if __name__ == "__main__":
    main()
