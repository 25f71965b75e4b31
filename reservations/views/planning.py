"""SUIVI DES RÉSERVATIONS > "Mon planning": the planning, the selection of days, sale prohibitions.

Views are thin: a form parses the request, one service applies the rule, the page (or, for htmx,
the partial the request targets) is rendered again.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.htmx import htmx_target
from common.params import (
    CHOICE,
    DATE,
    ID,
    INT,
    TEXT,
    UrlQuery,
    date_param,
    int_param,
    object_param,
    query_params,
    text_param,
)
from comptes.decorators import provider_required
from hebergements.models import Lodging, LodgingType
from hebergements.online import with_online_status
from reservations import availability, services
from reservations.forms.bookings import ProhibitionForm
from reservations.planning import (
    COMPACT_DAYS,
    NORMAL_DAYS,
    PAGE_SIZE,
    add_months,
    build_planning,
    planning_lodgings,
)

PLANNING_DISPLAY_KEY = "planning_display"


def _planning_start(request: HttpRequest):
    return date_param(request, "debut") or date_param(request, "start", source="POST") or timezone.localdate()


def _planning_url(start=None) -> str:
    url = reverse("reservations:planning")
    return f"{url}?{urlencode({'debut': start.isoformat()})}" if start else url


def _lodgings_page(request: HttpRequest):
    """The page of lodgings shown (``?q=`` a name or reference, ``?type=``, ``?page=``), and the
    query string that keeps them across the planning's links."""
    source = request
    current = getattr(getattr(request, "htmx", None), "current_url", None)
    if request.method == "POST" and current:  # a change made from the dialog: the page shown then
        source = UrlQuery(current)
    text = text_param(source, "q", max_length=100)
    kind = text_param(source, "type")
    kind = kind if kind in LodgingType.values else ""
    number = int_param(source, "page", 1)
    page = Paginator(planning_lodgings(text=text, kind=kind), PAGE_SIZE).get_page(number)
    kept = {key: value for key, value in (("q", text), ("type", kind)) if value}
    if page.number > 1:
        kept["page"] = page.number
    return page, text, kind, urlencode(kept)


def _planning_context(request: HttpRequest, start) -> dict:
    compact = request.session.get(PLANNING_DISPLAY_KEY) == "compact"
    today = timezone.localdate()
    page, text, kind, kept = _lodgings_page(request)
    planning = build_planning(
        start=start,
        days=COMPACT_DAYS if compact else NORMAL_DAYS,
        today=today,
        compact=compact,
        lodgings=list(page.object_list),
    )
    with_online_status([row.lodging for row in planning.lodgings], provider=request.provider)
    here = f"{reverse('reservations:planning')}?{urlencode({'debut': start.isoformat()})}"

    def page_url(number: int) -> str:
        query = {"debut": start.isoformat(), **{k: v for k, v in (("q", text), ("type", kind)) if v}}
        return f"{reverse('reservations:planning')}?{urlencode({**query, 'page': number})}"

    return {
        "planning": planning,
        "today": today,
        "previous_lodgings_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_lodgings_url": page_url(page.next_page_number()) if page.has_next() else "",
        "previous_start": add_months(start, -1),
        "next_start": add_months(start, 1),
        "planning_url": reverse("reservations:planning"),
        "lodgings_page": page,
        "filters": {"q": text, "type": kind},
        "lodging_types": LodgingType.choices,
        "show_filters": page.paginator.count > PAGE_SIZE or bool(text or kind),
        "kept": f"&{kept}" if kept else "",
        "planning_here": quote(here + (f"&{kept}" if kept else ""), safe=""),
    }


def _render_planning_body(request: HttpRequest, start) -> HttpResponse:
    response = render(request, "reservations/planning.html#planning-body", _planning_context(request, start))
    response["HX-Retarget"] = "#planning-body"
    response["HX-Reswap"] = "outerHTML"
    response["HX-Trigger"] = "planning-changed"
    return response


@provider_required
@query_params(debut=DATE, affichage=CHOICE, q=TEXT, type=CHOICE, page=INT)
@gzip_page  # a big account's planning is ~700 KB of HTML, ~10 times less compressed
def planning(request: HttpRequest) -> HttpResponse:
    """ "Mon planning": every lodging, its reservations row and its price row, for 21 or 45 days."""
    display = request.GET.get("affichage")
    if display in ("normal", "compact"):
        request.session[PLANNING_DISPLAY_KEY] = display
    start = _planning_start(request)
    template = "reservations/planning.html"
    if htmx_target(request) == "planning-body":
        template += "#planning-body"
    return render(request, template, _planning_context(request, start))


def _selection_state(lodging: Lodging, arrival, departure) -> str:
    """free: a unit is free on every night; prohibited: every night is closed by a sale prohibition;
    booked: some night is full; mixed: prohibited and free nights."""
    by_day = availability.nights([lodging], arrival, departure, include_external=False)[lodging.pk]
    states = {night.state for night in by_day.values()}
    if states <= {"free", "partial"}:
        return "free"
    if states == {"prohibited"}:
        return "prohibited"
    return "booked" if "booked" in states else "mixed"


@provider_required
@query_params(lodging=ID, arrival=DATE, departure=DATE, debut=DATE)
def planning_selection(request: HttpRequest) -> HttpResponse:
    """What can be done on the days selected on the planning: create a file or sale prohibitions on
    free days; allow sale again on prohibited days."""
    lodging = object_param(request, "lodging", Lodging.objects.active())
    arrival, departure = date_param(request, "arrival"), date_param(request, "departure")
    start = _planning_start(request)
    if lodging is None or arrival is None or departure is None or departure <= arrival:
        return redirect(_planning_url(start))
    state = _selection_state(lodging, arrival, departure)
    initial = {"lodging": lodging, "arrival": arrival, "departure": departure, "start": start}
    context = {
        "lodging": lodging,
        "arrival": arrival,
        "departure": departure,
        "last_night": departure - timedelta(days=1),
        "nights": (departure - arrival).days,
        "state": state,
        "start": start,
        "form": ProhibitionForm(initial=initial, with_units=availability.capacity_of(lodging) > 1),
        "booking_create_url": reverse("reservations:booking_create")
        + "?"
        + urlencode(
            {"lodging": lodging.pk, "arrival": arrival.isoformat(), "departure": departure.isoformat()}
        ),
        "planning_back_url": _planning_url(start),
    }
    template = "reservations/planning_selection.html"
    if htmx_target(request) == "planning-dialog-content":
        template += "#selection"
    return render(request, template, context)


def _prohibition_view(request: HttpRequest, *, remove: bool) -> HttpResponse:
    lodging = object_param(request, "lodging", Lodging.objects.active())
    if request.method == "POST":  # the form's choice; a foreign id is refused by the form itself
        lodging = Lodging.objects.active().filter(pk=int_param(request, "lodging", 0, source="POST")).first()
    initial = {
        "lodging": lodging,
        "arrival": date_param(request, "arrival"),
        "departure": date_param(request, "departure"),
        "start": date_param(request, "debut"),
    }
    with_units = not remove and lodging is not None and availability.capacity_of(lodging) > 1
    form = ProhibitionForm(request.POST or None, initial=initial, with_units=with_units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = services.sale_prohibition_remove if remove else services.sale_prohibition_create
        extra = {"units": data.get("units")} if with_units else {}
        try:
            service(
                provider=request.provider,
                lodging=data["lodging"],
                arrival=data["arrival"],
                departure=data["departure"],
                **extra,
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            start = data.get("start") or data["arrival"]
            if htmx_target(request):
                return _render_planning_body(request, start)
            if remove:
                done = _("Sale is allowed again on these dates.")
            elif data["lodging"].is_clevacances:
                done = _("The owner block is saved.")
            else:
                done = _("The sale prohibition is saved.")
            messages.success(request, done)
            return redirect(_planning_url(start))
    template = "reservations/prohibition_form.html"
    if htmx_target(request):
        template += "#prohibition-form"
    owner_block = lodging is not None and lodging.is_clevacances
    return render(request, template, {"form": form, "remove": remove, "owner_block": owner_block})


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID, arrival=DATE, departure=DATE, debut=DATE)
def prohibition_create(request: HttpRequest) -> HttpResponse:
    """ "Créer des interdictions de vente" (hatched on the planning)."""
    return _prohibition_view(request, remove=False)


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID, arrival=DATE, departure=DATE, debut=DATE)
def prohibition_remove(request: HttpRequest) -> HttpResponse:
    """ "Autoriser à nouveau la vente" on prohibited days."""
    return _prohibition_view(request, remove=True)
