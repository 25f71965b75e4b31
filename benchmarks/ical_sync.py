"""Time to synchronise 200 feeds of 100 events each from a local HTTP server.

Run: .venv/bin/python benchmarks/ical_sync.py  (real HTTP on 127.0.0.1 through common.http, real
PostgreSQL; sequential, i.e. what one worker process does).
Three passes: first import (everything new), re-sync with ETag (304), re-sync without validators
after every feed moved one event (full fetch, parse and reconcile).
"""

from __future__ import annotations

import time
from datetime import timedelta

from ical_common import bench_database, delete_provider

FEEDS = 200
EVENTS = 100
LODGINGS = 50


def calendar(feed_index: int, start, shift: int = 0) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//EN"]
    for i in range(EVENTS):
        arrival = start + timedelta(days=3 * i + (shift if i == 0 else 0))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{feed_index}-{i}@example.com",
            f"DTSTART;VALUE=DATE:{arrival:%Y%m%d}",
            f"DTEND;VALUE=DATE:{arrival + timedelta(days=2):%Y%m%d}",
            "SUMMARY:Reserved",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    from django.conf import settings
    from django.utils import timezone

    from commercialisation import services
    from commercialisation.models import ImportedBlock
    from comptes.scoping import provider_scope
    from tests import factories
    from tests.commercialisation.feedserver import FeedServer

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    server = FeedServer()
    provider = factories.make_provider(email=f"bench-sync-{time.time_ns()}@example.com")
    try:
        lodgings = [factories.make_lodging(provider, name=f"Gîte {i}") for i in range(LODGINGS)]
        start = timezone.localdate() + timedelta(days=1)
        feeds = []
        for i in range(FEEDS):
            url = server.serve(f"/feed-{i}.ics", calendar(i, start), etag=f'"v{i}"')
            feeds.append(factories.make_ical_feed(lodgings[i % LODGINGS], url, name=f"Feed {i}"))

        def run(label: str) -> None:
            started = time.perf_counter()
            totals = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
            with provider_scope(provider):
                for feed in feeds:
                    result = services.feed_sync(feed=feed)
                    totals["created"] += result.created
                    totals["updated"] += result.updated
                    totals["unchanged"] += int(result.unchanged)
                    totals["errors"] += int(bool(result.error))
            elapsed = time.perf_counter() - started
            print(f"{label:<44} {elapsed:6.2f} s  ({1000 * elapsed / FEEDS:5.1f} ms/feed)  {totals}")

        run(f"first import, {FEEDS} feeds x {EVENTS} events")
        with provider_scope(provider):
            assert ImportedBlock.objects.count() == FEEDS * EVENTS
        run("re-sync, conditional request (304)")
        for i in range(FEEDS):
            server.serve(f"/feed-{i}.ics", calendar(i, start, shift=1))  # no ETag any more
        run("re-sync, every feed changed (full parse)")
        run("re-sync, same bytes, no validators (hash)")
    finally:
        server.close()
        delete_provider(provider)


if __name__ == "__main__":
    with bench_database():
        main()
