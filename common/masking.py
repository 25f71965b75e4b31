"""Masked payment references (assist mode: office staff reading a provider's back office).

While a request runs in assist mode (``comptes.middleware.TenantMiddleware`` opens
``masking()`` around it, and around the body of a streamed export), every place that shows a
payment reference, an IBAN, a BIC or an online payment identifier passes it through ``masked``:
only its last 4 characters remain. Outside assist mode ``masked`` returns the value unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_active: ContextVar[bool] = ContextVar("masking_active", default=False)

VISIBLE = 4
DOTS = "••••"


def mask_reference(value) -> str:
    """``"FR7630006000011234567890189"`` → ``"••••0189"``; 4 characters or fewer: all hidden."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    compact = text.replace(" ", "")
    if len(compact) <= VISIBLE:
        return DOTS
    return DOTS + compact[-VISIBLE:]


def masking_active() -> bool:
    return _active.get()


def masked(value):
    """The value as the current request may show it: masked in assist mode, else as it is."""
    if not _active.get() or value in (None, ""):
        return value
    return mask_reference(value)


@contextmanager
def masking(active: bool = True) -> Iterator[None]:
    token = _active.set(active)
    try:
        yield
    finally:
        _active.reset(token)


def masked_stream(chunks) -> Iterator:
    """A streamed body produced with masking on (it runs after the middleware has returned)."""
    with masking():
        yield from chunks
