from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptes.decorators import provider_required
from hebergements.models import Commune


@provider_required(setup_complete=False)
def commune_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the communes matching a name or postcode prefix (htmx commune picker)."""
    query = next((v for k, v in request.GET.items() if k == "q" or k.endswith("_search")), "").strip()
    communes = Commune.objects.none()
    if len(query) >= 2:
        condition = (
            Q(postcode__startswith=query) if query[:1].isdigit() else Q(name__unaccent__istartswith=query)
        )
        communes = Commune.objects.filter(condition).order_by("name", "postcode")[:30]
    return render(request, "hebergements/commune_options.html", {"communes": communes, "query": query})
