"""Access rules of back-office views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect


def provider_required(view=None, *, setup_complete: bool = True):
    """The view is part of a provider's back office.

    Anonymous → login page; a user without a provider → 404; a provider whose first-connection
    wizard is not done → the wizard (unless ``setup_complete=False``).
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.provider is None:
                raise Http404("No provider account")
            if setup_complete and not request.provider.is_setup_complete:
                return redirect("hebergements:wizard")
            return func(request, *args, **kwargs)

        wrapper.provider_required = True
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def office_required(func):
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.office is None or request.provider is not None:
            raise Http404("No office account")
        return func(request, *args, **kwargs)

    return wrapper
