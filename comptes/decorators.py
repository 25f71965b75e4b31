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


def is_administrator(request) -> bool:
    """An administrator of the application (``is_superuser``) with no provider or office of their
    own: the staff space's views that allow it work for the providers with no office."""
    return bool(request.user.is_authenticated and request.user.is_superuser and request.membership is None)


def office_required(view=None, *, administrators: bool = False):
    """The view is part of the tourism office's staff space (``request.office``).

    Anonymous → login page; an owner, or a user without an office → 404. With
    ``administrators=True`` an administrator may open it too (``request.office`` is then ``None``:
    the view works on the providers with no office — the administrator's own queue).
    Views are marked ``office_required`` so that the isolation tests walk every one of them.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = request.office is not None and request.provider is None
            if not staff and not (administrators and is_administrator(request)):
                raise Http404("No office account")
            return func(request, *args, **kwargs)

        wrapper.office_required = True
        wrapper.administrators_allowed = administrators
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def administrator_required(func):
    """Screens of the application's administrators (``is_superuser``): offices and their staff."""

    @wraps(func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_administrator(request):
            raise Http404("Not an administrator")
        return func(request, *args, **kwargs)

    wrapper.administrator_required = True
    return wrapper
