"""For the tests that start processes of their own (gunicorn, Celery workers): how those reach the
test's database."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def child_database_url() -> str:
    """This test's database (pytest-django's, with the xdist worker's suffix) as a ``DATABASE_URL``:
    a TCP host, or the socket directory of the embedded server (given as the ``host`` option there;
    percent-encoded, as dj-database-url reads it)."""
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = quote(params["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    options = params.get("OPTIONS") or {}
    host = str(params["HOST"] or options.get("host") or "127.0.0.1")
    port = params["PORT"] or options.get("port") or ("" if host.startswith("/") else 5432)
    if host.startswith("/"):
        host = quote(host, safe="")
    return f"postgres://{auth}{host}{f':{port}' if port else ''}/{params['NAME']}"
