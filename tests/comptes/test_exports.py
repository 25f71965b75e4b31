"""Exports as background jobs (``comptes.exports``): a big export becomes an ``ExportJob`` run by
Celery (eagerly in the tests, after the transaction commits), written to the private storage with
its progress, shown on its page, mailed to the owner, downloaded with a signed expiring link in the
provider's scope only, and purged after a few days. Small exports still stream at once."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.storage import private_storage
from comptes import exports
from comptes.models import ExportJob, OutgoingMail
from comptes.scoping import provider_scope, scopes_disabled
from tests import factories

pytestmark = pytest.mark.django_db

EXPORT = reverse("reservations:booking_export")


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def three_files(provider, lodging):
    for week in range(3):
        arrival = date(2030, 7, 6) + timedelta(days=7 * week)
        factories.make_file(lodging, arrival, 7, price="350.00", last_name=f"Client{week}")
    return 3


@pytest.fixture
def jobs_above(settings):
    """Every export of more than ``rows`` rows becomes a job (the thresholds are settings)."""

    def above(rows: int):
        settings.EXPORT_STREAM_MAX_ROWS = dict.fromkeys(exports.export_kinds(), rows)

    return above


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def job_of(provider) -> ExportJob:
    with provider_scope(provider):
        return ExportJob.objects.get()


def test_a_small_export_still_streams_at_once(owner_client, provider, three_files, private_root):
    response = owner_client.get(EXPORT, {"status": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = workbook_rows(response.getvalue())
    assert rows[0][0] == "N° dossier"
    assert [row[0] for row in rows[1:4]] == [3, 2, 1]
    with provider_scope(provider):
        assert not ExportJob.objects.exists()


def test_a_big_export_runs_as_a_job_into_the_private_storage(
    owner_client, provider, three_files, private_root, jobs_above, django_capture_on_commit_callbacks
):
    jobs_above(2)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.get(EXPORT, {"status": "", "coordonnees": "1"})
    job = job_of(provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("comptes:export_detail", kwargs={"export_pk": job.pk})
    assert job.kind == "bookings" and job.params["with_clients"] is True
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.total, job.done, job.percent) == (3, 3, 100)
    assert job.filename == f"dossiers-{timezone.localdate().isoformat()}.xlsx"

    # The file is in the private storage: under PRIVATE_MEDIA_ROOT, never under the served media.
    path = Path(private_storage().path(job.file))
    assert path.is_file() and private_root in path.parents
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.xlsx"))
    assert path.stat().st_size == job.size > 0
    with pytest.raises(ValueError, match="no public URL"):
        private_storage().url(job.file)
    for guess in (f"/media/{job.file}", f"/media/../private/{job.file}"):
        assert owner_client.get(guess).status_code in (400, 404), guess

    # Its page shows the download link, signed for this job.
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    link = exports.download_path(job)
    assert link.split("?t=")[0] == reverse("comptes:export_download", kwargs={"export_pk": job.pk})
    assert 'data-testid="export-download"' in page.content.decode()

    download = owner_client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert download["Cache-Control"] == "private, no-store"
    rows = workbook_rows(download.getvalue())
    assert rows[0][0] == "N° dossier" and "E-mail" in rows[0]
    assert sorted(row[0] for row in rows[1:4]) == [1, 2, 3]
    assert list(rows[-1][:2]) == ["Nombre de dossiers", 3]

    # The owner is told by mail, with both links.
    with provider_scope(provider):
        mail = OutgoingMail.objects.get(kind="export.ready")
    assert mail.to == ["dupont.marie@test.com"]
    assert job.filename in mail.subject
    assert reverse("comptes:export_download", kwargs={"export_pk": job.pk}) + "?t=" in mail.body_text
    assert reverse("comptes:export_detail", kwargs={"export_pk": job.pk}) in mail.body_text


def test_the_same_export_asked_twice_while_it_runs_is_one_job(
    owner_client, provider, three_files, jobs_above
):
    jobs_above(1)
    first = owner_client.get(EXPORT, {"status": ""})  # on_commit not run: the job stays pending
    second = owner_client.get(EXPORT, {"status": ""})
    assert first["Location"] == second["Location"]
    with provider_scope(provider):
        assert ExportJob.objects.count() == 1


def test_the_page_of_a_running_job_shows_its_progress_and_polls(owner_client, provider):
    with provider_scope(provider):
        job = ExportJob.objects.create(
            provider=provider, kind="bookings", filename="dossiers.xlsx", total=4000, done=1000
        )
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    url = reverse("comptes:export_detail", kwargs={"export_pk": job.pk})
    html = owner_client.get(url).content.decode()
    assert '<progress id="export-progress" value="1000" max="4000">' in html
    assert f'href="{url}" hx-get="{url}" hx-trigger="every 1s"' in html
    assert 'data-testid="export-download"' not in html
    # The htmx request gets the partial only.
    partial = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.strip().startswith('<section id="export-job"') and "25 %" in partial


def test_progress_is_written_while_the_job_runs(provider, private_root):
    """A kind registered for the test writes 1 200 rows through ``counted``: the job's ``done`` is
    read back from the database while it runs (each ``PROGRESS_EVERY`` rows)."""
    from common.xlsx import INTEGER, Column, write_xlsx

    seen = []

    def write(target, params, progress):
        def rows():
            for number in range(1, 1201):
                if number in (501, 1001):
                    seen.append(ExportJob.objects.values_list("status", "done").get())
                yield [number]

        return write_xlsx(
            target, title="x", columns=[Column("n", INTEGER)], rows=exports.counted(rows(), progress)
        )

    exports.register_export(
        exports.ExportKind(
            code="test_rows", label="rows", count=lambda p: 1200, write=write, filename=lambda p: "n.xlsx"
        )
    )
    try:
        with provider_scope(provider):
            job = exports.export_start(provider=provider, user=None, kind="test_rows", params={})
            assert exports.export_run(job_id=job.pk) == ExportJob.Status.DONE
            job.refresh_from_db()
    finally:
        exports._KINDS.pop("test_rows")
    assert seen == [("running", 500), ("running", 1000)]
    assert (job.status, job.done, job.size > 0) == ("done", 1200, True)
    with private_storage().open(job.file) as handle:
        assert len(workbook_rows(handle.read())) == 1201


def test_a_failing_export_says_so_on_its_page(owner_client, provider, private_root):
    def write(target, params, progress):
        raise RuntimeError("disk full")

    exports.register_export(
        exports.ExportKind(
            code="test_fail", label="x", count=lambda p: 5, write=write, filename=lambda p: "f.xlsx"
        )
    )
    try:
        with provider_scope(provider):
            job = exports.export_start(provider=provider, user=None, kind="test_fail", params={})
            assert exports.export_run(job_id=job.pk) == ExportJob.Status.FAILED
            # Idempotent: a finished job is not run again.
            assert exports.export_run(job_id=job.pk) == ExportJob.Status.FAILED
            job.refresh_from_db()
    finally:
        exports._KINDS.pop("test_fail")
    assert job.error == "RuntimeError: disk full" and job.file == ""
    html = owner_client.get(reverse("comptes:export_detail", kwargs={"export_pk": job.pk})).content.decode()
    assert "export-download" not in html and "is-failed" in html
    download = owner_client.get(reverse("comptes:export_download", kwargs={"export_pk": job.pk}))
    assert download.status_code == 302


@pytest.fixture
def done_job(provider, private_root):
    with provider_scope(provider):
        name = private_storage().save("exports/test/done.xlsx", ContentFile(b"PK-xlsx-bytes"))
        return ExportJob.objects.create(
            provider=provider,
            kind="bookings",
            status=ExportJob.Status.DONE,
            filename="dossiers.xlsx",
            file=name,
            size=13,
            total=1,
            done=1,
        )


def test_an_expired_or_forged_link_is_refused(owner_client, provider, done_job):
    link = exports.download_path(done_job)
    assert owner_client.get(link).getvalue() == b"PK-xlsx-bytes"

    page = reverse("comptes:export_detail", kwargs={"export_pk": done_job.pk})
    later = timezone.now() + exports.EXPORT_LINK_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        response = owner_client.get(link)
        assert response.status_code == 302 and response["Location"] == page
        assert "Content-Disposition" not in response
        # The page gives a fresh link, which works.
        fresh = owner_client.get(exports.download_path(done_job))
        assert fresh.status_code == 200 and fresh.getvalue() == b"PK-xlsx-bytes"

    for token in ("", "abc", exports.download_token(done_job) + "x"):
        response = owner_client.get(f"{link.split('?')[0]}?t={token}")
        assert response.status_code == 302 and response["Location"] == page, token

    # A link signed for another job does not open this one.
    with provider_scope(provider):
        other = ExportJob.objects.create(
            provider=provider, kind="bookings", status="done", filename="b.xlsx", file=done_job.file
        )
    forged = f"{link.split('?')[0]}?t={exports.download_token(other)}"
    assert owner_client.get(forged).status_code == 302


def test_another_tenants_export_is_a_404(client, done_job, other_provider):
    client.force_login(factories.owner_of(other_provider))
    for name in ("comptes:export_detail", "comptes:export_download"):
        url = reverse(name, kwargs={"export_pk": done_job.pk})
        assert client.get(url).status_code == 404, name
    assert client.get(exports.download_path(done_job)).status_code == 404
    # and B's list does not show it
    assert "dossiers.xlsx" not in client.get(reverse("comptes:export_list")).content.decode()


def test_the_list_shows_the_owners_exports(owner_client, done_job):
    html = owner_client.get(reverse("comptes:export_list")).content.decode()
    assert "dossiers.xlsx" in html and exports.download_path(done_job).split("?t=")[0] in html


def test_old_jobs_and_their_files_are_purged(provider, done_job, private_root):
    from comptes.tasks import exports_purge

    with time_machine.travel(timezone.now() - timedelta(days=4), tick=False), provider_scope(provider):
        old_name = private_storage().save("exports/test/old.xlsx", ContentFile(b"old"))
        old = ExportJob.objects.create(
            provider=provider, kind="bookings", status="done", filename="old.xlsx", file=old_name
        )
        gone = ExportJob.objects.create(
            provider=provider,
            kind="bookings",
            status="done",
            filename="gone.xlsx",
            file="exports/test/gone.xlsx",
        )
    assert private_storage().exists(old_name)
    assert exports_purge.delay().get() == 2
    assert not private_storage().exists(old_name)
    assert private_storage().exists(done_job.file)
    with scopes_disabled():
        assert set(ExportJob.objects.values_list("pk", flat=True)) == {done_job.pk}
    assert old.pk and gone.pk
    assert "comptes.exports_purge" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_clients_and_prices_exports_are_jobs_too(
    owner_client, provider, lodging, three_files, private_root, jobs_above, django_capture_on_commit_callbacks
):
    factories.make_stay_prices(lodging, end=date(2024, 6, 8))
    jobs_above(0)
    for url, params, first_header in (
        (reverse("reservations:client_export"), {}, "Nom"),
        (reverse("tarifs:export"), {"lodging": lodging.pk}, "Durée (en nuits)"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.get(url, params)
        assert response.status_code == 302, url
        with provider_scope(provider):
            job = ExportJob.objects.order_by("-pk").first()
        assert job.status == "done", job.error
        rows = workbook_rows(owner_client.get(exports.download_path(job)).getvalue())
        assert rows[0][0] == first_header and job.done >= 1


def test_the_registry_refuses_an_unknown_kind(provider):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), provider_scope(provider):
        exports.export_start(provider=provider, user=None, kind="nope", params={})
    assert {"bookings", "clients", "stay_prices"} <= set(exports.export_kinds())
    kind = exports.export_kind("bookings")
    assert dataclasses.replace(kind, stream_max_rows=3).streamed_up_to == 3


def test_jobs_whose_message_or_worker_was_lost_are_run_again(provider, private_root, three_files):
    from comptes.tasks import exports_resume

    params = {"query": "status=", "today": "2030-06-15", "with_clients": False}
    with provider_scope(provider):
        fresh = ExportJob.objects.create(provider=provider, kind="bookings", params=params, filename="a.xlsx")
        with time_machine.travel(timezone.now() - timedelta(minutes=11), tick=False):
            lost = ExportJob.objects.create(
                provider=provider, kind="bookings", params=params, filename="b.xlsx"
            )
        with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
            crashed = ExportJob.objects.create(
                provider=provider,
                kind="bookings",
                params=params,
                filename="c.xlsx",
                started_at=timezone.now(),
            )
        ExportJob.objects.filter(pk=crashed.pk).update(status=ExportJob.Status.RUNNING)
    assert sorted(pk for _provider, pk in exports.exports_stale()) == [lost.pk, crashed.pk]
    assert exports_resume.delay().get() == 2  # eager in the tests: they run now
    with provider_scope(provider):
        states = dict(ExportJob.objects.values_list("pk", "status"))
    assert states == {fresh.pk: "pending", lost.pk: "done", crashed.pk: "done"}
    assert exports.exports_stale() == []
