"""SUIVI DES RÉSERVATIONS pages besides the planning and the file page: the dashboard, "Dossiers"
(search, list, Excel export), the top-bar search, "Arrivées" and "Départs".

Thin views: a form parses the query, ``reservations.selectors`` reads, ``reservations.services``
writes (the phone booking calls ``booking_create``).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.htmx import htmx_target
from common.pagination import paginate
from common.params import CHOICE, FLAG, INT, TEXT, int_param, query_params, text_param
from comptes.decorators import provider_required
from comptes.exports import export_response
from hebergements.models import AgeBracket
from reservations import exports, selectors, services
from reservations.dashboard import alert_badge_count, alert_summary, build_dashboard
from reservations.forms.suivi import BookingSearchForm, DayForm, PhoneBookingForm, RevenueOptionsForm
from reservations.models import BookingOrigin

PAGE_SIZE = 50


def _file_url(booking) -> str:
    return reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})


# --- "Tableau de bord" ------------------------------------------------------------------------------


def _phone_booking(request: HttpRequest, form: PhoneBookingForm):
    """ "+ Ajouter la réservation": a file in option for the client, origin "phone booking"."""
    data = form.cleaned_data
    lodging, arrival, departure = data["lodging"], data["arrival"], data["departure"]
    bracket = AgeBracket.objects.order_by("position", "-age_max").first()
    occupants = {bracket.pk: max(1, lodging.capacity_min)} if bracket else {}
    price = data.get("price")
    try:
        return services.booking_create(
            provider=request.provider,
            lodging=lodging,
            arrival=arrival,
            departure=departure,
            occupants=occupants,
            owner_price=services.OwnerPrice(price) if price is not None else None,
            client_data={"last_name": data["client_name"].strip()},
            origin=BookingOrigin.PHONE,
            user=request.user,
        )
    except ValidationError as error:
        mapping = {name: (form, name) for name in form.fields}
        mapping.update({"last_name": (form, "client_name"), "occupants": (form, None)})
        add_service_errors(error, form, fields=mapping)
        return None


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(activite=CHOICE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """ "Tableau de bord": revenue chart, recent activity, reminders, origins, phone booking, next
    arrivals and departures, latest files, alerts of other apps."""
    today = timezone.localdate()
    options_form = RevenueOptionsForm(request.GET, today=today)
    phone_form = PhoneBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and phone_form.is_valid():
        booking = _phone_booking(request, phone_form)
        if booking is not None:
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("File no. %(number)s is created, in option.") % {"number": booking.number},
                    _file_url(booking),
                    _("Open the file"),
                ),
            )
            return redirect("reservations:dashboard")
    period = text_param(request, "activite") or "12m"
    if period not in selectors.ACTIVITY_PERIODS:
        period = "12m"
    context = build_dashboard(provider=request.provider, today=today, options=options_form.options())
    context.update(
        {
            "options_form": options_form,
            "options_open": options_form.is_bound,
            "phone_form": phone_form,
            "activity_period": period,
            "activity_shown": context["activity"][period],
            "activity_periods": [("12m", _("12 months")), ("30d", _("30 days")), ("7d", _("7 days"))],
            "deposit_url": f"{reverse('reservations:booking_list')}?relance={selectors.REMINDER_DEPOSIT}",
            "balance_url": f"{reverse('reservations:booking_list')}?relance={selectors.REMINDER_BALANCE}",
        }
    )
    template = "reservations/dashboard.html"
    target = htmx_target(request)
    if target in ("revenue-block", "activity-block"):
        template += f"#{target}"
    return render(request, template, context)


@provider_required
@query_params(badge=FLAG)
def alerts(request: HttpRequest) -> HttpResponse:
    """The top bar's alert icon: online files to finalise and the alerts of other apps (iCal
    conflicts…). ``?badge=1`` (loaded by htmx after the page) answers the count only."""
    today = timezone.localdate()
    if text_param(request, "badge"):  # loaded by every page: one cached count, no list
        count = alert_badge_count(provider=request.provider, today=today)
        return render(request, "reservations/alerts.html#badge", {"badge_count": count})
    summary = alert_summary(provider=request.provider, today=today)
    return render(request, "reservations/alerts.html", {"summary": summary, "badge_count": summary.count})


# --- "Dossiers" -----------------------------------------------------------------------------------------

SEARCH_KEYS = set(BookingSearchForm.base_fields)


def _search_form(request: HttpRequest) -> BookingSearchForm:
    promo_codes = selectors.promo_codes_used()
    if not SEARCH_KEYS & set(request.GET):
        # The page opened without a search: "Option / Confirmé", as the manual's form.
        return BookingSearchForm({"status": selectors.STATUS_OPEN}, promo_codes=promo_codes)
    return BookingSearchForm(request.GET, promo_codes=promo_codes)


@provider_required
@query_params(page=INT)
def booking_list(request: HttpRequest) -> HttpResponse:
    """ "Dossiers": "Rechercher des dossiers", the table (paginated), "Exporter en fichier Excel"."""
    today = timezone.localdate()
    form = _search_form(request)
    page = None
    if form.is_valid():
        page = paginate(
            selectors.bookings_search(form.filters(today)),
            int_param(request, "page", 1),
            PAGE_SIZE,
            selectors.booking_rows,
        )
    query = request.GET.copy()
    query.pop("page", None)
    if not query:
        query["status"] = selectors.STATUS_OPEN
    return render(
        request,
        "reservations/booking_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@provider_required
@query_params(coordonnees=FLAG)
def booking_export(request: HttpRequest) -> HttpResponse:
    """The files of the search (every page) as an .xlsx workbook; contact details only on request.
    A big export is prepared in the background (``comptes.exports``)."""
    today = timezone.localdate()
    form = _search_form(request)
    if not form.is_valid():
        messages.error(request, _("Correct the search criteria before exporting."))
        query = request.GET.copy()
        return redirect(f"{reverse('reservations:booking_list')}?{query.urlencode()}")
    query = form.data.urlencode() if isinstance(form.data, QueryDict) else urlencode(form.data)
    params = exports.booking_export_params(
        query=query, today=today, with_clients=text_param(request, "coordonnees") == "1"
    )
    return export_response(request, kind="bookings", params=params)


# --- the top bar: "N° dossier / Nom client" -------------------------------------------------------------


@provider_required
@query_params(q=TEXT)
def search(request: HttpRequest) -> HttpResponse:
    """A number opens that file; a name lists the matching files (a single one opens directly)."""
    text = text_param(request, "q", max_length=100)
    result = selectors.quick_search(text)
    if result.booking is not None:
        return redirect(_file_url(result.booking))
    if not result.query:
        return redirect("reservations:booking_list")
    if result.number is not None:
        message = _("There is no file no. %(number)s.") % {"number": result.number}
    elif len(result.query) < 2:
        message = _("Type a file number or at least two letters of the client’s name.")
    elif not result.bookings:
        message = _("No file matches “%(query)s”.") % {"query": result.query}
    else:
        message = ""
    return render(
        request,
        "reservations/search.html",
        {
            "result": result,
            "message": message,
            "too_many": len(result.bookings) > selectors.QUICK_SEARCH_LIMIT,
            "bookings": result.bookings[: selectors.QUICK_SEARCH_LIMIT],
            "list_url": f"{reverse('reservations:booking_list')}?{urlencode({'client': result.query})}",
        },
    )


# --- "Arrivées" and "Départs" ----------------------------------------------------------------------------


def _moves(request: HttpRequest, *, arrivals: bool) -> HttpResponse:
    form = DayForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    day = form.day() if valid else None
    bookings = []
    if day is not None:
        bookings = list((selectors.arrivals_on if arrivals else selectors.departures_on)(day))
    name = "reservations:arrivals" if arrivals else "reservations:departures"
    context = {
        "form": form if form.is_bound else DayForm(initial={"jour": day}),
        "day": day,
        "bookings": bookings,
        "arrivals": arrivals,
        "url": reverse(name),
    }
    if day is not None:
        context["previous_day"] = day - timedelta(days=1)
        context["next_day"] = day + timedelta(days=1)
        context["today"] = timezone.localdate()
    return render(request, "reservations/moves.html", context)


@provider_required
def arrivals(request: HttpRequest) -> HttpResponse:
    """ "Rechercher des arrivées": the files arriving on a day (today by default)."""
    return _moves(request, arrivals=True)


@provider_required
def departures(request: HttpRequest) -> HttpResponse:
    """ "Rechercher des départs"."""
    return _moves(request, arrivals=False)
