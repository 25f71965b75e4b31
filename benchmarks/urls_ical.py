"""The project's URLs plus the ceiling of ``benchmarks/ical_export.py``: the bytes and headers of a
real export (files written by the benchmark) served through the same middleware, under the same
``/ical/`` prefix, without the database. Benchmark-only (``benchmarks/settings_ical.py``)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date
from django.views.decorators.http import require_safe

from openpro.urls import urlpatterns as project_urlpatterns


@cache
def _recorded() -> tuple[bytes, dict[str, str]]:
    base = Path(os.environ["BENCH_CEILING_FILE"])
    return base.read_bytes(), json.loads(base.with_suffix(".json").read_text())


@require_safe
def ceiling(request: HttpRequest) -> HttpResponse:
    body, headers = _recorded()
    response = get_conditional_response(
        request, etag=headers["ETag"], last_modified=parse_http_date(headers["Last-Modified"])
    )
    if response is None:
        response = HttpResponse(body, content_type=headers["Content-Type"])
        response["Content-Disposition"] = headers["Content-Disposition"]
    for name in ("ETag", "Last-Modified", "Cache-Control", "X-Robots-Tag"):
        response[name] = headers[name]
    return response


urlpatterns = [re_path(r"^ical/ceiling\.ics$", ceiling), *project_urlpatterns]
