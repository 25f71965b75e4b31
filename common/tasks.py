"""Handing work to Celery without ever failing the request that recorded it.

The work itself is always recorded in the database first (a queued mail, a sync request); the task
is only a prompt to do it now. So a broker that is down (Redis stopped, a full disk) is logged and
forgotten: the periodic dispatchers find the recorded work and do it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **options: Any) -> bool:
    """``task.apply_async(args, **options)``; ``False`` (with a logged warning) if it could not be
    queued."""
    try:
        task.apply_async(args, **options)
    except Exception as error:  # noqa: BLE001 - any broker failure: the dispatcher will do it
        logger.warning("Could not enqueue %s%r (the dispatcher will pick it up): %s", task.name, args, error)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any, **options: Any) -> None:
    """``enqueue`` once the current transaction commits (nothing for a rolled-back one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **options))
