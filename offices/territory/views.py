"""The office's territory screens. Every view is ``@office_required`` and reads or changes only its
office's data: another office's rate is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.params import DATE, TEXT, date_param, query_params, search_param
from common.xlsx import DATE as XDATE
from common.xlsx import INTEGER, MONEY, Column, xlsx_response
from comptes.decorators import office_required
from hebergements.models import Commune
from offices import selectors
from offices.territory.forms import DepartmentalForm, TouristTaxRateForm
from tarifs import tourist_tax
from tarifs.models import TouristTaxDepartmental, TouristTaxLaw, TouristTaxRate


def _season(request: HttpRequest):
    return selectors.season_bounds(
        timezone.localdate(), date_param(request, "debut"), date_param(request, "fin")
    )


def _season_query(start, end) -> str:
    return f"debut={start.isoformat()}&fin={end.isoformat()}"


# --- figures ---------------------------------------------------------------------------------------


@office_required
@query_params(debut=DATE, fin=DATE)
def figures(request: HttpRequest) -> HttpResponse:
    """ "Statistiques": online files and revenue per provider and month, online share, cancellations."""
    start, end = _season(request)
    data = selectors.territory_figures(office=request.office, start=start, end=end)
    return render(
        request,
        "offices/figures.html",
        {
            "office": request.office,
            "data": data,
            "start": start,
            "end": end,
            "query": _season_query(start, end),
        },
    )


# --- commission ------------------------------------------------------------------------------------


@office_required
@query_params(debut=DATE, fin=DATE)
def commission(request: HttpRequest) -> HttpResponse:
    start, end = _season(request)
    report = selectors.commission_report(office=request.office, start=start, end=end)
    return render(
        request,
        "offices/commission.html",
        {
            "office": request.office,
            "report": report,
            "start": start,
            "end": end,
            "query": _season_query(start, end),
        },
    )


@office_required
@query_params(debut=DATE, fin=DATE)
def commission_export(request: HttpRequest):
    """One line per file, then a total line per provider, then the total."""
    start, end = _season(request)
    report = selectors.commission_report(office=request.office, start=start, end=end)
    columns = [
        Column(_("Provider no."), INTEGER),
        Column(_("Provider")),
        Column(_("File no."), INTEGER),
        Column(_("Arrival"), XDATE),
        Column(_("Origin")),
        Column(_("Status")),
        Column(_("File total"), MONEY),
        Column(_("Commission rate (%)")),
        Column(_("Commission"), MONEY),
    ]
    rate = formats.number_format(report.rate, 2)

    def rows():
        for entry in report.providers:
            for line in entry.lines:
                booking = line.booking
                yield [
                    entry.provider.number,
                    entry.provider.display_name,
                    booking.number,
                    booking.first_arrival,
                    booking.get_origin_display(),
                    booking.get_status_display(),
                    line.total,
                    rate,
                    line.commission,
                ]
            yield [
                entry.provider.number,
                _("Total %(provider)s") % {"provider": entry.provider.display_name},
                None,
                None,
                "",
                "",
                entry.sales,
                rate,
                entry.commission,
            ]

    def footer(_count):
        yield [_("Total"), "", "", "", "", "", report.sales, rate, report.commission]

    return xlsx_response(
        filename=f"commission-{start.isoformat()}-{end.isoformat()}.xlsx",
        title=_("Commission"),
        columns=columns,
        rows=rows(),
        footer=footer,
    )


# --- taxe de séjour: rates -------------------------------------------------------------------------


def _own_rates(request: HttpRequest):
    return TouristTaxRate.objects.filter(office=request.office).select_related("commune")


@office_required
@query_params(q=TEXT, commune_search=TEXT)
def commune_options(request: HttpRequest) -> HttpResponse:
    """The commune picker's options (the same template as the owners' picker)."""
    query = search_param(request)
    communes = Commune.objects.none()
    if len(query) >= 2:
        condition = (
            Q(postcode__startswith=query) if query[:1].isdigit() else Q(name__unaccent__istartswith=query)
        )
        communes = Commune.objects.filter(condition).order_by("name", "postcode")[:30]
    return render(request, "hebergements/commune_options.html", {"communes": communes, "query": query})


@office_required
def tourist_tax_list(request: HttpRequest) -> HttpResponse:
    """The communes' rates per year, the departmental votes, the legal scales they must respect."""
    rates = list(_own_rates(request).order_by("commune__name", "commune__postcode", "-year", "category"))
    departments = list(TouristTaxDepartmental.objects.filter(office=request.office))
    laws = list(TouristTaxLaw.objects.prefetch_related("bounds").order_by("-year"))
    return render(
        request,
        "offices/tourist_tax_list.html",
        {
            "office": request.office,
            "rates": rates,
            "departments": departments,
            "laws": laws,
            "departmental_form": DepartmentalForm(),
        },
    )


def _rate_form(request: HttpRequest, instance: TouristTaxRate | None):
    form = TouristTaxRateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tourist_tax.tourist_tax_rate_save(
                office=request.office,
                commune=data["commune"],
                year=data["year"],
                category=data["category"],
                rate=data["rate"],
                instance=instance,
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The rate is saved."))
            return redirect("offices:tourist_tax_list")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "offices/tourist_tax_form.html",
        {"office": request.office, "form": form, "rate": instance},
        status=status,
    )


@office_required
@require_http_methods(["GET", "POST"])
def tourist_tax_create(request: HttpRequest) -> HttpResponse:
    return _rate_form(request, None)


@office_required
@require_http_methods(["GET", "POST"])
def tourist_tax_edit(request: HttpRequest, rate_pk: int) -> HttpResponse:
    rate = get_object_or_404(_own_rates(request), pk=rate_pk)
    return _rate_form(request, rate)


@office_required
def tourist_tax_delete(request: HttpRequest, rate_pk: int) -> HttpResponse:
    rate = get_object_or_404(_own_rates(request), pk=rate_pk)  # another office's: 404 whatever the verb
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tourist_tax.tourist_tax_rate_delete(office=request.office, rate=rate, user=request.user)
    messages.success(request, _("The rate is deleted."))
    return redirect("offices:tourist_tax_list")


@office_required
def tourist_tax_departmental_add(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # the form is on the list
        return redirect("offices:tourist_tax_list")
    form = DepartmentalForm(request.POST)
    if form.is_valid():
        try:
            tourist_tax.tourist_tax_departmental_add(
                office=request.office,
                department=form.cleaned_data["department"],
                year=form.cleaned_data["year"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The additional departmental tax is recorded."))
            return redirect("offices:tourist_tax_list")
    rates = list(_own_rates(request).order_by("commune__name", "-year", "category"))
    return render(
        request,
        "offices/tourist_tax_list.html",
        {
            "office": request.office,
            "rates": rates,
            "departments": list(TouristTaxDepartmental.objects.filter(office=request.office)),
            "laws": list(TouristTaxLaw.objects.prefetch_related("bounds").order_by("-year")),
            "departmental_form": form,
        },
        status=422,
    )


@office_required
def tourist_tax_departmental_delete(request: HttpRequest, departmental_pk: int) -> HttpResponse:
    row = get_object_or_404(TouristTaxDepartmental.objects.filter(office=request.office), pk=departmental_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tourist_tax.tourist_tax_departmental_delete(office=request.office, row=row, user=request.user)
    messages.success(request, _("The additional departmental tax is deleted."))
    return redirect("offices:tourist_tax_list")


# --- taxe de séjour: the declaration ---------------------------------------------------------------


@office_required
@query_params(debut=DATE, fin=DATE)
def tourist_tax_report(request: HttpRequest) -> HttpResponse:
    start, end = _season(request)
    rows = selectors.tourist_tax_report(office=request.office, start=start, end=end)
    return render(
        request,
        "offices/tourist_tax_report.html",
        {
            "office": request.office,
            "rows": rows,
            "start": start,
            "end": end,
            "query": _season_query(start, end),
            "total": sum((row.amount for row in rows), 0),
        },
    )


@office_required
@query_params(debut=DATE, fin=DATE)
def tourist_tax_report_export(request: HttpRequest):
    """The declaration's shape: commune, INSEE code, month, category, rate, stays, nights, taxable
    people, exempt minors, taxable nights, communal tax, departmental tax, total."""
    start, end = _season(request)
    rows = selectors.tourist_tax_report(office=request.office, start=start, end=end)
    columns = [
        Column(_("Commune")),
        Column(_("INSEE code")),
        Column(_("Month"), XDATE),
        Column(_("Category")),
        Column(_("Rate per adult and night"), MONEY),
        Column(_("Voted percentage (%)")),
        Column(_("Stays"), INTEGER),
        Column(_("Nights"), INTEGER),
        Column(_("Taxable people (adults)"), INTEGER),
        Column(_("Exempt people (minors)"), INTEGER),
        Column(_("Taxable nights (adults × nights)"), INTEGER),
        Column(_("Communal tax"), MONEY),
        Column(_("Additional departmental tax"), MONEY),
        Column(_("Total"), MONEY),
    ]
    lines = (
        [
            row.commune_name,
            row.insee_code,
            row.month,
            row.category_label,
            row.rate,
            formats.number_format(row.percent, 2) if row.percent is not None else "",
            row.stays,
            row.nights,
            row.people,
            row.exempt,
            row.taxable_nights,
            row.communal,
            row.departmental,
            row.amount,
        ]
        for row in rows
    )

    def footer(_count):
        yield [
            _("Total"),
            *[""] * 10,
            sum((row.communal for row in rows), 0),
            sum((row.departmental for row in rows), 0),
            sum((row.amount for row in rows), 0),
        ]

    return xlsx_response(
        filename=f"taxe-de-sejour-{start.isoformat()}-{end.isoformat()}.xlsx",
        title=_("Tourist tax"),
        columns=columns,
        rows=lines,
        footer=footer,
    )
