#!/usr/bin/env python
"""Benchmark: a lodging's iCal export under ``wrk``, against gunicorn started as
``docker-compose.yml`` starts ``web`` (its command and flags: 3 workers; its environment:
``DEBUG=0``…), on a throw-away database that is dropped at the end, whatever happens.

Seeds a provider with 30 lodgings and 3 000 files over 3 years (``benchmarks/seed.py``); the measured
lodging's calendar has 300 events (as in the issue's figures): its files, 50 reservations of a
subscribed platform (re-exported) and sale prohibitions. Then it
measures in the same run, interleaved over ``--rounds``:

* ``ceiling 304`` / ``ceiling 200`` — the same bytes and headers served through the project's
  middleware without the database (benchmark-only URL, ``benchmarks/urls_ical.py``);
* ``304`` — a poller's conditional request (If-None-Match), the export's head known in the
  worker's memory (``commercialisation/export_heads.py``: no query);
* ``304 database`` — the same with ``ICAL_EXPORT_HEADS=0`` (one indexed query), for the record;
* ``200 cached`` — a full answer already rendered by that process (cached by version);
* ``200 uncached`` — a full answer rendered each time (a second server, ``ICAL_EXPORT_CACHE_ENTRIES=0``).

and checks the issue's bounds: the 304 makes at most one query, on an index (counted and
EXPLAINed in-process; none once the head is known); it reaches ≥ 75 % of the ceiling (304)
and is ≥ 10× cheaper than rendering uncached.

    .venv/bin/python benchmarks/ical_export.py [--seconds 5] [--rounds 3] [--connections 6]

Uses ``DATABASE_URL`` (``bench_<name>`` is created next to it) and ``REDIS_URL`` as the servers'
Redis when set (production has one). Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
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
os.environ["OPENPRO_TESTING"] = "1"  # this process only: tasks in-process (the servers run without it)
os.environ.setdefault("LOG_LEVEL", "WARNING")

LODGINGS = 30
FILES = 3000
EVENTS = 300  # the measured lodging's calendar, as in the figures: its files, then
IMPORTED = 50  # reservations of a subscribed platform (re-exported), and sale prohibitions after


def seed():
    """The provider, the measured lodging's export: its files, ``IMPORTED`` reservations of a
    platform and as many sale prohibitions as make ``EVENTS`` events."""
    from django.utils import timezone

    from benchmarks.seed import seed_provider
    from commercialisation import services
    from commercialisation.models import IcalFeed, ImportedBlock, Platform
    from commercialisation.selectors import EXPORT_PAST_DAYS
    from comptes.scoping import provider_scope
    from reservations.models import SaleProhibition, Stay

    provider = seed_provider(lodgings=LODGINGS, files=FILES, years=3, history_years=1)
    today = timezone.localdate()
    with provider_scope(provider):
        lodging = provider.lodgings.order_by("number").first()
        stays = Stay.objects.filter(lodging=lodging, active=True)
        shown = stays.filter(departure__gte=today - timedelta(days=EXPORT_PAST_DAYS)).count()
        start = stays.order_by("-departure").values_list("departure", flat=True).first() + timedelta(days=1)
        SaleProhibition.objects.bulk_create(
            SaleProhibition(
                provider=provider,
                lodging=lodging,
                kind=Stay.Kind.PROHIBITION,
                arrival=start + timedelta(days=3 * i),
                departure=start + timedelta(days=3 * i + 2),
                exclusive=True,
            )
            for i in range(EVENTS - IMPORTED - shown)
        )
        feed = IcalFeed.objects.create(
            provider=provider,
            lodging=lodging,
            url="https://www.airbnb.fr/calendar/ical/1.ics",
            name="Airbnb",
            platform=Platform.AIRBNB,
        )
        ImportedBlock.objects.bulk_create(
            ImportedBlock(
                provider=provider,
                lodging=lodging,
                feed=feed,
                uid=f"hm{i}@airbnb.com",
                arrival=start + timedelta(days=3 * (EVENTS - IMPORTED - shown) + 3 * i),
                departure=start + timedelta(days=3 * (EVENTS - IMPORTED - shown) + 3 * i + 2),
            )
            for i in range(IMPORTED)
        )
        export = services.export_ensure(lodging=lodging)
    return provider, export


def check_queries(url: str) -> tuple[dict, str, str]:
    """In-process, through the test client: the first answer, the queries of a 304 read from the
    database (the export's head not known in this process) and the plan of its query (sequential
    scans off: on a small table PostgreSQL may prefer one anyway), then the queries of a 304 once
    the head is known (``export_heads``, listening)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commercialisation.export_heads import HEADS

    client = Client()
    entries, HEADS.entries = HEADS.entries, 0
    first = client.get(url, secure=True)
    assert first.status_code == 200, first.status_code
    with CaptureQueriesContext(connection) as captured:
        conditional = client.get(url, secure=True, HTTP_IF_NONE_MATCH=first["ETag"])
    assert conditional.status_code == 304, conditional.status_code
    queries = [q["sql"] for q in captured.captured_queries]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    HEADS.entries = entries or 100  # the servers' default (this process may run with test settings)
    known: list[str] | None = None
    if HEADS.entries:
        client.get(url, secure=True)
        deadline = time.monotonic() + 10
        while not HEADS.listening and time.monotonic() < deadline:
            time.sleep(0.05)
        client.get(url, secure=True)  # read once, kept
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, secure=True, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        known = [q["sql"] for q in captured.captured_queries]
        HEADS.stop()
    HEADS.entries = entries
    return {"response": first, "queries": queries, "known": known}, plan, first.content.decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of each measure")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median kept)")
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the servers, on top of docker-compose.yml's (e.g. DB_CONN_MAX_AGE=60)",
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)

    import django

    django.setup()
    from django.db import connection

    from benchmarks.harness import ProductionServer, compose_web, throwaway_database, wrk

    command, environment = compose_web()
    print("web command of docker-compose.yml:", " ".join(command))
    print(
        "its environment:",
        ", ".join(f"{k}={v}" for k, v in environment.items() if "PASSWORD" not in k and "SECRET" not in k),
    )
    if extra_env:
        print("plus, given here:", ", ".join(f"{k}={v}" for k, v in extra_env.items()))
    failures: list[str] = []
    with throwaway_database() as name, tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        _provider, export = seed()
        print(f"seeded {name}: {LODGINGS} lodgings, {FILES} files in {time.perf_counter() - began:.1f} s")
        path = f"/ical/{export.token}.ics"
        checked, plan, body = check_queries(path)
        first = checked["response"]
        events = body.count("BEGIN:VEVENT")
        print(f"export: {events} events, {len(first.content)} bytes")
        print(
            f"304 from the database, in-process: {len(checked['queries'])} query:",
            checked["queries"][0][:140] + "…",
        )
        print("plan:", plan.replace("\n", "\n      "))
        if len(checked["queries"]) > 1:
            failures.append(f"304: {len(checked['queries'])} queries")
        if checked["known"] is None:
            print("304 with the head known: ICAL_EXPORT_HEADS is 0 here (off)")
        else:
            print(
                f"304 with the head known (export_heads listening), in-process: {len(checked['known'])} query"
            )
            if checked["known"]:
                failures.append(f"304 with the head known: {len(checked['known'])} queries")
        if "Seq Scan" in plan or "Index" not in plan:
            failures.append("304: its query is not answered from an index")

        ceiling = Path(tmp) / "ceiling.ics"
        ceiling.write_bytes(first.content)
        headers = {h: first[h] for h in ("ETag", "Last-Modified", "Cache-Control", "X-Robots-Tag")}
        headers.update({h: first[h] for h in ("Content-Type", "Content-Disposition")})
        ceiling.with_suffix(".json").write_text(json.dumps(headers))

        settings_dict = connection.settings_dict
        database_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/".format(**settings_dict) + name
        common_env = {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings_ical",
            "BENCH_CEILING_FILE": str(ceiling),
        }
        redis_url = os.environ.get("REDIS_URL", "")
        etag = {"If-None-Match": first["ETag"]}
        rates: dict[str, list[float]] = {}

        def warm_up(server):
            """Until every worker has imported everything and answered both URLs without a stall
            (a worker's first requests import the views: seconds on a loaded machine)."""
            for _attempt in range(10):
                stalls = [
                    wrk(
                        server.base + url,
                        seconds=2,
                        connections=args.connections,
                        threads=1,
                        headers=server.HEADERS,
                    )
                    for url in (path, "/ical/ceiling.ics")
                ]
                if not any(result["errors"] for result in stalls):
                    return
            failures.append("the server kept stalling (wrk timeouts) after 10 warm-up rounds")

        def measure(server, label, url_path, extra, expect):
            status, answer_headers, answer = server.get(url_path, extra)
            assert status == expect, (label, status)
            if expect == 200:
                assert answer == first.content, f"{label}: not the same bytes"
            result = wrk(
                server.base + url_path,
                seconds=args.seconds,
                connections=args.connections,
                threads=args.threads,
                headers={**server.HEADERS, **extra},
            )
            if result["bad"]:
                failures.append(f"{label}: {result['bad']} answers not 2xx/3xx")
            if result["errors"]:
                failures.append(f"{label}: wrk errors ({result['errors']})")
            rates.setdefault(label, []).append(result["rate"])
            print(f"  {label:<14} {result['rate']:8.1f} req/s   p50 {result['p50']:>8}   {result['errors']}")

        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}:")
            with ProductionServer(
                database_url=database_url, redis_url=redis_url, extra_env=common_env
            ) as server:
                warm_up(server)  # also: each worker's first export request starts its listener
                for label, url_path, extra, expect in (
                    ("ceiling 304", "/ical/ceiling.ics", etag, 304),
                    ("304", path, etag, 304),
                    ("ceiling 200", "/ical/ceiling.ics", {}, 200),
                    ("200 cached", path, {}, 200),
                ):
                    measure(server, label, url_path, extra, expect)
            with ProductionServer(
                database_url=database_url,
                redis_url=redis_url,
                extra_env={**common_env, "ICAL_EXPORT_CACHE_ENTRIES": "0", "ICAL_EXPORT_HEADS": "0"},
            ) as server:
                warm_up(server)
                measure(server, "200 uncached", path, {}, 200)
                measure(server, "304 database", path, etag, 304)

        median = {label: statistics.median(values) for label, values in rates.items()}
        to_ceiling = median["304"] / median["ceiling 304"]
        cheaper = median["304"] / median["200 uncached"]
        print("\nmedians: " + ", ".join(f"{label} {rate:.0f} req/s" for label, rate in median.items()))
        print(f"304 / ceiling 304: {100 * to_ceiling:.0f} %")
        print(f"304 vs rendering uncached: {cheaper:.1f}× cheaper")
        print(f"200 cached / ceiling 200: {100 * median['200 cached'] / median['ceiling 200']:.0f} %")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if to_ceiling < 0.75:
            failures.append(f"304 at {100 * to_ceiling:.0f} % of the ceiling (< 75 %)")
        if cheaper < 10:
            failures.append(f"304 only {cheaper:.1f}× cheaper than rendering uncached (< 10×)")
    print(f"dropped {name}")
    if failures:
        print("\nOUT OF BOUNDS:\n- " + "\n- ".join(failures))
        sys.exit(1)
    print("\nAll bounds hold.")


if __name__ == "__main__":
    main()
