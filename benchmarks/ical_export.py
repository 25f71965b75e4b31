"""Requests per second of a lodging's iCal export with 300 events: full answers and 304s.

Run: .venv/bin/python benchmarks/ical_export.py  (in-process WSGI through Django's test client,
the real middleware stack and PostgreSQL; DATABASE_URL as for the tests).
"""

from __future__ import annotations

import time
from datetime import timedelta

from ical_common import bench_database, delete_provider

EVENTS = 300


def main() -> None:
    from django.test import Client
    from django.utils import timezone

    from commercialisation import services
    from comptes.scoping import provider_scope
    from tests import factories

    provider = factories.make_provider(email=f"bench-export-{time.time_ns()}@example.com")
    try:
        lodging = factories.make_lodging(provider)
        start = timezone.localdate()
        for i in range(EVENTS - 20):
            day = start + timedelta(days=2 * i)
            factories.make_booking_stay(
                lodging, day, day + timedelta(days=1), status=("option", "confirmed", "paid")[i % 3]
            )
        for i in range(20):
            day = start - timedelta(days=1) + timedelta(days=2 * (EVENTS - 20) + 2 * i)
            factories.make_prohibition(lodging, day + timedelta(days=1), day + timedelta(days=2))
        with provider_scope(provider):
            export = services.export_ensure(lodging=lodging)
        url = f"/ical/{export.token}.ics"
        client = Client()
        first = client.get(url)
        assert first.status_code == 200 and first.content.count(b"BEGIN:VEVENT") == EVENTS, first.status_code
        etag = first["ETag"]

        for label, count, headers, status in (
            ("full 200", 200, {}, 200),
            ("304 (If-None-Match)", 2000, {"HTTP_IF_NONE_MATCH": etag}, 304),
        ):
            started = time.perf_counter()
            for _ in range(count):
                response = client.get(url, **headers)
                assert response.status_code == status
            elapsed = time.perf_counter() - started
            per_request = 1000 * elapsed / count
            print(
                f"export, {EVENTS} events, {label}: {count / elapsed:8.1f} req/s ({per_request:.2f} ms each)"
            )
        print(f"body size: {len(first.content)} bytes")
    finally:
        delete_provider(provider)


if __name__ == "__main__":
    with bench_database():
        main()
