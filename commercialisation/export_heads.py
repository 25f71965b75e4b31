"""The heads of the iCal exports kept in each web process, told of every change by PostgreSQL.

A calendar poller's conditional request is the hottest path of the site (thousands of subscribed
feeds asking "anything new?" every few minutes), and nearly every answer is a 304. With this, a
304 reads the export's head (version, token, lodging) from this process's memory and makes no
query at all; only a miss, or a new version, asks the database.

Staying right without a query:

- Triggers on the export and feed tables (migration ``0005_ical_export_notify``) send
  ``NOTIFY openpro_ical_export, '<lodging id>'`` for every update or deletion of an export (a new
  version, a new token) and every change of a feed. PostgreSQL delivers a notification only once
  its transaction commits, so a process never forgets a change it could have read.
- One thread per process holds a connection that ``LISTEN``\\ s. Heads are served from memory only
  while that connection is known alive; when it breaks (the database restarted, the network), the
  memory is emptied and every request queries again until the thread is listening once more. The
  thread pings its connection every ``PING_SECONDS``; an entry older than
  ``ICAL_EXPORT_HEADS_TTL`` is read again anyway, which bounds what a silently lost connection
  could leave stale.
- A head read from the database is kept only if no notification arrived while it was being read
  (a generation counter), so a change committed during the read cannot be hidden by it.

The one gap is the time a notification takes to reach the thread after its commit (milliseconds):
a poll in that instant is answered as if it had come a moment earlier.

``ICAL_EXPORT_HEADS`` (on by default; off in the test settings, whose transactions never commit)
turns it on; ``0`` makes every request query, as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import connections

from commercialisation import selectors

logger = logging.getLogger(__name__)

CHANNEL = "openpro_ical_export"
PING_SECONDS = 5.0
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)

Key = tuple[str, int | None]  # (token, feed id)


class ExportHeads:
    """Heads by (token, feed id), dropped by lodging when a notification names it."""

    def __init__(self, *, entries: int, ttl: float, connect: Callable[[], psycopg.Connection]) -> None:
        self.entries = entries
        self.ttl = ttl
        self._connect = connect
        self._lock = threading.Lock()
        self._data: OrderedDict[Key, tuple[object, float]] = OrderedDict()
        self._by_lodging: dict[int, set[Key]] = {}
        self._generation = 0
        self._listening = False
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stop = threading.Event()
        self.listener_pid: int | None = None  # the backend of the LISTEN connection (tests)

    # --- the request side ------------------------------------------------------------------------

    def get(self, key: Key) -> tuple[object | None, int | None]:
        """``(head, None)`` when known; ``(None, generation)`` when it must be read, to pass to
        ``store`` with what was read; ``(None, None)`` when it may not be kept (not listening)."""
        if self.entries <= 0:
            return None, None
        self._ensure_listener()
        with self._lock:
            if not self._listening:
                return None, None
            item = self._data.get(key)
            if item is not None:
                head, stored_at = item
                if time.monotonic() - stored_at < self.ttl:
                    self._data.move_to_end(key)
                    return head, None
                self._drop(key)
            return None, self._generation

    def store(self, key: Key, head, generation: int) -> None:
        with self._lock:
            if not self._listening or generation != self._generation:
                return  # a change arrived during the read (or the listener broke): read again next time
            self._drop(key)
            self._data[key] = (head, time.monotonic())
            self._by_lodging.setdefault(head.lodging_id, set()).add(key)
            while len(self._data) > self.entries:
                self._drop(next(iter(self._data)))

    def __len__(self) -> int:
        return len(self._data)

    @property
    def listening(self) -> bool:
        return self._listening

    # --- the listener side -----------------------------------------------------------------------

    def changed(self, lodging_id: int) -> None:
        with self._lock:
            self._generation += 1
            for key in self._by_lodging.pop(lodging_id, ()):
                self._data.pop(key, None)

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self._listening = listening
            self._clear()

    def _forget_all(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._generation += 1
        self._data.clear()
        self._by_lodging.clear()

    def _drop(self, key: Key) -> None:
        item = self._data.pop(key, None)
        if item is not None:
            keys = self._by_lodging.get(item[0].lodging_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_lodging[item[0].lodging_id]

    def _ensure_listener(self) -> None:
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == pid and self._thread is not None and self._thread.is_alive():
                return
            # A new process (forked by gunicorn) starts its own listener and forgets its parent's heads.
            self._pid = pid
            self._listening = False
            self._clear()
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._listen_forever, name="ical-export-heads", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop listening and forget everything (tests)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=PING_SECONDS + 2)
        self._thread = None
        self._set_listening(False)

    def _listen_forever(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listener_pid = conn.info.backend_pid
                    self._set_listening(True)  # what was kept before may have missed changes
                    failures = 0
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=PING_SECONDS):
                            self._notified(notify.payload)
                            if self._stop.is_set():
                                break
                        conn.execute("SELECT 1")  # a connection lost without a word is noticed here
            except Exception as error:  # noqa: BLE001 - any failure: serve from the database, retry
                if self._listening:
                    logger.warning(
                        "iCal export notifications lost, reading heads from the database: %s", error
                    )
                self._set_listening(False)
                self._stop.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1
        self._set_listening(False)

    def _notified(self, payload: str) -> None:
        try:
            lodging_id = int(payload)
        except ValueError:
            self._forget_all()  # not a lodging id: forget everything rather than guess
            return
        self.changed(lodging_id)


def _connect() -> psycopg.Connection:
    params = connections["default"].get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):  # Django's own adapters
        params.pop(name, None)
    return psycopg.connect(**params, autocommit=True)


HEADS = ExportHeads(entries=settings.ICAL_EXPORT_HEADS, ttl=settings.ICAL_EXPORT_HEADS_TTL, connect=_connect)


def export_head(*, token: str, feed_id: int | None = None) -> selectors.ExportHead | None:
    """``selectors.export_head``, from this process's memory when it is known to be current."""
    key = (token, feed_id)
    head, generation = HEADS.get(key)
    if head is not None:
        return head
    head = selectors.export_head(token=token, feed_id=feed_id)
    if head is not None and head.feed_found and generation is not None:
        HEADS.store(key, head, generation)
    return head
