"""Resolve the tenant of a request and run the view inside its scope."""

from __future__ import annotations

from django.conf import settings

from comptes.models import Membership
from comptes.scoping import provider_scope


class TenantMiddleware:
    """Sets ``request.provider`` / ``request.office`` from the user's membership.

    For a provider user the whole view — and the rendering of a ``TemplateResponse`` — runs inside
    ``scope(provider=…)``: scoped managers then only ever see that provider's rows, and an id of
    another provider's object simply does not exist (404). Without a provider, scoped queries raise.
    Streaming responses must open their own scope (their body is produced after this returns).

    Paths under ``settings.TENANT_FREE_PATH_PREFIXES`` (public feeds polled by other platforms)
    resolve no tenant: their views find their provider from the URL, and the request reads neither
    the session nor the membership tables, even with a session cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.free_prefixes = tuple(getattr(settings, "TENANT_FREE_PATH_PREFIXES", ()))

    def __call__(self, request):
        request.provider = None
        request.office = None
        request.membership = None
        if self.free_prefixes and request.path_info.startswith(self.free_prefixes):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = (
                Membership.objects.filter(user=user)
                .select_related("provider", "provider__office", "office")
                .order_by("id")
                .first()
            )
            if membership is not None:
                request.membership = membership
                request.provider = membership.provider
                request.office = membership.office or (
                    membership.provider.office if membership.provider else None
                )
        if request.provider is None:
            return self.get_response(request)
        with provider_scope(request.provider):
            response = self.get_response(request)
            if (
                hasattr(response, "render")
                and callable(response.render)
                and not getattr(response, "is_rendered", True)
            ):
                response.render()
        return response
