from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptes.decorators import provider_required


@provider_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Tableau de bord (its figures and blocks come with the dashboard issue)."""
    return render(request, "reservations/dashboard.html", {})
