"""Browser flow of a big export: the owner starts it from the files list, lands on the export's
page, follows its progress (htmx polling) and downloads the workbook with the signed link.

New strings are found by ``data-testid`` (the French catalogue gets them when the branch merges)."""

from __future__ import annotations

import re

from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from comptes import exports
from comptes.models import ExportJob
from comptes.scoping import provider_scope
from tests.e2e.conftest import day
from tests.factories import make_file, make_lodging, make_provider


def owner_with_files():
    provider = make_provider(number=71230, email="export71230@example.com", last_name="Durand")
    lodging = make_lodging(provider, name="Le Chalet")
    for week in range(3):
        make_file(lodging, day(14 + 7 * week), 7, last_name=f"Voyageur{week}")
    return provider


def test_an_owner_exports_the_files_as_a_job_and_downloads_them(
    page, live_server, signed_in, transactional_db, settings, tmp_path
):
    settings.EXPORT_STREAM_MAX_ROWS = 0  # every export is a job (the threshold is 1 000 files)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    provider = owner_with_files()
    signed_in("export71230@example.com")

    # The job runs (eagerly in the tests) as soon as it is recorded: the page shows the link.
    page.goto(f"{live_server.url}{reverse('reservations:booking_list')}?status=")
    page.get_by_role("link", name="Exporter en fichier Excel").first.click()
    expect(page).to_have_url(re.compile(r"/exports/\d+/$"))
    expect(page.get_by_test_id("export-job")).to_have_class("card export-job is-done")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.name == f"dossiers-{day(0).isoformat()}.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "N° dossier"
    assert sorted(row[0] for row in rows[1:4]) == [1, 2, 3]

    # A job still running: the page polls and shows the link when the worker is done.
    with provider_scope(provider):
        job = ExportJob.objects.create(
            provider=provider,
            kind="bookings",
            params={"query": "status=", "today": day(0).isoformat(), "with_clients": False},
            filename="dossiers-en-cours.xlsx",
            total=3,
        )
    page.goto(f"{live_server.url}{reverse('comptes:export_detail', kwargs={'export_pk': job.pk})}")
    expect(page.get_by_test_id("export-percent")).to_have_text("0 %")
    expect(page.get_by_test_id("export-download")).to_have_count(0)
    with provider_scope(provider):
        assert exports.export_run(job_id=job.pk) == ExportJob.Status.DONE
    expect(page.get_by_test_id("export-download")).to_be_visible(timeout=5000)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    assert download_info.value.suggested_filename == "dossiers-en-cours.xlsx"

    # "Mes exports" lists both.
    page.goto(f"{live_server.url}{reverse('comptes:export_list')}")
    expect(page.get_by_role("link", name="dossiers-en-cours.xlsx")).to_be_visible()
