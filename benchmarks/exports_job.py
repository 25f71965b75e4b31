#!/usr/bin/env python
"""Benchmark: the files export ("Exporter en fichier Excel") of 50 000 files as a background job.

Seeds, in a throw-away database, the benchmark provider of ``benchmarks/seed.py`` with 50 000 files
over 17 years (as ``office_scale.py``'s 10×), then for about 2 000, 10 000 and all 50 000 files:

* the request that starts the export (the real view: it counts the rows, records the job and
  enqueues it — to kombu's filesystem transport in a temporary folder, so nothing runs in it);
* the job, run in this process as a Celery worker runs it (``comptes.export_run`` through
  ``Task.apply``): total time, peak of Python memory allocated (``tracemalloc``, for 2 000 and
  10 000 files; for 50 000 too with ``--trace-all``, which slows the job down several times) and
  the growth of the process's maximum RSS, progress updates, size of the .xlsx written to the
  private storage (a temporary folder);
* the job's page and the download (the whole file read) once it is done.

The longest request must stay far below gunicorn's 30 s timeout and the job's memory flat (the same
peak for 10 000 and 50 000 files: rows are read in chunks and written by openpyxl's write-only
workbook to a temporary file, then copied to the storage in chunks).

    .venv/bin/python benchmarks/exports_job.py

Uses ``DATABASE_URL`` (``bench_<name>`` is created next to it and dropped at the end). DEBUG is off.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="openpro-bench-exports-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["DEBUG"] = "0"
os.environ["OPENPRO_TESTING"] = "1"  # development secret key, plain static storage
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("REDIS_URL", None)
os.environ["CELERY_BROKER_URL"] = "filesystem://"  # the start request only enqueues
os.environ["CELERY_QUEUE_DIR"] = str(WORK / "celery")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ["PRIVATE_MEDIA_ROOT"] = str(WORK / "private")
os.environ["MEDIA_ROOT"] = str(WORK / "media")

GUNICORN_TIMEOUT = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trace-all",
        action="store_true",
        help="also trace the memory of the 50 000-file job (tracemalloc makes it several times slower)",
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )
    from django.urls import reverse

    from benchmarks.seed import seed_provider
    from common.storage import private_storage
    from comptes import exports
    from comptes.models import ExportJob, Membership
    from comptes.scoping import provider_scope, scopes_disabled
    from comptes.tasks import export_run
    from reservations.models import Booking, Stay

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"bench_{database['NAME']}"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    failures: list[str] = []
    try:
        began = time.perf_counter()
        provider = seed_provider(
            number=99150, email="bench-exports@openpro.example", files=50000, years=18, history_years=17
        )
        print(f"50 lodgings, 50 000 files over 17 years seeded in {time.perf_counter() - began:.1f} s")
        with scopes_disabled():
            owner = Membership.objects.get(provider=provider).user
        client = Client()
        client.force_login(owner)
        with provider_scope(provider):
            total = Booking.objects.count()
            arrivals = sorted(Stay.objects.filter(kind="booking").values_list("arrival", flat=True))
            fifth = arrivals[len(arrivals) // 5]

        def timed_get(url, params=None, *, read=False):
            began = time.perf_counter()
            response = client.get(url, params or {})
            body = response.getvalue() if read else b""
            return response, body, time.perf_counter() - began

        export = reverse("reservations:booking_export")
        print(f"\nFiles export as a job ({total} files on the account)")
        print(
            f"{'files':>7} {'traced':>6} {'start req':>10} {'job':>8} {'peak MB':>8} {'RSS +MB':>8}"
            f" {'updates':>8} {'xlsx KB':>8} {'page req':>9} {'download':>9} {'longest':>8}"
        )
        peaks = {}
        runs = [
            (
                f"~{total // 25}",
                {"status": "", "arrival_to": arrivals[len(arrivals) // 25].isoformat()},
                True,
            ),
            (f"~{total // 5}", {"status": "", "arrival_to": fifth.isoformat()}, True),
            (str(total), {"status": ""}, args.trace_all),
        ]
        for label, params, traced in runs:
            response, _body, start_seconds = timed_get(export, params)
            assert response.status_code == 302, response.status_code
            with provider_scope(provider):
                job = ExportJob.objects.order_by("-pk").first()
            assert job.status == ExportJob.Status.PENDING and job.total > 0, (job.status, job.total)

            # The worker's side, in this process: the task as Celery runs it.
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with CaptureQueriesContext(connection) as captured:
                if traced:
                    tracemalloc.start()
                began = time.perf_counter()
                result = export_run.apply(args=[provider.pk, job.pk])
                job_seconds = time.perf_counter() - began
                if traced:
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    peaks[label] = peak
            rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
            assert result.get() == ExportJob.Status.DONE, result.result
            updates = sum(1 for query in captured.captured_queries if 'SET "done"' in query["sql"])
            with provider_scope(provider):
                job.refresh_from_db()
            assert job.done == job.total, (job.done, job.total)

            page, _body, page_seconds = timed_get(
                reverse("comptes:export_detail", kwargs={"export_pk": job.pk})
            )
            assert page.status_code == 200 and b'data-testid="export-download"' in page.content
            download, body, download_seconds = timed_get(exports.download_path(job), read=True)
            assert download.status_code == 200 and len(body) == job.size
            longest = max(start_seconds, page_seconds, download_seconds)
            peak_text = f"{peaks[label] / 2**20:>8.1f}" if traced else f"{'—':>8}"
            print(
                f"{job.total:>7} {'yes' if traced else 'no':>6} {start_seconds * 1000:>8.0f}ms"
                f" {job_seconds:>7.1f}s {peak_text} {rss_growth:>8.1f} {updates:>8} {job.size / 1024:>8.0f}"
                f" {page_seconds * 1000:>7.0f}ms {download_seconds * 1000:>7.0f}ms {longest:>7.2f}s",
                flush=True,
            )
            if longest >= GUNICORN_TIMEOUT:
                failures.append(f"a request took {longest:.1f} s (≥ {GUNICORN_TIMEOUT:.0f} s)")
            with provider_scope(provider):
                private_storage().delete(job.file)
        traced_peaks = list(peaks.values())
        print(
            "\npeak Python memory of the job: "
            + ", ".join(f"{k} files {v / 2**20:.1f} MB" for k, v in peaks.items())
        )
        if max(traced_peaks) > 1.5 * min(traced_peaks) + 2**20:
            failures.append("peak memory grows with the number of files")
    finally:
        teardown_databases(old_config, verbosity=0)
        shutil.rmtree(WORK, ignore_errors=True)
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        sys.exit(1)
    print("\nOK: every request well under 30 s, memory flat")


if __name__ == "__main__":
    main()
