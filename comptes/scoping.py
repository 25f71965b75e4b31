"""Tenant isolation in one place (django-scopes).

* ``ScopedManager(provider="provider")`` on every provider-owned model: a query with no active
  provider scope raises ``ScopeError`` instead of leaking rows.
* ``TenantMiddleware`` runs each back-office request (and the rendering of its response) inside
  ``scope(provider=request.provider)``.
* Celery tasks and commands load the provider with scopes disabled, then work inside
  ``provider_scope(provider)``.
"""

from __future__ import annotations

from contextlib import contextmanager

from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = ["ScopedManager", "provider_scope", "scope", "scopes_disabled"]


@contextmanager
def provider_scope(provider):
    """Activate the scope of one provider. Refuses ``None`` (which would disable filtering)."""
    if provider is None:
        raise ValueError("provider_scope() needs a provider; None would disable tenant filtering.")
    with scope(provider=provider):
        yield
