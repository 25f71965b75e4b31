#!/usr/bin/env python
"""Benchmark: the planning and the booking-file pages on a big account, timed in-process.

Seeds a provider with 50 lodgings, 5 000 booking files and 3 years of stay prices
(``benchmarks/seed.py``) in a throw-away database, then requests the pages with Django's test
client and prints, for each page, the median and worst server time and the number of SQL queries.
A second provider has 50 lodgings with stock of 3 units each (5 000 files, stacked on the units):
its planning is timed the same way.

    .venv/bin/python benchmarks/planning.py            # seed, time, drop the database
    .venv/bin/python benchmarks/planning.py --keep     # keep the seeded database for the next run
    .venv/bin/python benchmarks/planning.py --runs 20

Uses ``DATABASE_URL`` (the database ``bench_<name>`` is created next to it). DEBUG is off, as in
production.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
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
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.seed import seeded_database
    from comptes.models import Membership
    from comptes.scoping import provider_scope, scopes_disabled
    from reservations.models import Booking, Stay
    from tarifs.models import StayPrice

    database = settings.DATABASES["default"]
    cleanup = ExitStack()
    provider, seeded_in = cleanup.enter_context(seeded_database(keep=args.keep))
    try:
        with provider_scope(provider):
            counts = {
                "lodgings": provider.lodgings.count(),
                "files": Booking.objects.count(),
                "stays": Stay.objects.count(),
                "stay prices": StayPrice.objects.count(),
            }
        print(
            f"Database {database['TEST']['NAME']} ready in {seeded_in:.1f} s: "
            + ", ".join(f"{value} {name}" for name, value in counts.items())
        )

        with scopes_disabled():
            owner = Membership.objects.get(provider=provider).user
        client = Client()
        client.force_login(owner)
        today = timezone.localdate()
        with provider_scope(provider):
            busy = Stay.objects.filter(arrival__gte=today, active=True).order_by("arrival").first()
            booking = busy.booking
            lodging = busy.lodging
        free_arrival = today + timedelta(days=500)

        pages = [
            (
                "planning, normal (50 lodgings × 21 days)",
                "get",
                reverse("reservations:planning"),
                {"affichage": "normal"},
            ),
            (
                "planning, compact (50 lodgings × 45 days)",
                "get",
                reverse("reservations:planning"),
                {"affichage": "compact"},
            ),
            (
                "planning, compact, htmx month change",
                "get",
                reverse("reservations:planning"),
                {"debut": (today + timedelta(days=31)).isoformat(), "_htmx": True},
            ),
            (
                "booking file page",
                "get",
                reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}),
                {},
            ),
            (
                "create a file, step 1 → 2 (price engine)",
                "post",
                reverse("reservations:booking_create"),
                {
                    "step": "1",
                    "lodging": lodging.pk,
                    "arrival": free_arrival.isoformat(),
                    "departure": (free_arrival + timedelta(days=7)).isoformat(),
                },
            ),
            (
                "client search (5 000 clients)",
                "get",
                reverse("reservations:client_options"),
                {"q": "client12"},
            ),
        ]
        time_pages(client, pages, args.runs)

        from benchmarks.seed import seed_provider

        began = time.perf_counter()
        stock = seed_provider(units=3, number=99003, email="bench-stock@openpro.example")
        print(
            f"\nLodgings with stock (50 × 3 units, 5 000 files) seeded in {time.perf_counter() - began:.1f} s"
        )
        with scopes_disabled():
            client.force_login(Membership.objects.get(provider=stock).user)
        time_pages(
            client,
            [
                (
                    "planning, normal (50 lodgings × 3 units × 21 days)",
                    "get",
                    reverse("reservations:planning"),
                    {"affichage": "normal"},
                ),
                (
                    "planning, compact (50 × 3 units × 45 days)",
                    "get",
                    reverse("reservations:planning"),
                    {"affichage": "compact"},
                ),
            ],
            args.runs,
        )
    finally:
        cleanup.close()


def time_pages(client, pages, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"\n{'page':<52} {'median':>9} {'worst':>9} {'queries':>8} {'KB':>6} {'gzip KB':>8}")
    for label, method, url, data in pages:
        data = dict(data)
        headers = {}
        if data.pop("_htmx", False):
            headers = {"HX-Request": "true", "HX-Target": "planning-body"}
        if "compact" in label:
            client.get(url, {"affichage": "compact"})
        elif "normal" in label:
            client.get(url, {"affichage": "normal"})
        timings, queries, size = [], 0, 0
        for _run in range(runs):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = getattr(client, method)(url, data, headers=headers)
                timings.append(time.perf_counter() - began)
            assert response.status_code == 200, (label, response.status_code)
            queries, size = len(captured), len(response.content)
        gzipped = len(
            getattr(client, method)(url, data, headers={**headers, "accept-encoding": "gzip"}).content
        )
        print(
            f"{label:<52} {statistics.median(timings) * 1000:>7.1f}ms {max(timings) * 1000:>7.1f}ms"
            f" {queries:>8} {size / 1024:>6.0f} {gzipped / 1024:>8.0f}"
        )


if __name__ == "__main__":
    main()
