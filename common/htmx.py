"""htmx helpers (django-htmx sets ``request.htmx``)."""

from __future__ import annotations

from django.http import HttpRequest


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element an htmx request targets; None for a normal request or a history
    restore (which wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    return htmx.target
