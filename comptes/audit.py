"""Audit log: every state change of a booking, payment, price or invoice writes one entry."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from comptes.models import AuditEntry, OfficeAuditEntry


def log_action(
    obj: models.Model, action: str, *, user=None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record ``action`` (e.g. ``"booking.payment.added"``) on ``obj``; ``obj`` must have a provider
    (or be the provider itself: the account's own history — status, invitations, deactivation)."""
    from comptes.models import Provider

    return AuditEntry.objects.create(
        provider_id=obj.pk if isinstance(obj, Provider) else obj.provider_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        data=data or {},
    )


def log_office_action(
    office, action: str, *, user=None, data: dict[str, Any] | None = None
) -> OfficeAuditEntry:
    """Record ``action`` (e.g. ``"office.staff.invited"``) on the office's own log (``office`` may be
    ``None``: an administrator's action on the providers with no office). What concerns one
    provider goes to that provider's log (``log_action``) instead, or as well."""
    return OfficeAuditEntry.objects.create(
        office=office,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        data=data or {},
    )


def audit_date(value) -> str:
    """A date as audit entries store it (ISO, empty for none)."""
    return value.isoformat() if value else ""


def history(obj: models.Model):
    """The log entries of ``obj``, newest first (inside the provider scope)."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=obj.pk
    ).select_related("user")
