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

from celery import Task
from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = ["ProviderTask", "ScopedManager", "provider_scope", "scope", "scopes_disabled"]


@contextmanager
def provider_scope(provider):
    """Activate the scope of one provider. Refuses ``None`` (which would disable filtering)."""
    if provider is None:
        raise ValueError("provider_scope() needs a provider; None would disable tenant filtering.")
    with scope(provider=provider):
        yield


class ProviderTask(Task):
    """Base of every Celery task that works for one provider (``@shared_task(base=ProviderTask)``).

    The task's first argument is the provider's id (tasks take primary keys only): the task loads the
    provider with scopes disabled and runs inside its scope, receiving the ``Provider`` itself. A
    provider deleted meanwhile makes the task return ``None`` without running.
    """

    abstract = True

    def __call__(self, provider_id: int, *args, **kwargs):
        from comptes.models import Provider

        with scopes_disabled():
            provider = Provider.objects.filter(pk=provider_id).first()
        if provider is None:
            return None
        with provider_scope(provider):
            # ``run`` directly: the worker (or ``apply``) has already pushed the request with the
            # message's own arguments, which a retry sends again (the id, never the instance).
            return self.run(provider, *args, **kwargs)
