"""The tourism-office staff space. Every view is `@office_required` and reads only its office's data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptes.decorators import office_required


@office_required
def home(request: HttpRequest) -> HttpResponse:
    providers = request.office.providers.order_by("number")
    return render(request, "offices/home.html", {"office": request.office, "providers": providers})
