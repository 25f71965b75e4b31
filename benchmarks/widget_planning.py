#!/usr/bin/env python
"""Benchmark: the "planning of all your lodgings" widget (``/<lang>/widget/site/<n>/planning/``) of a
provider with 20 lodgings, under ``wrk``, against gunicorn started as ``docker-compose.yml`` starts
``web``, on a throw-away database dropped at the end whatever happens.

Seeds (``benchmarks/seed.py``) a provider of 20 lodgings and one of 5, each with 3 years of files
and two years of stay prices, both in production and selling online. Then:

* in-process (Django's test client): the queries of the widget for 5 and for 20 lodgings — they must
  be the same number —, its ``Cache-Control`` (public, a short max-age) and ``ETag``, and a 304 for
  a conditional request;
* with ``wrk`` on gunicorn: requests per second of the full answer (200) and of a conditional one
  (304, If-None-Match), interleaved over ``--rounds``.

    .venv/bin/python benchmarks/widget_planning.py [--seconds 5] [--rounds 3] [--connections 6]

Uses ``DATABASE_URL`` (``bench_<name>`` is created next to it) and ``REDIS_URL`` as the servers'
Redis when set. Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["DEBUG"] = "0"
os.environ["OPENPRO_TESTING"] = "1"  # this process only (the servers run without it)
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SIZES = {99520: 20, 99505: 5}  # provider number: lodgings
MAX_QUERIES = 8


def seed() -> dict[int, object]:
    from benchmarks.seed import seed_provider
    from comptes.models import Provider, ProviderSettings
    from comptes.scoping import scopes_disabled

    providers = {
        number: seed_provider(
            lodgings=lodgings, files=50 * lodgings, number=number, email=f"widget{number}@openpro.example"
        )
        for number, lodgings in SIZES.items()
    }
    with scopes_disabled():
        Provider.objects.filter(number__in=SIZES).update(status=Provider.Status.PRODUCTION)
        ProviderSettings.objects.filter(provider__number__in=SIZES).update(
            online_booking=True, terms_fr="CGV."
        )
    return providers


def planning_path(number: int) -> str:
    from django.urls import reverse
    from django.utils import timezone

    url = reverse("public:widget_site_planning", kwargs={"lang": "fr", "number": number})
    return f"{url}?debut={timezone.localdate().isoformat()}"


def check_in_process(failures: list[str]) -> dict:
    """Queries for 5 and 20 lodgings, the caching headers and the 304."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    found = {}
    for number, lodgings in SIZES.items():
        client.get(planning_path(number), secure=True)  # warm: the first request imports the views
        with CaptureQueriesContext(connection) as captured:
            response = client.get(planning_path(number), secure=True)
        assert response.status_code == 200, response.status_code
        rows = response.content.decode().count('scope="row" class="planning-lodging"')
        assert rows == lodgings, (rows, lodgings)
        found[lodgings] = {"queries": len(captured), "response": response}
        print(f"{lodgings:>2} lodgings: {len(captured)} queries, {len(response.content)} bytes")
    big = found[20]["response"]
    print(f"Cache-Control: {big['Cache-Control']}   ETag: {big['ETag']}")
    if found[5]["queries"] != found[20]["queries"]:
        failures.append(f"queries not constant: {found[5]['queries']} for 5, {found[20]['queries']} for 20")
    if found[20]["queries"] > MAX_QUERIES:
        failures.append(f"{found[20]['queries']} queries (> {MAX_QUERIES})")
    if "public" not in big["Cache-Control"] or "max-age=" not in big["Cache-Control"]:
        failures.append("not cacheable (Cache-Control)")
    conditional = client.get(planning_path(99520), secure=True, HTTP_IF_NONE_MATCH=big["ETag"])
    if conditional.status_code != 304:
        failures.append(f"If-None-Match answered {conditional.status_code}, not 304")
    return {"etag": big["ETag"], "queries": found[20]["queries"], "body": big.content}


def collect_static(root: str) -> None:
    """The production static files (hashed names, their manifest) for the servers: the pages name
    their stylesheet and scripts through it."""
    env = {**os.environ, "STATIC_ROOT": root, "DEBUG": "0", "SECRET_KEY": "benchmark-" + "x" * 50}
    env.pop("OPENPRO_TESTING", None)
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
        env=env,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of each measure")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median kept)")
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from benchmarks.harness import ProductionServer, throwaway_database, wrk

    failures: list[str] = []
    with throwaway_database() as name, tempfile.TemporaryDirectory() as static_root:
        collect_static(static_root)
        began = time.perf_counter()
        seed()
        print(
            f"seeded {name}: providers of {' and '.join(map(str, SIZES.values()))} lodgings in "
            f"{time.perf_counter() - began:.1f} s"
        )
        checked = check_in_process(failures)
        settings_dict = connection.settings_dict
        database_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/".format(**settings_dict) + name
        path = planning_path(99520)
        rates: dict[str, list[float]] = {}
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}:")
            with ProductionServer(
                database_url=database_url,
                redis_url=os.environ.get("REDIS_URL", ""),
                extra_env={"STATIC_ROOT": static_root},
            ) as server:
                for _attempt in range(6):  # a worker's first request imports the views: slow when loaded
                    try:
                        status, headers, body = server.get(path)
                        break
                    except TimeoutError:
                        continue
                assert status == 200, (status, server.log_tail())
                for label, extra, expect in (
                    ("200", {}, 200),
                    ("304", {"If-None-Match": headers["ETag"]}, 304),
                ):
                    assert server.get(path, extra)[0] == expect, label
                    # warm every worker, then measure
                    wrk(
                        server.base + path,
                        seconds=1,
                        connections=args.connections,
                        threads=1,
                        headers={**server.HEADERS, **extra},
                    )
                    result = wrk(
                        server.base + path,
                        seconds=args.seconds,
                        connections=args.connections,
                        threads=args.threads,
                        headers={**server.HEADERS, **extra},
                    )
                    if result["bad"] or result["errors"]:
                        failures.append(f"{label}: {result['bad']} bad answers, errors {result['errors']}")
                    rates.setdefault(label, []).append(result["rate"])
                    print(f"  {label:<4} {result['rate']:8.1f} req/s   p50 {result['p50']:>8}")
        median = {label: statistics.median(values) for label, values in rates.items()}
        print(
            f"\nplanning widget, 20 lodgings × 28 days: {checked['queries']} queries; "
            + ", ".join(f"{label} {rate:.0f} req/s" for label, rate in median.items())
        )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"dropped {name}")
    if failures:
        print("\nOUT OF BOUNDS:\n- " + "\n- ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
