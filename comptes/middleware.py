"""Resolve the tenant of a request and run the view inside its scope."""

from __future__ import annotations

from contextlib import ExitStack

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from common.masking import masked_stream, masking
from comptes import assist as assist_mode
from comptes.models import Membership
from comptes.scoping import provider_scope

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class TenantMiddleware:
    """Sets ``request.provider`` / ``request.office`` from the user's membership.

    For a provider user the whole view — and the rendering of a ``TemplateResponse`` — runs inside
    ``scope(provider=…)``: scoped managers then only ever see that provider's rows, and an id of
    another provider's object simply does not exist (404). Without a provider, scoped queries raise.
    Streaming responses must open their own scope (their body is produced after this returns).

    Assist mode (``comptes.assist``): when an office's staff member's session is assisting one of
    the office's providers, ``request.assist`` is set and the back-office pages (not the staff
    space's own) resolve that provider; every non-safe method is refused here, before any view
    runs (except leaving the mode and logging out); the whole request runs with payment references
    masked and under a guard refusing any write to a provider-owned table.

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
        request.assist = None
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
            if request.provider is None and (request.membership is not None or user.is_superuser):
                request.assist = assist_mode.assist_for(request)
                expired = getattr(request, "assist_expired", None)
                if expired is not None and not request.path_info.startswith(assist_mode.STAFF_PATH_PREFIX):
                    # The consultation just ended by itself: the provider's page of the staff space.
                    return redirect("offices:provider_detail", provider_pk=expired.pk)
        if request.assist is not None:
            return self._assisted(request)
        return self._respond(request)

    def _respond(self, request):
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

    def _assisted(self, request):
        """A request in assist mode: read-only, references masked, the assisted provider resolved
        outside the staff space."""
        assist = request.assist
        if request.method not in SAFE_METHODS and request.path_info not in self._assist_exits():
            return self._refused(request)
        if not request.path_info.startswith(assist_mode.STAFF_PATH_PREFIX):
            request.provider = assist.provider
            request.office = assist.provider.office
        with ExitStack() as stack:
            stack.enter_context(masking())
            stack.enter_context(assist_mode.read_only())
            response = self._respond(request)
        if getattr(response, "streaming", False):
            response.streaming_content = self._guarded_stream(response.streaming_content)
        return response

    @staticmethod
    def _guarded_stream(chunks):
        with assist_mode.read_only():
            yield from masked_stream(chunks)

    @staticmethod
    def _assist_exits() -> tuple[str, ...]:
        return (reverse("offices:assist_exit"), reverse("account_logout"))

    @staticmethod
    def _refused(request) -> HttpResponse:
        """A change asked in assist mode: nothing is done. An htmx request gets a 403 that reloads
        the page (where the message shows); a form goes back to its page with the message."""
        text = _("Read-only: you are consulting this account, nothing was saved.")
        if getattr(request, "htmx", False):
            messages.warning(request, text)
            response = HttpResponseForbidden(text)
            response["HX-Refresh"] = "true"
            return response
        back = request.headers.get("referer", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.warning(request, text)
            return redirect(back)
        html = render_to_string("403.html", {"read_only": True}, request=request)  # says it itself
        return HttpResponseForbidden(html)
