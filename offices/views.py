"""The tourism-office staff space. Every view is ``@office_required`` and reads only its office's
providers (``staff_providers``): another office's provider is a 404. The views that take
``administrators=True`` also serve the application's administrators, for the providers with no
office (the administrator's own queue). Views with an object look it up before checking the method,
so another office's id is a 404 whatever the verb. The rules are the services' (``comptes.services``,
``commercialisation.production``); views read input and show results.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from commercialisation.models import ProductionRequest
from commercialisation.production import (
    ChecklistIncomplete,
    latest_request,
    production_request_decide,
    provider_back_to_test,
    provider_checklist,
    provider_checklists,
)
from commercialisation.widgets import office_snippet
from common.forms import add_service_errors
from common.params import INT, TEXT, int_param, query_params, text_param
from common.xlsx import DATETIME, INTEGER, MONEY, Column, xlsx_response
from common.xlsx import TEXT as XLSX_TEXT
from comptes import assist as assist_mode
from comptes import services as comptes_services
from comptes.audit import history
from comptes.decorators import administrator_required, is_administrator, office_required
from comptes.models import Membership, Office, OfficeAuditEntry, Provider
from comptes.scoping import provider_scope, scopes_disabled
from offices.forms import DecisionForm, OfficeForm, ProviderCreateForm, StaffForm
from reservations.selectors import SeasonFigures, season_figures

PAGE_SIZE = 50
SETUP_COMPLETE, SETUP_INCOMPLETE = "complete", "incomplete"


def staff_providers(request: HttpRequest) -> QuerySet[Provider]:
    """The providers the staff member works on: their office's; an administrator's own queue: the
    providers with no office."""
    if request.office is not None:
        return Provider.objects.filter(office=request.office)
    return Provider.objects.filter(office__isnull=True)


def _provider(request: HttpRequest, provider_pk: int) -> Provider:
    return get_object_or_404(staff_providers(request).select_related("office"), pk=provider_pk)


def season(today: date) -> tuple[date, date]:
    """The current season: the calendar year (1 January – 31 December)."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _rows(request: HttpRequest, providers: list[Provider]) -> list[dict]:
    """What the list shows for each provider, in a constant number of queries."""
    ids = [provider.pk for provider in providers]
    first, last = season(timezone.localdate())
    with scopes_disabled():
        checklists = provider_checklists(providers)
        figures = season_figures(ids, first, last)
        logins = dict(
            Membership.objects.filter(provider_id__in=ids, role=Membership.Role.OWNER)
            .values("provider_id")
            .annotate(last=Max("user__last_login"))
            .values_list("provider_id", "last")
        )
        pending = set(
            ProductionRequest.objects.filter(
                provider_id__in=ids, state=ProductionRequest.State.REQUESTED
            ).values_list("provider_id", flat=True)
        )
    empty = SeasonFigures()
    return [
        {
            "provider": provider,
            "checklist": checklists[provider.pk],
            "figures": figures.get(provider.pk, empty),
            "last_login": logins.get(provider.pk),
            "requested": provider.pk in pending,
        }
        for provider in providers
    ]


def _filtered(request: HttpRequest) -> tuple[list[dict], dict]:
    text = text_param(request, "q", max_length=100)
    status = text_param(request, "statut", max_length=20)
    setup = text_param(request, "parametrage", max_length=20)
    providers = staff_providers(request).order_by("number")
    for word in text.split():
        condition = (
            Q(company__unaccent__icontains=word)
            | Q(last_name__unaccent__icontains=word)
            | Q(first_name__unaccent__icontains=word)
            | Q(email__icontains=word)
            | Q(city__unaccent__icontains=word)
        )
        if word.isdigit():
            condition |= Q(number=int(word))
        providers = providers.filter(condition)
    if status in Provider.Status.values:
        providers = providers.filter(status=status)
    elif status == "inactive":
        providers = providers.filter(deactivated_at__isnull=False)
    rows = _rows(request, list(providers))
    if setup == SETUP_COMPLETE:
        rows = [row for row in rows if row["checklist"].complete]
    elif setup == SETUP_INCOMPLETE:
        rows = [row for row in rows if not row["checklist"].complete]
    return rows, {"q": text, "statut": status, "parametrage": setup}


def _space(request: HttpRequest) -> dict:
    return {"office": request.office, "administrator": request.office is None}


LIST_PARAMS = {"q": TEXT, "statut": TEXT, "parametrage": TEXT, "page": INT}


@office_required(administrators=True)
@require_safe
@query_params(**LIST_PARAMS)
def provider_list(request: HttpRequest) -> HttpResponse:
    """The office's providers with their setup progress (the checklist), status, last login, files
    and revenue this season; search and filters; export to Excel."""
    rows, filters = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(int_param(request, "page", 1, minimum=1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "offices/provider_list.html",
        {
            **_space(request),
            "page": page,
            "rows": page.object_list,
            "filters": filters,
            "statuses": Provider.Status.choices,
            "paging_query": query.urlencode(),
            "season": season(timezone.localdate()),
            "widget": _marketplace_widget(request),
        },
    )


def _marketplace_widget(request: HttpRequest):
    """The office's marketplace search to embed on its own website (none for the administrators)."""
    if request.office is None:
        return None
    base = settings.SITE_URL or request.build_absolute_uri("/")
    return office_snippet(base=base, office=request.office, lang="fr")


@office_required(administrators=True)
@require_safe
@query_params(**LIST_PARAMS)
def provider_export(request: HttpRequest) -> HttpResponse:
    rows, _filters = _filtered(request)
    columns = [
        Column(_("Number"), INTEGER),
        Column(_("Name"), XLSX_TEXT, width=28),
        Column(_("Kind"), XLSX_TEXT),
        Column(_("E-mail"), XLSX_TEXT, width=28),
        Column(_("Status"), XLSX_TEXT),
        Column(_("Setup"), XLSX_TEXT),
        Column(_("To do"), XLSX_TEXT, width=40),
        Column(_("Last login"), DATETIME),
        Column(_("Files this season"), INTEGER),
        Column(_("Revenue this season"), MONEY),
    ]

    def lines():
        for row in rows:
            provider, checklist = row["provider"], row["checklist"]
            status = provider.get_status_display() if provider.is_active else _("Deactivated")
            yield [
                provider.number,
                provider.company or provider.display_name,
                provider.get_kind_display(),
                provider.email,
                str(status),
                f"{checklist.done_count}/{checklist.total}",
                ", ".join(item.label for item in checklist if not item.done),
                row["last_login"],
                row["figures"].files,
                row["figures"].revenue,
            ]

    return xlsx_response(filename="prestataires.xlsx", title=_("Providers"), columns=columns, rows=lines())


@office_required(administrators=True)
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    """ "Créer un prestataire": the account, its owner's login and the invitation mail."""
    administrator = request.office is None
    form = ProviderCreateForm(request.POST or None, choose_office=administrator)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        office = data.pop("office", None) if administrator else request.office
        try:
            provider = comptes_services.provider_onboard(office=office, user=request.user, **data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(
                request,
                _("The account %(account)s is created; the invitation is sent to %(email)s.")
                % {"account": provider.account_name, "email": provider.email},
            )
            if office is not None and administrator:
                return redirect("offices:office_list")
            return redirect("offices:provider_detail", provider_pk=provider.pk)
    return render(request, "offices/provider_form.html", {**_space(request), "form": form})


@office_required(administrators=True)
def provider_detail(request: HttpRequest, provider_pk: int) -> HttpResponse:
    provider = _provider(request, provider_pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    row = _rows(request, [provider])[0]
    with scopes_disabled():
        owner = comptes_services.provider_owner(provider)
        requests = list(
            ProductionRequest.objects.filter(provider=provider)
            .select_related("decided_by")
            .order_by("-requested_at")
        )
    with provider_scope(provider):
        entries = [(entry, provider_entry_sentence(entry)) for entry in history(provider)[:30]]
    return render(
        request,
        "offices/provider_detail.html",
        {
            **_space(request),
            **row,
            "owner": owner,
            "invitation_pending": owner is not None and owner.last_login is None,
            "requests": requests,
            "entries": entries,
        },
    )


def _act(request: HttpRequest, provider: Provider, action, success: str) -> HttpResponse:
    try:
        with provider_scope(provider):
            action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("offices:provider_detail", provider_pk=provider.pk)


@office_required(administrators=True)
def provider_invite(request: HttpRequest, provider_pk: int) -> HttpResponse:
    """ "Renvoyer l'invitation": a new link (the previous ones stop working)."""
    provider = _provider(request, provider_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    owner = comptes_services.provider_owner(provider)
    if owner is None:
        raise Http404
    return _act(
        request,
        provider,
        lambda: comptes_services.invitation_send(user=owner, provider=provider, by=request.user),
        _("A new invitation is sent to %(email)s.") % {"email": owner.email},
    )


@office_required(administrators=True)
def provider_deactivate(request: HttpRequest, provider_pk: int) -> HttpResponse:
    provider = _provider(request, provider_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("reactivate") == "1":
        return _act(
            request,
            provider,
            lambda: comptes_services.provider_reactivate(provider=provider, user=request.user),
            _("The account is active again."),
        )
    return _act(
        request,
        provider,
        lambda: comptes_services.provider_deactivate(provider=provider, user=request.user),
        _("The account is deactivated: the owner can no longer log in and the public pages are offline."),
    )


@office_required(administrators=True)
def provider_to_test(request: HttpRequest, provider_pk: int) -> HttpResponse:
    """Switch a provider in production back to test."""
    provider = _provider(request, provider_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _act(
        request,
        provider,
        lambda: provider_back_to_test(provider=provider, user=request.user),
        _("The provider is back in test: its lodgings are no longer bookable by guests."),
    )


# --- assist mode: the provider's back office, read-only (comptes.assist) -------------------------------


@office_required(administrators=True)
def assist_start(request: HttpRequest, provider_pk: int) -> HttpResponse:
    """ "Consulter le compte (lecture seule)": one entry in the provider's log, then its dashboard
    in assist mode. Staff: their office's providers only (another's is a 404); an administrator:
    any provider."""
    if is_administrator(request):
        with scopes_disabled():
            provider = get_object_or_404(Provider.objects.select_related("office"), pk=provider_pk)
    else:
        provider = _provider(request, provider_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    assist_mode.assist_start(request=request, provider=provider)
    return redirect("reservations:dashboard" if provider.is_setup_complete else "hebergements:wizard")


@office_required(administrators=True)
def assist_exit(request: HttpRequest) -> HttpResponse:
    """ "Quitter": back to the provider's page in the staff space (a GET only leads there)."""
    provider = request.assist.provider if request.assist else None
    if request.method == "POST":
        assist_mode.assist_end(request=request)
        messages.success(request, _("You have left the read-only consultation."))
    if provider is not None and (is_administrator(request) or provider.office_id == request.office.pk):
        if is_administrator(request) and provider.office_id is not None:
            return redirect("offices:provider_list")
        return redirect("offices:provider_detail", provider_pk=provider.pk)
    return redirect("offices:provider_list")


OFFICE_ACTIONS = {
    "office.created": gettext_lazy("Office created"),
    "office.staff.invited": gettext_lazy("Staff member invited"),
    "office.tourist_tax.rate_created": gettext_lazy("Tourist tax rate added"),
    "office.tourist_tax.rate_changed": gettext_lazy("Tourist tax rate changed"),
    "office.tourist_tax.rate_deleted": gettext_lazy("Tourist tax rate deleted"),
    "office.tourist_tax.departmental_added": gettext_lazy("Additional departmental tax recorded"),
    "office.tourist_tax.departmental_deleted": gettext_lazy("Additional departmental tax deleted"),
    assist_mode.STARTED: gettext_lazy("Account viewed read-only"),
    assist_mode.ENDED: gettext_lazy("Read-only consultation ended"),
}


PROVIDER_SENTENCES = {
    "provider.created": gettext_lazy("Account no. %(number)s created for %(email)s"),
    "provider.invited": gettext_lazy("Invitation sent to %(email)s"),
    "provider.invitation_accepted": gettext_lazy("Invitation accepted by %(email)s"),
    "provider.deactivated": gettext_lazy("Account deactivated"),
    "provider.reactivated": gettext_lazy("Account reactivated"),
    "provider.status": gettext_lazy("Status: %(from)s → %(to)s"),
    "production.requested": gettext_lazy("Going into production requested"),
    "production.approved": gettext_lazy("Going into production approved"),
    "production.refused": gettext_lazy("Going into production refused: %(reason)s"),
    "formula.created": gettext_lazy("Formula “%(name)s” created"),
    "formula.renamed": gettext_lazy("Formula “%(from)s” renamed “%(to)s”"),
    "formula.deleted": gettext_lazy("Formula “%(name)s” deleted"),
    assist_mode.STARTED: gettext_lazy("Account viewed read-only by %(staff)s"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def provider_entry_sentence(entry) -> str:
    """A line of a provider's history as a sentence ("Statut : Test → Production"), not its code;
    an action without a sentence yet shows its code."""
    sentence = PROVIDER_SENTENCES.get(entry.action)
    if sentence is None:
        return entry.action
    data = _Blank({key: value for key, value in (entry.data or {}).items() if value not in (None, "")})
    if entry.action == "provider.status":
        for key in ("from", "to"):
            if data[key] in Provider.Status.values:
                data[key] = str(Provider.Status(data[key]).label)
    return str(sentence) % data


def _office_entry_detail(entry: OfficeAuditEntry) -> str:
    data = entry.data or {}
    if "account" in data or "number" in data:
        text = str(data.get("account") or data.get("number"))
        if data.get("minutes") is not None:
            text += " — " + _("%(minutes)s min") % {"minutes": data["minutes"]}
        return text
    if "commune_name" in data:
        return "{} {} ({}) {}".format(
            data["commune_name"], data.get("year", ""), data.get("category", ""), data.get("rate", "")
        )
    if "department" in data:
        return f"{data['department']} {data.get('year', '')}"
    return str(data.get("email") or data.get("name") or "")


@office_required(administrators=True)
@require_safe
@query_params(page=INT)
def office_log(request: HttpRequest) -> HttpResponse:
    """ "Journal de l'office": what concerns the office and no single provider (its staff, its
    tourist tax rates) and its staff's read-only consultations; the administrators': their own, on
    the providers with no office."""
    entries = OfficeAuditEntry.objects.filter(
        **({"office": request.office} if request.office is not None else {"office__isnull": True})
    ).select_related("user")
    page = Paginator(entries, PAGE_SIZE).get_page(int_param(request, "page", 1, minimum=1))
    rows = [
        {
            "entry": entry,
            "label": OFFICE_ACTIONS.get(entry.action, entry.action),
            "detail": _office_entry_detail(entry),
        }
        for entry in page.object_list
    ]
    return render(request, "offices/office_log.html", {**_space(request), "page": page, "rows": rows})


# --- the production queue ------------------------------------------------------------------------------


@office_required(administrators=True)
@require_safe
def production_queue(request: HttpRequest) -> HttpResponse:
    """The providers' requests to go into production, with their checklist (waiting first)."""
    with scopes_disabled():
        requests = list(
            ProductionRequest.objects.filter(provider__in=staff_providers(request))
            .select_related("provider", "decided_by")
            .order_by("state", "-requested_at")[:200]
        )
        checklists = provider_checklists({r.provider_id: r.provider for r in requests}.values())
    waiting = [r for r in requests if r.state == ProductionRequest.State.REQUESTED]
    decided = [r for r in requests if r.state != ProductionRequest.State.REQUESTED][:50]
    for item in requests:
        item.checklist = checklists[item.provider_id]
    return render(
        request, "offices/production_queue.html", {**_space(request), "waiting": waiting, "decided": decided}
    )


@office_required(administrators=True)
def production_decide(request: HttpRequest, request_pk: int) -> HttpResponse:
    """Approve or refuse one request; approving an incomplete checklist asks for a confirmation."""
    with scopes_disabled():
        production = get_object_or_404(
            ProductionRequest.objects.filter(provider__in=staff_providers(request)).select_related(
                "provider"
            ),
            pk=request_pk,
        )
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    provider = production.provider
    checklist = provider_checklist(provider)
    form = DecisionForm(request.POST or None)
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            with provider_scope(provider):
                production_request_decide(
                    request=production,
                    approve=approve,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    confirm_incomplete=form.cleaned_data["confirm_incomplete"],
                )
        except ChecklistIncomplete as error:
            needs_confirmation = True
            form.add_error("confirm_incomplete", error.messages)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            if approve:
                messages.success(
                    request,
                    _("%(account)s is in production: its lodgings can be booked online.")
                    % {"account": provider.account_name},
                )
            else:
                messages.success(request, _("The request is refused; the owner is told why."))
            return redirect("offices:production_queue")
    return render(
        request,
        "offices/production_decide.html",
        {
            **_space(request),
            "production": production,
            "provider": provider,
            "checklist": checklist,
            "form": form,
            "needs_confirmation": needs_confirmation or not checklist.complete,
            "latest": latest_request(provider),
        },
    )


# --- administrators: offices and their staff ----------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def office_list(request: HttpRequest) -> HttpResponse:
    """The offices, and "Créer un office" (an administrator's screen, not only /admin/)."""
    form = OfficeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            office = comptes_services.office_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The office %(name)s is created.") % {"name": office.name})
            return redirect("offices:office_staff", office_pk=office.pk)
    with scopes_disabled():
        offices = list(Office.objects.order_by("name"))
    return render(request, "offices/office_list.html", {**_space(request), "offices": offices, "form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def office_staff(request: HttpRequest, office_pk: int) -> HttpResponse:
    """An office's staff, and "Ajouter un membre" (invited by mail to choose a password)."""
    office = get_object_or_404(Office, pk=office_pk)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = comptes_services.staff_create(office=office, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(
                request,
                _("%(email)s is invited to the staff of %(office)s.")
                % {"email": staff.email, "office": office.name},
            )
            return redirect("offices:office_staff", office_pk=office.pk)
    members = list(
        Membership.objects.filter(office=office, role=Membership.Role.OFFICE_STAFF)
        .select_related("user")
        .order_by("user__email")
    )
    return render(
        request,
        "offices/office_staff.html",
        {**_space(request), "the_office": office, "members": members, "form": form},
    )
