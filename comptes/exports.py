"""Excel exports of every app, small ones at once, big ones as background jobs.

Apps register what they export (``register_export``, from their ``AppConfig.ready``): a kind, how
many rows a set of parameters gives, and a function writing the .xlsx to a binary file while it
reports its progress. ``comptes`` knows nothing of the domain apps (import-linter).

* ``export_response`` is what an export view returns: up to the kind's ``stream_max_rows`` rows the
  workbook is written now and streamed (as before); above, an ``ExportJob`` is recorded, the Celery
  task ``comptes.export_run`` writes it to the private storage (``common.storage``) with its
  progress, and the owner is sent to the job's page (progress bar polled with htmx, then the
  download link) and gets a mail when it is ready.
* Exports hold guests' personal data: a file is downloaded only through ``comptes:export_download``,
  in the provider's scope, with a link signed by ``TimestampSigner`` that expires after
  ``EXPORT_LINK_MAX_AGE``; ``exports_purge`` (hourly, beat) deletes jobs and files older than
  ``EXPORT_RETENTION``.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.storage import private_storage
from common.tasks import enqueue_on_commit
from common.xlsx import XLSX_CONTENT_TYPE
from comptes.models import ExportJob, Provider, User

logger = logging.getLogger(__name__)

#: How long a download link stays valid, and how long a job and its file are kept.
EXPORT_LINK_MAX_AGE = timedelta(hours=24)
EXPORT_RETENTION = timedelta(days=3)
#: Progress is written every this many rows (one UPDATE), so polling sees it move.
PROGRESS_EVERY = 500
#: An identical export asked again while the first one is still being prepared reuses it.
REUSE_WITHIN = timedelta(minutes=10)
SIGNING_SALT = "comptes.exports.download"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    """What an app exports.

    ``count(params)`` gives the number of rows (cheap: one COUNT); ``write(target, params, progress)``
    writes the workbook to the binary file ``target``, calls ``progress(rows written so far)`` now
    and then, and returns the number of rows; ``filename(params)`` names the download. All three run
    inside the provider's scope, with ``params`` a JSON-able dict taken from the request."""

    code: str
    label: Any
    count: Callable[[dict], int]
    write: Callable[[IO[bytes], dict, Progress], int]
    filename: Callable[[dict], str]
    #: Up to this many rows the export is written during the request (about a second at most);
    #: ``settings.EXPORT_STREAM_MAX_ROWS`` (a number for every kind, or ``{code: rows}``) may change it.
    stream_max_rows: int = 1000

    @property
    def streamed_up_to(self) -> int:
        limit = getattr(settings, "EXPORT_STREAM_MAX_ROWS", None)
        if isinstance(limit, int):
            return limit
        return (limit or {}).get(self.code, self.stream_max_rows)


_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    """Declare an export (from an ``AppConfig.ready``); registering a code again replaces it."""
    _KINDS[kind.code] = kind
    return kind


def export_kind(code: str) -> ExportKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationError({"kind": [_("Unknown export.")]}) from None


def export_kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)


def counted(rows: Iterable, progress: Progress | None, every: int = PROGRESS_EVERY) -> Iterator:
    """``rows`` unchanged, calling ``progress(n)`` every ``every`` rows (for ``ExportKind.write``)."""
    for count, row in enumerate(rows, start=1):
        yield row
        if progress is not None and count % every == 0:
            progress(count)


# --- Starting ---------------------------------------------------------------------------------


def export_response(request: HttpRequest, *, kind: str, params: dict) -> HttpResponse:
    """What an export view answers: the workbook at once when it is small, else a job started
    in the background and a redirection to its page."""
    spec = export_kind(kind)
    total = spec.count(params)
    if total <= spec.streamed_up_to:
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed with the response
        try:
            spec.write(handle, params, lambda done: None)
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return FileResponse(
            handle, as_attachment=True, filename=spec.filename(params), content_type=XLSX_CONTENT_TYPE
        )
    job = export_start(provider=request.provider, user=request.user, kind=kind, params=params, total=total)
    messages.info(request, _("The export is being prepared: you will find it here and receive it by mail."))
    return redirect("comptes:export_detail", export_pk=job.pk)


@transaction.atomic
def export_start(
    *, provider: Provider, user: User | None, kind: str, params: dict, total: int | None = None
) -> ExportJob:
    """Record an export job and enqueue it once the transaction commits. The same export asked
    again (same kind, parameters and user) while the first is still being prepared reuses it."""
    spec = export_kind(kind)
    user = user if user is not None and user.is_authenticated else None
    recent = (
        ExportJob.objects.filter(
            kind=kind,
            params=params,
            created_by=user,
            status__in=(ExportJob.Status.PENDING, ExportJob.Status.RUNNING),
            created_at__gte=timezone.now() - REUSE_WITHIN,
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent
    job = ExportJob(
        provider=provider,
        kind=kind,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        total=spec.count(params) if total is None else total,
        filename=spec.filename(params)[:200],
        created_by=user,
    )
    job.full_clean()
    job.save()
    from comptes.tasks import export_run

    provider_id, job_id = provider.pk, job.pk
    enqueue_on_commit(export_run, provider_id, job_id)  # lost: exports_resume enqueues it again
    return job


# --- Running (the Celery task) ----------------------------------------------------------------


def _storage_name(job: ExportJob) -> str:
    return f"exports/{job.provider.number}/{uuid.uuid4().hex}.xlsx"


def export_run(*, job_id: int) -> str:
    """Write the job's workbook to the private storage, with its progress; then mail the owner.

    Idempotent: a finished job is left alone; a job found running (its worker died, the message came
    back) starts again from the beginning. Runs inside the provider's scope (``ProviderTask``)."""
    job = ExportJob.objects.select_related("provider", "created_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job.status if job else "missing"
    spec = export_kind(job.kind)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=now, done=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    storage = private_storage()
    try:
        with translation.override(job.language), tempfile.TemporaryFile(suffix=".xlsx") as handle:
            rows = spec.write(handle, job.params, progress)
            size = handle.tell()
            handle.seek(0)
            name = storage.save(_storage_name(job), File(handle, name="export.xlsx"))
    except Exception as error:  # noqa: BLE001 - any failure is shown on the job's page
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return ExportJob.Status.FAILED
    if job.file:
        storage.delete(job.file)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=name,
        size=size,
        done=rows,
        total=max(rows, 0),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    export_notify(job=job)
    return ExportJob.Status.DONE


def export_notify(*, job: ExportJob) -> None:
    """Mail the owner who asked for the export (else the provider's address) its links."""
    from comptes.mailing import mail_queue

    to = (job.created_by.email if job.created_by else "") or job.provider.email
    if not to:
        return
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {
        "job": job,
        "page_url": f"{site}{reverse('comptes:export_detail', kwargs={'export_pk': job.pk})}",
        "download_url": f"{site}{download_path(job)}",
        "link_hours": int(EXPORT_LINK_MAX_AGE.total_seconds() // 3600),
        "kept_days": EXPORT_RETENTION.days,
    }
    with translation.override(job.language):
        subject = _("Your export “%(name)s” is ready") % {"name": job.filename}
        mail_queue(
            provider=job.provider,
            kind="export.ready",
            to=[to],
            subject=subject,
            text=render_to_string("comptes/mail/export_ready.txt", context),
            html=render_to_string("comptes/mail/export_ready.html", context),
            language=job.language,
            related=job,
        )


# --- Downloading ------------------------------------------------------------------------------


def download_token(job: ExportJob) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(f"{job.provider_id}.{job.pk}")


def download_path(job: ExportJob) -> str:
    url = reverse("comptes:export_download", kwargs={"export_pk": job.pk})
    return f"{url}?t={download_token(job)}"


def download_allowed(job: ExportJob, token: str) -> bool:
    """The link is the one signed for this job and younger than ``EXPORT_LINK_MAX_AGE``."""
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            token, max_age=EXPORT_LINK_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:
        return False
    return value == f"{job.provider_id}.{job.pk}"


def export_open(job: ExportJob):
    """The job's file, opened from the private storage (the view streams it)."""
    return private_storage().open(job.file, "rb")


# --- Lost jobs (every 10 minutes) ------------------------------------------------------------

#: A job still waiting after this long lost its broker message; one running this long lost its worker.
PENDING_STALE_AFTER = timedelta(minutes=10)
RUNNING_STALE_AFTER = timedelta(hours=1)


def exports_stale() -> list[tuple[int, int]]:
    """(provider id, job id) of the jobs to enqueue again (every provider); ``export_run`` is
    idempotent and starts a running job again from the beginning."""
    from django.db.models import Q

    from comptes.scoping import scopes_disabled

    now = timezone.now()
    with scopes_disabled():
        return list(
            ExportJob.objects.filter(
                Q(status=ExportJob.Status.PENDING, created_at__lt=now - PENDING_STALE_AFTER)
                | Q(status=ExportJob.Status.RUNNING, started_at__lt=now - RUNNING_STALE_AFTER),
                created_at__gte=now - EXPORT_RETENTION,
            ).values_list("provider_id", "pk")[:200]
        )


# --- Purge (hourly) ---------------------------------------------------------------------------


def exports_purge(*, older_than: timedelta = EXPORT_RETENTION) -> int:
    """Delete the jobs created before ``older_than`` and their files (every provider). Returns the
    number of jobs deleted. A file already gone is not an error."""
    from comptes.scoping import scopes_disabled

    limit = timezone.now() - older_than
    storage = private_storage()
    deleted = 0
    with scopes_disabled():
        old = list(ExportJob.objects.filter(created_at__lt=limit).values_list("pk", "file")[:1000])
        for pk, name in old:
            if name:
                try:
                    storage.delete(name)
                except OSError:
                    logger.warning("Export file %s could not be deleted", name)
                    continue
            deleted += ExportJob.objects.filter(pk=pk).delete()[1].get("comptes.ExportJob", 0)
    return deleted
