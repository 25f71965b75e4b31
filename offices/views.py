"""The tourism-office staff space. Every view is `@office_required` and reads only its office's data."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commercialisation.widgets import office_snippet
from comptes.decorators import office_required


@office_required
def home(request: HttpRequest) -> HttpResponse:
    providers = request.office.providers.order_by("number")
    base = settings.SITE_URL or request.build_absolute_uri("/")
    context = {
        "office": request.office,
        "providers": providers,
        "widget": office_snippet(base=base, office=request.office, lang="fr"),
    }
    return render(request, "offices/home.html", context)
