"""Price pages reached from the planning's lodging buttons: "Créer des tarifs", "Voir les tarifs",
"Créer des promos". Thin: parse with a form, call one service, render or redirect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.params import CHOICE, ID, INT, NEXT, int_param, next_param, object_param, query_params, text_param
from comptes.decorators import provider_required
from comptes.exports import export_response
from hebergements.models import AgeBracket, Lodging
from tarifs import selectors, services
from tarifs.forms import (
    ALL_WEEKDAYS,
    WEEKDAY_CHOICES,
    NightlyPriceForm,
    PeriodFormSet,
    PromotionForm,
    StayPriceFilterForm,
    StayPriceGenerateForm,
    StayPriceUpdateForm,
)
from tarifs.models import Promotion, StayPrice

PAGE_SIZE = 50
PERIODS_PREFIX = "periods"


def _brackets() -> list[AgeBracket]:
    return list(AgeBracket.objects.order_by("position", "-age_max"))


def _max_persons() -> int:
    """The largest capacity of the provider's lodgings: the sizes "price by number of people" asks."""
    return Lodging.objects.active().aggregate(most=Max("capacity_max"))["most"] or 0


def _lodging_from(request: HttpRequest) -> Lodging | None:
    """The lodging named by ``?lodging=<pk>`` (the planning's buttons); another one is a 404."""
    return object_param(request, "lodging", Lodging.objects.active())


def _default_lodging(request: HttpRequest) -> Lodging | None:
    return _lodging_from(request) or Lodging.objects.active().first()


def _list_url(lodging: Lodging | None, **params) -> str:
    query = {"lodging": lodging.pk} if lodging else {}
    query.update({key: value for key, value in params.items() if value not in (None, "")})
    url = reverse("tarifs:list")
    return f"{url}?{urlencode(query)}" if query else url


# ---------------------------------------------------------------------------------------------
# Créer des tarifs


def _entry_from_forms(form: StayPriceGenerateForm, periods: PeriodFormSet) -> dict:
    """The submitted values as JSON, for "Initialiser avec la dernière saisie"."""
    data = form.cleaned_data
    entry = {
        "lodging": data["lodging"].pk,
        "nights": data["nights"],
        "all_weekdays": bool(data.get("all_weekdays")),
        "weekdays": list(data["weekdays"]),
        "mode": data["mode"],
        "initial_price": None if data.get("initial_price") is None else str(data["initial_price"]),
        "has_discount": bool(data.get("has_discount")),
        "discount": None if data.get("discount") is None else str(data["discount"]),
        "discount_is_percent": bool(data.get("discount_is_percent")),
        "periods": [[start.isoformat(), end.isoformat()] for start, end in periods.periods],
    }
    for bracket in form.brackets:
        value = data.get(form.bracket_field(bracket))
        entry[form.bracket_field(bracket)] = None if value is None else str(value)
    for field in form.group_fields():
        value = data.get(field.name)
        entry[field.name] = None if value is None else str(value)
    return entry


DECIMAL_ENTRY_KEYS = ("initial_price", "discount", "nightly_price", "weekly_percent", "monthly_percent")


def _initial_from_entry(entry: dict) -> tuple[dict, list[dict]]:
    initial: dict = {}
    for key, value in entry.items():
        if key == "periods" or value is None:
            continue
        if key in DECIMAL_ENTRY_KEYS or key.startswith(("bracket_", "group_")):
            try:
                initial[key] = Decimal(value)
            except (InvalidOperation, TypeError):
                continue
        else:
            initial[key] = value
    periods = []
    for start, end in entry.get("periods") or []:
        try:
            periods.append({"start": date.fromisoformat(start), "end": date.fromisoformat(end)})
        except (TypeError, ValueError):
            continue
    return initial, periods


def _form_page(request, form, periods, *, has_last_entry: bool, status: int = 200) -> HttpResponse:
    return render(
        request,
        "tarifs/stay_price_form.html",
        {
            "form": form,
            "periods": periods,
            "has_last_entry": has_last_entry,
            "lodging": form["lodging"].value(),
            "all_weekdays": ALL_WEEKDAYS,
        },
        status=status,
    )


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID, init=CHOICE)
def stay_price_create(request: HttpRequest) -> HttpResponse:
    """ "Créer des tarifs": the form → "Générer les tarifs" (the list of stays) → "Confirmer"."""
    provider = request.provider
    brackets = _brackets()
    last_entry = services.price_entry_last(provider=provider)

    if request.method == "GET":
        initial, period_initial = {}, []
        if text_param(request, "init") == "last" and last_entry:
            initial, period_initial = _initial_from_entry(last_entry)
        lodging = _lodging_from(request)
        if lodging is not None:
            initial["lodging"] = lodging.pk
        form = StayPriceGenerateForm(initial=initial, brackets=brackets, max_persons=_max_persons())
        periods = PeriodFormSet(prefix=PERIODS_PREFIX, initial=period_initial or None)
        return _form_page(request, form, periods, has_last_entry=bool(last_entry))

    action = text_param(request, "action", source="POST") or "generate"
    form = StayPriceGenerateForm(request.POST, brackets=brackets, max_persons=_max_persons())
    periods = PeriodFormSet(request.POST, prefix=PERIODS_PREFIX)

    if action == "sale_price":
        # htmx: the sale price shown under "Saisissez vos tarifs", computed by the same rule.
        form.is_valid()
        return render(request, "tarifs/stay_price_form.html#sale-price", {"form": form})
    if action == "edit":
        return _form_page(request, form, periods, has_last_entry=bool(last_entry))

    valid = form.is_valid()
    valid = periods.is_valid() and valid
    if valid:
        try:
            plan = services.stay_prices_generate(
                provider=provider,
                lodging=form.cleaned_data["lodging"],
                periods=periods.periods,
                nights=form.cleaned_data["nights"],
                weekdays=form.cleaned_data["weekdays"],
                user=request.user,
                commit=action == "confirm",
                **form.pricing_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            if plan.written:
                services.price_entry_remember(provider=provider, data=_entry_from_forms(form, periods))
                return _success(request, plan)
            return _preview_page(request, plan, url=reverse("tarifs:create"), brackets=brackets)
    return _form_page(request, form, periods, has_last_entry=bool(last_entry), status=200)


def _preview_page(
    request: HttpRequest, plan: services.GenerationPlan, *, url: str, brackets=()
) -> HttpResponse:
    """ "Générer les tarifs": the stays planned, summed up by length; a length's stays on demand
    (htmx, ``action=details``), the whole list at once when there is a single length."""
    hidden = [
        (key, value)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "action", "length")
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "tarifs/stay_price_preview.html",
        {"plan": plan, "hidden": hidden, "lodging": plan.lodging.pk, "brackets": brackets, "url": url},
    )


def _success(request: HttpRequest, plan: services.GenerationPlan) -> HttpResponse:
    messages.success(
        request,
        ngettext(
            "%(count)s stay price saved (%(created)s new, %(replaced)s replaced).",
            "%(count)s stay prices saved (%(created)s new, %(replaced)s replaced).",
            plan.count,
        )
        % {"count": plan.count, "created": plan.created, "replaced": plan.replaced},
    )
    return redirect(
        _list_url(
            plan.lodging,
            date_from=min(stay.arrival for stay in plan.stays).isoformat(),
            date_to=max(stay.arrival for stay in plan.stays).isoformat(),
        )
    )


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID, init=CHOICE)
def stay_price_create_nightly(request: HttpRequest) -> HttpResponse:
    """ "Créer des tarifs" by the night: the form → the stays of every length, summed up by length →
    "Confirmer". The same generation service (and preview) as the other entry."""
    last_entry = services.price_entry_last(provider=request.provider, kind=services.NIGHTLY_ENTRY)
    if request.method == "GET":
        initial, period_initial = {}, []
        if text_param(request, "init") == "last" and last_entry:
            initial, period_initial = _initial_from_entry(last_entry)
        lodging = _lodging_from(request)
        if lodging is not None:
            initial["lodging"] = lodging.pk
        form = NightlyPriceForm(initial=initial)
        periods = PeriodFormSet(prefix=PERIODS_PREFIX, initial=period_initial or None)
        return _nightly_page(request, form, periods, has_last_entry=bool(last_entry))

    action = text_param(request, "action", source="POST") or "generate"
    form = NightlyPriceForm(request.POST)
    periods = PeriodFormSet(request.POST, prefix=PERIODS_PREFIX)
    if action == "edit":
        return _nightly_page(request, form, periods, has_last_entry=bool(last_entry))
    valid = form.is_valid()
    valid = periods.is_valid() and valid
    if valid and form.rule is not None:
        try:
            plan = services.stay_prices_generate(
                provider=request.provider,
                lodging=form.cleaned_data["lodging"],
                periods=periods.periods,
                weekdays=form.cleaned_data["weekdays"],
                nightly=form.rule,
                user=request.user,
                commit=action == "confirm",
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            if plan.written:
                services.price_entry_remember(
                    provider=request.provider, data=_nightly_entry(form, periods), kind=services.NIGHTLY_ENTRY
                )
                return _success(request, plan)
            if action == "details":
                length = int_param(request, "length", source="POST")
                return render(
                    request,
                    "tarifs/stay_price_preview.html#length-stays",
                    {"stays": plan.stays_of(length) if length else []},
                )
            return _preview_page(request, plan, url=reverse("tarifs:create_nightly"))
    return _nightly_page(request, form, periods, has_last_entry=bool(last_entry))


def _nightly_entry(form: NightlyPriceForm, periods: PeriodFormSet) -> dict:
    """The submitted nightly entry as JSON, for "Initialiser avec la dernière saisie"."""
    data = form.cleaned_data
    return {
        "lodging": data["lodging"].pk,
        "nightly_price": str(data["nightly_price"]),
        "min_nights": data["min_nights"],
        "max_nights": data["max_nights"],
        "all_weekdays": bool(data.get("all_weekdays")),
        "weekdays": list(data["weekdays"]),
        "weekly_percent": None if data.get("weekly_percent") is None else str(data["weekly_percent"]),
        "monthly_percent": None if data.get("monthly_percent") is None else str(data["monthly_percent"]),
        "periods": [[start.isoformat(), end.isoformat()] for start, end in periods.periods],
    }


def _nightly_page(request, form, periods, *, has_last_entry: bool) -> HttpResponse:
    return render(
        request,
        "tarifs/stay_price_nightly_form.html",
        {
            "form": form,
            "periods": periods,
            "lodging": form["lodging"].value(),
            "all_weekdays": ALL_WEEKDAYS,
            "has_last_entry": has_last_entry,
        },
    )


# ---------------------------------------------------------------------------------------------
# Voir les tarifs


def _filter_form(query: QueryDict, default_lodging: Lodging | None) -> StayPriceFilterForm:
    """The filters of "Voir les tarifs"; with no day ticked, every start day is (and shows) ticked."""
    data = query.copy()
    if not data.getlist("weekdays"):
        data.setlist("weekdays", [str(day) for day in ALL_WEEKDAYS])
        data["all_weekdays"] = "on"
    if not data.get("lodging") and default_lodging is not None:
        data["lodging"] = str(default_lodging.pk)
    return StayPriceFilterForm(data)


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict]:
    """Header links of the sortable columns (a click on the sorted column reverses it)."""
    links = {}
    for key in selectors.SORTS:
        query = request.GET.copy()
        query.pop("page", None)
        descending = current == key
        query["sort"] = f"-{key}" if descending else key
        links[key] = {
            "url": f"?{query.urlencode()}",
            "state": "ascending" if current == key else "descending" if current == f"-{key}" else "none",
        }
    return links


@provider_required
@query_params(lodging=ID, page=INT)
def stay_price_list(request: HttpRequest) -> HttpResponse:
    """ "Voir les tarifs" of one lodging: filters, sortable table, pages, edit, delete, export."""
    default_lodging = _default_lodging(request)
    form = _filter_form(request.GET, default_lodging)
    filters = form.filters(default_lodging)
    queryset = selectors.stay_prices_search(filters)
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(int_param(request, "page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tarifs/stay_price_list.html",
        {
            "form": form,
            "filters": filters,
            "lodging": filters.lodging.pk if filters.lodging else None,
            "page": page,
            "count": paginator.count,
            "sort_links": _sort_links(request, filters.sort),
            "query": query.urlencode(),
            "weekday_choices": WEEKDAY_CHOICES,
        },
    )


@provider_required
@query_params(lodging=ID)
def stay_price_export(request: HttpRequest) -> HttpResponse:
    """ "Exporter en fichier Excel": the rows of the table (every page), as a real .xlsx (prepared in
    the background above ``exports.STREAM_MAX_ROWS`` rows, ``comptes.exports``)."""
    default_lodging = _default_lodging(request)
    form = _filter_form(request.GET, default_lodging)
    params = {"query": form.data.urlencode(), "lodging": default_lodging.pk if default_lodging else None}
    return export_response(request, kind="stay_prices", params=params)


@provider_required
@require_http_methods(["GET", "POST"])
def stay_price_delete(request: HttpRequest) -> HttpResponse:
    """Delete the ticked rows, one row (its bin), or every row of the table ("des N pages")."""
    if request.method == "GET":
        return redirect("tarifs:list")
    query = QueryDict(text_param(request, "query", max_length=2000, source="POST"))
    default_lodging = _default_lodging(request)
    form = _filter_form(query, default_lodging)
    back = f"{reverse('tarifs:list')}?{query.urlencode()}" if query else reverse("tarifs:list")
    if text_param(request, "scope", source="POST") == "all":
        if not form.is_valid():
            messages.error(request, _("The filters of the table are not valid: nothing was deleted."))
            return redirect(back)
        stay_prices = selectors.stay_prices_search(form.filters(default_lodging))
    else:
        ids = [
            value for value in request.POST.getlist("one") or request.POST.getlist("ids") if value.isdigit()
        ]
        if not ids:
            messages.warning(request, _("Tick the stay prices to delete."))
            return redirect(back)
        stay_prices = StayPrice.objects.filter(pk__in=ids)
    count = services.stay_prices_delete(stay_prices=stay_prices, user=request.user)
    messages.success(
        request,
        ngettext("%(count)s stay price deleted.", "%(count)s stay prices deleted.", count) % {"count": count},
    )
    return redirect(back)


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(next=NEXT)
def stay_price_update(request: HttpRequest, stay_price_pk: int) -> HttpResponse:
    """ "Modifier" one stay price."""
    stay_price = get_object_or_404(
        StayPrice.objects.select_related("lodging").prefetch_related("bracket_prices", "group_prices"),
        pk=stay_price_pk,
    )
    brackets = _brackets()
    pricing = {
        "brackets": brackets,
        "max_persons": stay_price.lodging.capacity_max,
        "lodging": stay_price.lodging,
    }
    back = next_param(request, _list_url(stay_price.lodging))
    if request.method == "POST":
        form = StayPriceUpdateForm(request.POST, **pricing)
        if form.is_valid():
            try:
                services.stay_price_update(stay_price=stay_price, user=request.user, **form.pricing_kwargs())
            except ValidationError as error:
                add_service_errors(error, form)
            else:
                messages.success(request, _("The stay price is saved."))
                return redirect(back)
    else:
        form = StayPriceUpdateForm(initial=StayPriceUpdateForm.initial_for(stay_price), **pricing)
    return render(
        request,
        "tarifs/stay_price_update.html",
        {"form": form, "stay_price": stay_price, "back": back, "lodging": stay_price.lodging_id},
    )


# ---------------------------------------------------------------------------------------------
# Créer des promos


@provider_required
@query_params(lodging=ID)
def promotion_list(request: HttpRequest) -> HttpResponse:
    lodging = _lodging_from(request)
    return render(
        request,
        "tarifs/promotion_list.html",
        {
            "promotions": selectors.promotions_list(lodging=lodging),
            "selected_lodging": lodging,
            "lodging": lodging.pk if lodging else None,
            "lodgings": Lodging.objects.active(),
        },
    )


def _promotion_fields(form: PromotionForm) -> dict:
    return {name: form.cleaned_data[name] for name in services.PROMOTION_FIELDS}


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID)
def promotion_create(request: HttpRequest) -> HttpResponse:
    lodging = _lodging_from(request)
    if request.method == "POST":
        form = PromotionForm(request.POST)
        if form.is_valid():
            try:
                promotion = services.promotion_create(
                    provider=request.provider, user=request.user, **_promotion_fields(form)
                )
            except ValidationError as error:
                add_service_errors(error, form)
            else:
                messages.success(request, _("The promotion is saved."))
                return redirect(f"{reverse('tarifs:promotion_list')}?lodging={promotion.lodging_id}")
    else:
        form = PromotionForm(
            initial={"lodging": lodging.pk if lodging else None, "kind": Promotion.Kind.LAST_MINUTE}
        )
    return render(
        request,
        "tarifs/promotion_form.html",
        {"form": form, "promotion": None, "lodging": form["lodging"].value()},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def promotion_update(request: HttpRequest, promotion_pk: int) -> HttpResponse:
    promotion = get_object_or_404(Promotion.objects.select_related("lodging"), pk=promotion_pk)
    if request.method == "POST":
        form = PromotionForm(request.POST, instance=Promotion.objects.get(pk=promotion.pk))
        if form.is_valid():
            try:
                services.promotion_update(promotion=promotion, user=request.user, **_promotion_fields(form))
            except ValidationError as error:
                add_service_errors(error, form)
            else:
                messages.success(request, _("The promotion is saved."))
                return redirect(f"{reverse('tarifs:promotion_list')}?lodging={promotion.lodging_id}")
    else:
        form = PromotionForm(instance=promotion)
    return render(
        request,
        "tarifs/promotion_form.html",
        {"form": form, "promotion": promotion, "lodging": promotion.lodging_id},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def promotion_delete(request: HttpRequest, promotion_pk: int) -> HttpResponse:
    promotion = get_object_or_404(Promotion.objects.select_related("lodging"), pk=promotion_pk)
    if request.method == "POST":
        lodging_id = promotion.lodging_id
        services.promotion_delete(promotion=promotion, user=request.user)
        messages.success(request, _("The promotion is deleted."))
        return redirect(f"{reverse('tarifs:promotion_list')}?lodging={lodging_id}")
    return render(
        request, "tarifs/promotion_delete.html", {"promotion": promotion, "lodging": promotion.lodging_id}
    )
