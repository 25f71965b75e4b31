"""Real concurrency for the tests: threads released at once, each on its own database connection."""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import connection

UNAVAILABLE = "Ces dates ne sont plus disponibles."


def race(count: int, attempt, refusal: dict | None = None) -> list[str]:
    """Run ``attempt(index)`` in ``count`` threads released at once; each outcome is "ok",
    "refused" (the ``ValidationError`` expected, by default the dates-unavailable one) or the
    unexpected error."""
    refusal = refusal if refusal is not None else {"arrival": [UNAVAILABLE]}
    start = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            attempt(index)
            outcome = "ok"
        except ValidationError as error:
            outcome = "refused" if error.message_dict == refusal else repr(error)
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertion
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
