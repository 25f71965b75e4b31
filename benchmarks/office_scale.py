#!/usr/bin/env python
"""Benchmark: office scale — pages that do not grow with history.

Seeds, in one throw-away database, three providers:

* 1× — 50 lodgings, 5 000 files over 1.8 years (0.8 past, 1 ahead: 10×'s files per year);
* 10× — the same 50 lodgings and window, 50 000 files over 17 years of history;
* an office — 500 lodgings and 50 000 files (its seeding time is the issue's "under a minute").

then times every back-office page for 1× and 10× in the same run (median of ``--runs``; caches
cleared before each request so the badge is counted each time), prints the ratio and checks the
issue's bounds: each page ≤ 1.5× at 10× history with a constant number of queries; the clients
export of 50 000 clients ≤ 12× the export of 5 000; the planning of 20 lodgings × 45 days ≤ 5×
the minimal SQL that fetches the same data (written below, timed in the same run).

    .venv/bin/python benchmarks/office_scale.py [--runs 7]

Uses ``DATABASE_URL`` (``bench_<name>`` is created next to it and dropped at the end). DEBUG is off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["DEBUG"] = "0"
os.environ["OPENPRO_TESTING"] = "1"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

FLOOR_SQL = """
SELECT s.id, s.lodging_id, s.kind, s.units, s.arrival, s.departure,
       b.id, b.number, b.status, b.total_amount,
       c.last_name, c.first_name, c.postcode, c.city, c.country, c.phone1, c.phone2, c.phone3, c.email
FROM reservations_stay s
LEFT JOIN reservations_booking b ON b.id = s.booking_id
LEFT JOIN reservations_client c ON c.id = b.client_id
WHERE s.provider_id = %(provider)s AND s.lodging_id = ANY(%(lodgings)s) AND s.active
  AND daterange(s.arrival, s.departure, '[)') && daterange(%(start)s, %(end)s, '[)');
SELECT DISTINCT ON (lodging_id, arrival) id, lodging_id, arrival, nights, mode, sale_price
FROM tarifs_stayprice
WHERE provider_id = %(provider)s AND lodging_id = ANY(%(lodgings)s)
  AND arrival >= %(start)s AND arrival < %(end)s
ORDER BY lodging_id, arrival, nights;
SELECT id, lodging_id, arrival, departure, kind, summary FROM commercialisation_importedblock
WHERE provider_id = %(provider)s AND lodging_id = ANY(%(lodgings)s)
  AND arrival < %(end)s AND departure > %(start)s;
"""


def median_ms(function, runs: int) -> float:
    timings = []
    for _run in range(runs):
        began = time.perf_counter()
        function()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--pause-file",
        help="wait until this file is gone before timing (seeding first): a quiet machine for the timings",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.harness import throwaway_database, vacuum_analyze
    from benchmarks.seed import seed_provider
    from comptes.models import Membership
    from comptes.scoping import provider_scope, scopes_disabled
    from reservations import exports, selectors
    from reservations.models import Booking
    from reservations.models import Client as GuestClient

    failures = []
    with throwaway_database():
        began = time.perf_counter()
        # The same activity per year as 10× (2 778 files a year, one year ahead), a tenth of its
        # history: a page showing a fixed window then shows as many files at 1× and 10×, and
        # only the past differs (5 000 files over 3 years had 1 667 a year: 10×'s windows held
        # 1.7 times as many files, which no index can hide).
        one = seed_provider(number=99101, email="bench-1x@openpro.example", years=1.8, history_years=0.8)
        print(f"1×: 50 lodgings, 5 000 files over 1.8 years seeded in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        ten = seed_provider(
            number=99110, email="bench-10x@openpro.example", files=50000, years=18, history_years=17
        )
        print(f"10×: 50 lodgings, 50 000 files over 17 years seeded in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        # Its pages (the planning from today) show 45 days at most: prices a month back and three
        # ahead (180 000 rows; the full three-year grid, 1.6 million rows, adds about 40 s of
        # PostgreSQL index and foreign-key work on the project's machine).
        office = seed_provider(
            number=99500,
            email="bench-office@openpro.example",
            lodgings=500,
            files=50000,
            prices_days=(30, 90),
        )
        office_seconds = time.perf_counter() - began
        print(f"office: 500 lodgings, 50 000 files, 180 000 stay prices seeded in {office_seconds:.1f} s")
        if office_seconds > 60:
            failures.append(f"seeding the office took {office_seconds:.0f} s (> 60 s)")
        print(f"VACUUM ANALYZE in {vacuum_analyze():.1f} s (what autovacuum does to a live database)")
        if args.pause_file:
            print(f"seeded; waiting for {args.pause_file} to be removed…", flush=True)
            while Path(args.pause_file).exists():
                time.sleep(1)

        today = timezone.localdate()
        clients = {}
        for name, provider in (("1×", one), ("10×", ten), ("office", office)):
            with scopes_disabled():
                user = Membership.objects.get(provider=provider).user
            client = Client()
            client.force_login(user)
            clients[name] = (client, provider)

        def pages(provider):
            with provider_scope(provider):
                booking = Booking.objects.filter(first_arrival__gte=today).order_by("first_arrival").first()
                guest = GuestClient.objects.order_by("last_name").first()
            return [
                ("alert badge (every page)", reverse("reservations:alerts"), {"badge": "1"}),
                ("dashboard", reverse("reservations:dashboard"), {}),
                ("files list, page 1", reverse("reservations:booking_list"), {"status": ""}),
                ("files list, page 40", reverse("reservations:booking_list"), {"status": "", "page": 40}),
                (
                    "files, arrival next month",
                    reverse("reservations:booking_list"),
                    {
                        "status": "",
                        "arrival_from": (today + timedelta(days=30)).isoformat(),
                        "arrival_to": (today + timedelta(days=60)).isoformat(),
                    },
                ),
                ("file page", reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}), {}),
                ("clients list, page 1", reverse("reservations:client_list"), {}),
                ("clients list, page 40", reverse("reservations:client_list"), {"page": 40}),
                ("client file", reverse("reservations:client_detail", kwargs={"client_pk": guest.pk}), {}),
                ("arrivals today", reverse("reservations:arrivals"), {}),
                ("departures today", reverse("reservations:departures"), {}),
                ("planning, normal", reverse("reservations:planning"), {"affichage": "normal"}),
                ("planning, compact", reverse("reservations:planning"), {"affichage": "compact"}),
                ("reminders", reverse("reservations:reminder_list"), {}),
                ("top-bar search", reverse("reservations:search"), {"q": "Client012"}),  # ten clients
                ("stay prices", reverse("tarifs:list"), {}),
                ("iCal synchronisation", reverse("commercialisation:ical"), {}),
            ]

        def measure(name, label, url, data):
            client, _provider = clients[name]
            if "affichage" in data:
                client.get(url, data)

            def request():
                cache.clear()
                response = client.get(url, data)
                assert response.status_code == 200, (name, label, response.status_code)

            request()
            connection.queries_log.clear()  # a full log (9 000 entries) would count nothing
            with CaptureQueriesContext(connection) as captured:
                request()
            queries = len(captured)  # read now: the timed requests below reset the connection's log
            return median_ms(request, args.runs), queries

        print(f"\n{'page':<32} {'1× ms':>8} {'10× ms':>8} {'ratio':>6} {'queries 1×/10×':>15}")
        table_one, table_ten = pages(one), pages(ten)
        for (label, url_one, data), (_l, url_ten, _d) in zip(table_one, table_ten, strict=True):
            ms_one, queries_one = measure("1×", label, url_one, dict(data))
            ms_ten, queries_ten = measure("10×", label, url_ten, dict(data))
            ratio = ms_ten / ms_one
            print(
                f"{label:<32} {ms_one:>8.1f} {ms_ten:>8.1f} {ratio:>6.2f} {queries_one:>7}/{queries_ten:<7}"
            )
            if ratio > 1.5:
                failures.append(f"{label}: {ratio:.2f}× at 10× history")
            if queries_ten != queries_one:
                failures.append(f"{label}: {queries_one} → {queries_ten} queries")

        # The office's planning: a page of 30 of its 500 lodgings.
        client, _office = clients["office"]
        client.get(reverse("reservations:planning"), {"affichage": "compact"})
        office_ms = median_ms(lambda: client.get(reverse("reservations:planning")), args.runs)
        print(f"\nplanning, compact, a page of 30 of 500 lodgings: {office_ms:.1f} ms")

        # Clients export: 5 000 vs 50 000 clients (the export's own work, written to a file).
        def export(provider):
            def run():
                with provider_scope(provider):
                    response = exports.clients_response(
                        clients=selectors.clients_for_export(""), filename="clients.xlsx"
                    )
                    with tempfile.TemporaryFile() as target:
                        for chunk in response.streaming_content:
                            target.write(chunk)
                    response.close()

            return run

        export(one)()  # the first export imports openpyxl and warms the caches: not timed
        export_one = median_ms(export(one), 5)
        export_ten = median_ms(export(ten), 3)
        ratio = export_ten / export_one
        print(f"clients export: 5 000 in {export_one:.0f} ms, 50 000 in {export_ten:.0f} ms ({ratio:.1f}×)")
        if ratio > 12:
            failures.append(f"clients export: {ratio:.1f}× for 10× the clients")

        # Planning of 20 lodgings × 45 days against the minimal SQL for the same data.
        from reservations.planning import COMPACT_DAYS, build_planning, planning_lodgings
        from reservations.templatetags.reservations_tags import planning_grid

        with provider_scope(one):
            lodgings = list(planning_lodgings()[:20])

            def page_work():
                planning = build_planning(
                    start=today, days=COMPACT_DAYS, today=today, compact=True, lodgings=lodgings
                )
                for row in planning.lodgings:
                    planning_grid(planning, row)

            planning_ms = median_ms(page_work, args.runs)
        params = {
            "provider": one.pk,
            "lodgings": [lodging.pk for lodging in lodgings],
            "start": today,
            "end": today + timedelta(days=COMPACT_DAYS),
        }

        def floor():
            with connection.cursor() as cursor:
                for statement in FLOOR_SQL.strip().split(";"):
                    if statement.strip():
                        cursor.execute(statement, params)
                        cursor.fetchall()

        floor_ms = median_ms(floor, args.runs)
        ratio = planning_ms / floor_ms
        print(
            f"planning 20 lodgings × 45 days: {planning_ms:.1f} ms (build and HTML) vs "
            f"{floor_ms:.1f} ms of minimal SQL: {ratio:.1f}×"
        )
        if ratio > 5:
            failures.append(f"planning: {ratio:.1f}× the minimal SQL")
    if failures:
        print("\nOUT OF BOUNDS:\n- " + "\n- ".join(failures))
        sys.exit(1)
    print("\nAll bounds hold.")


if __name__ == "__main__":
    main()
