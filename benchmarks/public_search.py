#!/usr/bin/env python
"""Benchmark: the guests' marketplace search and lodging page at office scale.

Seeds, in a throw-away database: an office of 10 providers × 100 lodgings (1 000 lodgings), an
office of one provider with 100 lodgings, each lodging with 3 years of stay prices (1, 2 and 7
nights from every day) and booking files; and a provider of 20 lodgings whose back-office planning
is the yardstick. Then times, with Django's test client (DEBUG off):

* the search for a week in August (7 nights from a Saturday, 2 people) on both offices — the
  number of queries must be the same for 100 and 1 000 lodgings, and the 1 000-lodging search
  faster than the planning of 20 lodgings measured in the same run;
* a lodging page with its month calendar, and the calendar of a chosen arrival day (htmx).

The pages are requested in rounds (each page once per round), so that whatever the machine does
meanwhile — the checkpoint that follows the seeding, another process — weighs on all of them.

    .venv/bin/python benchmarks/public_search.py [--runs 10] [--keep] [--nightly]

``--nightly``: the public lodgings are priced by the night instead (every length from 2 to 30
nights from every day, −10 % from 7 nights, a month back and a year ahead: what one "Créer des
tarifs" entry by the night per year writes), to check the search keeps its bound with them.

Uses ``DATABASE_URL`` (the database ``bench_<name>`` is created next to it and dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["DEBUG"] = "0"
os.environ["OPENPRO_TESTING"] = "1"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def timed_together(pages: list[tuple], runs: int) -> list[tuple[str, float, float, int, int]]:
    """Each page of ``pages`` ((label, client, url, params, headers)) requested once per round, for
    ``runs`` rounds after one warm-up round: the pages share whatever the machine does meanwhile (a
    checkpoint after the seeding, another process), so their medians compare. Returns (label, median
    ms, worst ms, queries of one request, status) per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {label: [] for label, *_rest in pages}
    queries: dict[str, int] = {}
    status: dict[str, int] = {}
    for round_ in range(runs + 1):
        for label, client, url, params, headers in pages:
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url, params, **headers)
                elapsed = (time.perf_counter() - began) * 1000
            queries[label] = len(captured)  # read now: the next request resets the query log
            status[label] = response.status_code
            if round_:
                times[label].append(elapsed)
    return [
        (label, statistics.median(times[label]), max(times[label]), queries[label], status[label])
        for label, *_rest in pages
    ]


def first_saturday_of_august(today: date) -> date:
    year = today.year if today < date(today.year, 7, 25) else today.year + 1
    day = date(year, 8, 1)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--nightly", action="store_true", help="lodgings priced by the night (2–30 nights)")
    args = parser.parse_args()
    pricing = (
        {"lengths": tuple(range(2, 31)), "weekly_percent": 10, "prices_days": (30, 365)}
        if args.nightly
        else {}
    )

    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.harness import vacuum_analyze
    from benchmarks.seed import seed_provider, seeded_database
    from comptes.models import Membership, Office, Provider, ProviderSettings
    from comptes.scoping import scopes_disabled
    from hebergements.models import Lodging
    from tarifs.models import StayPrice

    cleanup = ExitStack()
    yardstick, seeded_in = cleanup.enter_context(seeded_database(keep=args.keep))
    try:
        began = time.perf_counter()
        with scopes_disabled():
            small = Office.objects.get_or_create(slug="bench-small", defaults={"name": "Small office"})[0]
            big = Office.objects.get_or_create(slug="bench-big", defaults={"name": "Big office"})[0]
        sellers = []
        for index in range(11):
            provider = seed_provider(
                lodgings=100,
                files=300,
                number=99100 + index,
                email=f"seller{index}@openpro.example",
                **pricing,
            )
            sellers.append((small if index == 0 else big, provider))
        with scopes_disabled():
            for office, provider in sellers:
                Provider.objects.filter(pk=provider.pk).update(
                    office=office, status=Provider.Status.PRODUCTION
                )
            ProviderSettings.objects.filter(provider__in=[p for _o, p in sellers]).update(
                online_booking=True, terms_fr="CGV."
            )
            lodgings = {
                office.slug: Lodging.objects.filter(provider__office=office).count()
                for office in (small, big)
            }
        planning_provider = seed_provider(
            lodgings=20, files=1000, number=99020, email="planning20@openpro.example"
        )
        print(f"VACUUM ANALYZE in {vacuum_analyze():.1f} s (what autovacuum does to a live database)")
        with scopes_disabled():
            stay_prices = StayPrice.objects.count()
        priced = "prices by the night (2–30 nights)" if args.nightly else "3 years of stay prices"
        print(
            f"Seeded in {seeded_in + time.perf_counter() - began:.0f} s: yardstick provider, "
            f"{lodgings['bench-small']} + {lodgings['bench-big']} public lodgings with {priced} "
            f"({stay_prices:,} stay prices in all)"
        )

        today = timezone.localdate()
        arrival = first_saturday_of_august(today)
        guest = Client()
        owner = Client()
        with scopes_disabled():
            owner.force_login(Membership.objects.get(provider=planning_provider).user)
            lodging = Lodging.objects.filter(provider__office=big).order_by("pk").first()
        search = {"arrivee": arrival.isoformat(), "nuits": 7, "personnes": 2}
        page = reverse("public:office_lodging", kwargs={"lang": "fr", "slug": big.slug, "pk": lodging.pk})
        pages = [
            (
                f"search, week in August, {lodgings[office.slug]} lodgings",
                guest,
                reverse("public:office_search", kwargs={"lang": "fr", "slug": office.slug}),
                search,
                {},
            )
            for office in (small, big)
        ]
        pages += [
            (
                "search without dates (“à partir de”), 1 000 lodgings",
                guest,
                reverse("public:office_search", kwargs={"lang": "fr", "slug": big.slug}),
                {},
                {},
            ),
            ("lodging page with its month calendar", guest, page, {"mois": f"{arrival:%Y-%m}"}, {}),
            (
                "calendar of a chosen arrival day (htmx)",
                guest,
                page,
                {"arrivee": arrival.isoformat()},
                {"HTTP_HX_REQUEST": "true"},
            ),
            (
                "yardstick: back-office planning, 20 lodgings × 21 days",
                owner,
                reverse("reservations:planning"),
                {"affichage": "normal"},
                {},
            ),
        ]
        rows = timed_together(pages, args.runs)

        print(f"\n{'page':58} {'median':>9} {'worst':>9} {'queries':>8}")
        for label, median, worst, queries, status in rows:
            assert status == 200, (label, status)
            print(f"{label:58} {median:8.1f}ms {worst:8.1f}ms {queries:8}")
        by_label = {row[0]: row for row in rows}
        small_search, big_search = rows[0], rows[1]
        planning = by_label["yardstick: back-office planning, 20 lodgings × 21 days"]
        print()
        checks = [
            ("queries constant from 100 to 1 000 lodgings", small_search[3] == big_search[3]),
            ("search of 1 000 lodgings faster than the planning of 20", big_search[1] < planning[1]),
            (
                "lodging page faster than the planning of 20",
                by_label["lodging page with its month calendar"][1] < planning[1],
            ),
        ]
        for label, ok in checks:
            print(f"{'OK  ' if ok else 'FAIL'} {label}")
        if not all(ok for _label, ok in checks):
            sys.exit(1)
    finally:
        cleanup.close()


if __name__ == "__main__":
    main()
