"""The client file ("fichier clients"): list and search, a client's card with its files, merging the
duplicates that share an e-mail, the Excel extraction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.pagination import paginate
from common.params import INT, int_param, query_params
from comptes.audit import history
from comptes.decorators import provider_required
from comptes.exports import export_response
from reservations import selectors
from reservations.forms.suivi import ClientSearchForm
from reservations.models import Client
from reservations.services.clients import client_merge_duplicates

PAGE_SIZE = 50


@provider_required
@query_params(page=INT)
def client_list(request: HttpRequest) -> HttpResponse:
    """ "Clients": search by name, e-mail, phone or city; files and duplicates of each client."""
    form = ClientSearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = paginate(
        selectors.clients_search(text), int_param(request, "page", 1), PAGE_SIZE, selectors.client_rows
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reservations/client_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "text": text},
    )


@provider_required
def client_export(request: HttpRequest) -> HttpResponse:
    """ "Extraction Excel du fichier client" (the clients of the search); a big one is prepared
    in the background (``comptes.exports``)."""
    form = ClientSearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    params = {"q": text, "today": timezone.localdate().isoformat()}
    return export_response(request, kind="clients", params=params)


@provider_required
def client_detail(request: HttpRequest, client_pk: int) -> HttpResponse:
    """A client's card: contact details, files, duplicates by e-mail, history of merges."""
    client = get_object_or_404(Client, pk=client_pk)
    return render(
        request,
        "reservations/client_detail.html",
        {
            "client": client,
            "bookings": selectors.client_bookings(client),
            "duplicates": selectors.client_duplicates(client),
            "history": [(entry, merge_summary(entry)) for entry in history(client)[:50]],
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def client_merge(request: HttpRequest, client_pk: int) -> HttpResponse:
    """ "Fusionner les doublons": the cards with the same e-mail are merged into this one."""
    client = get_object_or_404(Client, pk=client_pk)
    if request.method == "POST":
        try:
            cards, files = client_merge_duplicates(client=client, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "%(cards)d duplicate merged into this card",
                    "%(cards)d duplicates merged into this card",
                    cards,
                )
                % {"cards": cards}
                + " — "
                + ngettext("%(files)d file moved.", "%(files)d files moved.", files) % {"files": files},
            )
    return redirect("reservations:client_detail", client_pk=client.pk)


def merge_summary(entry) -> str:
    """The history line of a merge (used by the client card's template)."""
    data = entry.data or {}
    names = ", ".join(str(item.get("name")) for item in data.get("merged", []))
    return _("Merged: %(names)s — files %(files)s") % {
        "names": names,
        "files": ", ".join(f"n°{number}" for number in data.get("files", [])) or "—",
    }
