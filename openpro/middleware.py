"""Language: French for everyone, English for whoever chose it (the language cookie).

The browser's Accept-Language is not used: owners and offices are French, and the product speaks
French until a user picks English.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` first, before the host name is checked: the container's health probe
    calls it as ``localhost``, which is not one of the site's ``ALLOWED_HOSTS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from openpro.views import healthz

            return healthz(request)
        return self.get_response(request)
