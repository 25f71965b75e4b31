"""Project-level views: health check."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.static import serve


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the Redis broker, when one is configured) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {type(error).__name__}"
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        try:
            import redis

            client = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
            )
            client.ping()
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def media(request: HttpRequest, path: str):
    """Uploaded files under ``MEDIA_ROOT`` (when the app serves them itself, see ``SERVE_MEDIA``)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response


csp_logger = logging.getLogger("openpro.csp")
CSP_REPORT_MAX_BYTES = 16 * 1024


@csrf_exempt  # browsers post reports without a token
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Content-Security-Policy violation reports: logged (a bounded size, never stored)."""
    body = request.body[:CSP_REPORT_MAX_BYTES]
    try:
        report = json.loads(body or b"{}")
    except ValueError:
        report = {"unreadable": body[:200].decode("utf-8", "replace")}
    details = report.get("csp-report", report) if isinstance(report, dict) else report
    csp_logger.warning("CSP violation: %s", json.dumps(details, ensure_ascii=False)[:2000])
    return HttpResponse(status=204)
