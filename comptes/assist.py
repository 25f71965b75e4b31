"""Assist mode: a tourism office's staff open one of their providers' back office read-only.

* ``assist_start`` (a POST of the staff space) writes the one entry of the provider's log
  ("offices.assist.started", with the staff member: the owner sees it in "Journal des accès") and
  puts the session into assist mode for that provider — only one of the staff's office (an
  administrator: any provider).
* While the session is in assist mode, ``TenantMiddleware`` resolves that provider for the
  back-office pages (the staff space keeps its own pages), shows the banner, refuses every
  non-safe method before any view runs (except leaving the mode and logging out), masks payment
  references (``common.masking``) and runs the request under ``read_only_guard``: a statement that
  would write a provider-owned table is refused, whatever the page (a GET that would write lazily
  answers the read-only page instead).
* ``assist_end`` leaves the mode (the office's log records it; the provider's log is not written).
  A consultation ends by itself after ``MAX_MINUTES`` (an hour): the next request is the staff's
  own again, with a message, and the office's log records the end as expired.
* Each request checks again that the provider is still one of the staff's office's: a session
  pointing at another office's provider is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptes.audit import log_action, log_office_action
from comptes.models import Membership, Provider, User
from comptes.scoping import scopes_disabled

SESSION_KEY = "assist"
#: Paths of the office's staff space: there, staff keep their own pages (and their menu) even in
#: assist mode; every other back-office page shows the assisted provider.
STAFF_PATH_PREFIX = "/office/"
STARTED = "offices.assist.started"
ENDED = "offices.assist.ended"
MAX_MINUTES = 60  # a consultation ends by itself after this long


@dataclass(frozen=True)
class Assist:
    """The assist session of a request (``request.assist``; ``None`` outside assist mode)."""

    provider: Provider
    staff: User
    started_at: datetime | None


def is_staff_membership(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.OFFICE_STAFF


def may_assist(*, user: User, membership: Membership | None, provider: Provider) -> bool:
    """Staff of the provider's office; an administrator (no membership of their own): any provider."""
    if is_staff_membership(membership):
        return provider.office_id is not None and provider.office_id == membership.office_id
    return bool(user.is_superuser and membership is None)


def assist_for(request) -> Assist | None:
    """The request's assist session, checked again against the staff's office; a stale or foreign
    one is dropped from the session."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    membership = request.membership
    provider = None
    if isinstance(state, dict) and isinstance(state.get("provider"), int):
        with scopes_disabled():
            provider = Provider.objects.select_related("office").filter(pk=state["provider"]).first()
    if provider is None or not may_assist(user=request.user, membership=membership, provider=provider):
        request.session.pop(SESSION_KEY, None)
        return None
    started = state.get("started")
    try:
        started_at = datetime.fromisoformat(started) if started else None
    except (TypeError, ValueError):
        started_at = None
    assist = Assist(provider=provider, staff=request.user, started_at=started_at)
    if started_at is None or timezone.now() - started_at > timedelta(minutes=MAX_MINUTES):
        # A consultation lasts an hour at most: past it, the session is the staff's own again.
        request.session.pop(SESSION_KEY, None)
        request.assist_expired = provider  # the middleware takes the staff back to its page
        _log_end(request, assist, expired=True)
        messages.info(
            request,
            _("Your read-only consultation of %(account)s ended after %(minutes)s minutes.")
            % {"account": provider.account_name, "minutes": MAX_MINUTES},
        )
        return None
    return assist


@transaction.atomic
def assist_start(*, request, provider: Provider) -> None:
    """Open ``provider``'s back office read-only: one entry in its log, one in the office's, and
    the session in assist mode. Refused (``PermissionDenied``) outside the staff's office."""
    user = request.user
    if not may_assist(user=user, membership=request.membership, provider=provider):
        raise PermissionDenied("Not a provider of this office")
    office = request.membership.office if is_staff_membership(request.membership) else None
    data = {
        "staff": user.email,
        "staff_name": user.get_full_name(),
        "office": office.name if office else "",
    }
    entry = log_action(provider, STARTED, user=user, data=data)
    log_office_action(
        office,
        STARTED,
        user=user,
        data={"provider": provider.pk, "number": provider.number, "account": provider.account_name},
    )
    request.session[SESSION_KEY] = {
        "provider": provider.pk,
        "started": entry.created_at.isoformat(),
        "entry": entry.pk,
    }


def assist_end(*, request) -> Provider | None:
    """Leave assist mode; the provider it was on (``None`` if there was none)."""
    assist = getattr(request, "assist", None)
    request.session.pop(SESSION_KEY, None)
    if assist is None:
        return None
    _log_end(request, assist)
    return assist.provider


def _log_end(request, assist: Assist, *, expired: bool = False) -> None:
    """The office's log: the consultation ended (left, or ``expired`` after ``MAX_MINUTES``)."""
    office = request.membership.office if is_staff_membership(request.membership) else None
    minutes = None
    if assist.started_at is not None:
        minutes = max(0, int((timezone.now() - assist.started_at).total_seconds() // 60))
    data = {"provider": assist.provider.pk, "number": assist.provider.number, "minutes": minutes}
    log_office_action(office, ENDED, user=request.user, data=data | ({"expired": True} if expired else {}))


# --- nothing written to a provider-owned table ------------------------------------------------------


_read_only: ContextVar[bool] = ContextVar("assist_read_only", default=False)


def is_read_only() -> bool:
    """Whether the current request is in assist mode: code that would create a missing row
    lazily on a read (settings rows…) returns an unsaved default instead."""
    return _read_only.get()


@contextmanager
def read_only() -> Iterator[None]:
    """Assist mode for the code inside: ``is_read_only()`` and the write guard on the connection."""
    from django.db import connection

    token = _read_only.set(True)
    try:
        with connection.execute_wrapper(read_only_guard):
            yield
    finally:
        _read_only.reset(token)


class ReadOnlyRefused(PermissionDenied):
    """A write attempted in assist mode (Django answers it with the 403 page, which says why)."""


@cache
def provider_owned_tables() -> frozenset[str]:
    """Tables of the providers and of every model hanging off one: a foreign key (or one-to-one) to
    ``Provider`` or to such a model, many-to-many tables included (memberships too)."""
    from django.apps import apps

    models = list(apps.get_models(include_auto_created=True))
    owned = {Provider}
    grown = True
    while grown:
        grown = False
        for model in models:
            if model not in owned and any(
                field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model in owned
                for field in model._meta.concrete_fields
            ):
                owned.add(model)
                grown = True
    return frozenset(model._meta.db_table for model in owned)


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([\w.]+)"?', re.I)


def written_table(sql: str) -> str | None:
    """The table a statement writes (``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``), else ``None``."""
    match = _WRITE.match(sql or "")
    return match.group(1).strip('"') if match else None


def read_only_guard(execute, sql, params, many, context):
    """``connection.execute_wrapper``: refuse a statement writing a provider-owned table."""
    table = written_table(sql)
    if table is not None and table in provider_owned_tables():
        raise ReadOnlyRefused(f"Assist mode is read-only ({table})")
    return execute(sql, params, many, context)
