"""The guests' pages: an office's marketplace, a provider's booking site, lodging pages with their
calendar, and the booking journey.

Every page takes its tenancy from the URL (an office's slug or a provider's number) and its
language from the URL's first segment. No page sets or needs a cookie: forms carry no CSRF token
(there is no session to ride on); public POSTs are checked by their Origin header instead, by the
journey's token, and rate-limited per address.
"""

from __future__ import annotations

import calendar as calendars
import contextlib
import functools
import hashlib
import ipaddress
import json
import time
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_scopes import scopes_disabled

from commercialisation.models import BookingDraft
from commercialisation.public import journey, testmode
from commercialisation.public.catalogue import (
    MAX_NIGHTS,
    WIDGET,
    Channel,
    SearchQuery,
    lodging_calendar,
    lodgings_planning,
    public_lodging,
    public_lodgings,
    search,
    settings_of,
    with_photos,
)
from common.colors import parse_color, theme
from common.params import DATE, INT, TEXT, date_param, int_param, query_params, text_param
from comptes.models import Civility, Office, Provider, ProviderSettings
from hebergements.models import LodgingType
from tarifs import engine

PAGE_SIZE = 12
LANGUAGES = ("fr", "en")
HONEYPOT = "website"  # a field hidden from people: a bot that fills it is refused
# Public POSTs per address: enough for a family trying several stays, not for a flood.
POST_RATE = "30/h"
LIVE_TOTAL_RATE = "300/h"
START_RATE = "10/h"
# Pré-réservations actually made per address (an option blocks dates); failed tries of the summary
# (terms not ticked, a total that changed) count only in POST_RATE.
SUBMIT_RATE = "3/h"


def client_ip(request: HttpRequest) -> str:
    """The guest's address for the per-address rate limits (django-ratelimit calls it:
    ``RATELIMIT_IP_META_KEY``).

    Behind ``TRUSTED_PROXY_COUNT`` proxies of ours (production: the TLS proxy), ``REMOTE_ADDR`` is
    the nearest proxy's, shared by every guest; each proxy appends the address it was reached from
    to ``X-Forwarded-For``, so the guest's is the entry the outermost one appended: the
    ``TRUSTED_PROXY_COUNT``-th from the right. Entries left of it were sent by the client and may be
    anything. With no trusted proxy (0) the header is ignored: anyone can send one."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = [entry.strip() for entry in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(entries) >= count:
            try:
                return str(ipaddress.ip_address(entries[-count]))
            except ValueError:
                pass  # no header (or not an address where our proxy writes one): the peer's
    return request.META.get("REMOTE_ADDR", "")


def _origin_ok(request: HttpRequest) -> bool:
    """A POST comes from our own pages: its Origin (or, without one, its Referer) is this site."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}"


def public(view):
    """A guest's page: the language of the URL, no CSRF cookie, Origin-checked POSTs."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, lang: str, *args, **kwargs):
        if lang not in LANGUAGES:
            raise Http404
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            if request.method == "POST":
                if not _origin_ok(request):
                    return HttpResponseForbidden(_("This form must be sent from our own pages."))
                if request.POST.get(HONEYPOT):
                    return HttpResponseForbidden(_("This form looks automated and was not sent."))
                # The options step's live total (htmx) posts on every change and saves nothing: its
                # own, looser count, so that trying options never uses up the guest's real POSTs.
                live_total = bool(getattr(request, "htmx", False)) and kwargs.get("step") == "options"
                group, rate = (
                    ("public-live-total", LIVE_TOTAL_RATE) if live_total else ("public-post", POST_RATE)
                )
                if is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
                    return _too_many(request)
            response = view(request, *args, **kwargs)
            response.headers["Content-Language"] = lang
            return response

    return wrapper


def framable(view):
    """A widget's or the journey's page: any site may frame it (CSP ``frame-ancestors *``, no
    ``X-Frame-Options``). Every other page keeps the project's ``frame-ancestors 'none'`` and
    ``X-Frame-Options: DENY``."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


def flood_message() -> str:
    return _(
        "Several pre-bookings were already sent from your connection in the last hour. "
        "Please contact the owner directly, or try again later."
    )


def _submit_slot(request: HttpRequest) -> str | None:
    """An option blocks dates: a few pré-réservations per address and hour, no more. Takes one of
    the address's slots of the hour before the submission is tried — one atomic increment, so that
    submissions sent at the same second cannot all pass a count read before any is made — and
    returns its key (``None``: none left); ``_submit_slot_give_back`` returns it when no
    pré-réservation was made. (django-ratelimit counts the same way but cannot give one back.)"""
    allowed, _per = SUBMIT_RATE.split("/")
    key = f"openpro:public-submit:{client_ip(request)}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > int(allowed):
        cache.decr(key)
        return None
    return key


def _submit_slot_give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(key)


def _too_many(request: HttpRequest) -> HttpResponse:
    context = _context(request, None, title=_("Too many attempts"))
    return render(request, "public/too_many.html", context, status=429)


# --- channels --------------------------------------------------------------------------------------


def _office_channel(slug: str) -> Channel:
    office = Office.objects.filter(slug=slug).first()
    if office is None:
        raise Http404
    return Channel(office=office)


def _provider_channel(number: int, test: str = "") -> Channel:
    """A provider's own site: in production, or in test mode with the owner's signed link (any
    status). A deactivated provider, a wrong or expired link: 404."""
    with scopes_disabled():
        provider = Provider.objects.filter(number=number, deactivated_at__isnull=True).first()
    if provider is None:
        raise Http404
    if test:
        if not testmode.is_valid_test_link(test, provider):
            raise Http404
        return Channel(provider=provider, test_token=test)
    if provider.status != Provider.Status.PRODUCTION:
        raise Http404
    return Channel(provider=provider)


def _as_widget(request: HttpRequest, channel: Channel) -> Channel:
    """The channel framed as a widget, in the colour of its ``couleur`` parameter (``rrggbb``; a
    wrong value leaves the default colours)."""
    return replace(channel, origin=WIDGET, color=parse_color(request.GET.get("couleur")) or "")


def channel_url(channel: Channel, name: str, lang: str, **kwargs) -> str:
    """A page of the channel (its widget's page for a widget: a guest stays in the frame)."""
    prefix = "widget_" if channel.widget else ""
    if channel.office is not None:
        return reverse(
            f"public:{prefix}office_{name}", kwargs={"lang": lang, "slug": channel.office.slug, **kwargs}
        )
    if channel.is_test:
        kwargs["test"] = channel.test_token
        return reverse(
            f"public:{prefix}test_{name}", kwargs={"lang": lang, "number": channel.provider.number, **kwargs}
        )
    return reverse(
        f"public:{prefix}site_{name}", kwargs={"lang": lang, "number": channel.provider.number, **kwargs}
    )


def channel_link(channel: Channel, name: str, lang: str, query: dict | None = None, **kwargs) -> str:
    """``channel_url`` with its query string, the widget's colour kept."""
    params = {**(query or {}), **({"couleur": channel.color} if channel.widget and channel.color else {})}
    url = channel_url(channel, name, lang, **kwargs)
    return f"{url}?{urlencode(params)}" if params else url


def switch_language(request: HttpRequest, lang: str) -> str:
    """The same page in the other language (the guest keeps their place)."""
    path = request.get_full_path()
    return f"/{lang}/{path.split('/', 2)[2]}" if path.count("/") >= 2 else f"/{lang}/"


def _context(request: HttpRequest, channel: Channel | None, **extra) -> dict:
    lang = request.LANGUAGE_CODE
    other = "en" if lang == "fr" else "fr"
    widget = channel is not None and channel.widget
    color = channel.color if widget else ""
    return {
        "channel": channel,
        "lang": lang,
        "other_lang": other,
        "other_lang_url": switch_language(request, other),
        "home_url": channel_link(channel, "search", lang) if channel else "",
        "canonical": request.build_absolute_uri(request.path),
        "widget": widget,
        "widget_color": color,
        "widget_query": f"&couleur={color}" if color else "",  # appended to links with a query
        "theme_url": reverse("public:widget_theme", kwargs={"color": color}) if color else "",
        **extra,
    }


# --- search ----------------------------------------------------------------------------------------


def _search_query(request: HttpRequest) -> SearchQuery:
    arrival = date_param(request, "arrivee")
    nights = int_param(request, "nuits", minimum=1, maximum=MAX_NIGHTS)
    departure = date_param(request, "depart")
    if arrival and not nights and departure and 0 < (departure - arrival).days <= MAX_NIGHTS:
        nights = (departure - arrival).days
    if arrival and not nights:
        nights = 7
    kinds = {value for value, _label in LodgingType.choices}
    kind = text_param(request, "type", max_length=30)
    sort = text_param(request, "tri", max_length=10)
    return SearchQuery(
        arrival=arrival if nights else None,
        nights=nights if arrival else None,
        persons=int_param(request, "personnes", minimum=1, maximum=99),
        commune=text_param(request, "commune", max_length=100),
        kind=kind if kind in kinds else "",
        sort=sort if sort in ("price", "name") else "price",
    )


def _search_page(request: HttpRequest, channel: Channel) -> HttpResponse:
    query = _search_query(request)
    today = timezone.localdate()
    if query.arrival and query.arrival < today:
        query = SearchQuery(persons=query.persons, commune=query.commune, kind=query.kind, sort=query.sort)
    result = search(channel, query)
    page = Paginator(result.offers, PAGE_SIZE).get_page(int_param(request, "page", 1, minimum=1))
    params = request.GET.copy()
    params.pop("page", None)
    lang = request.LANGUAGE_CODE
    with_photos([offer.lodging for offer in page.object_list])
    for offer in page.object_list:
        dates = {"arrivee": query.arrival.isoformat(), "nuits": query.nights} if query.dated else {}
        offer.url = channel_link(channel, "lodging", lang, dates, pk=offer.lodging.pk)
    return render(
        request,
        "public/search.html",
        _context(
            request,
            channel,
            query=query,
            page=page,
            result=result,
            paging_query=params.urlencode(),
            kinds=LodgingType.choices,
            title=_("Holiday rentals of %(name)s") % {"name": _channel_name(channel)},
            min_arrival=today.isoformat(),
        ),
    )


def _channel_name(channel: Channel) -> str:
    if channel.office is not None:
        return channel.office.name
    provider = channel.provider
    return provider.company or provider.display_name


SEARCH_PARAMS = {"arrivee": DATE, "nuits": INT, "depart": DATE, "personnes": INT, "commune": TEXT}
SEARCH_PARAMS |= {"type": TEXT, "tri": TEXT, "page": INT}


@public
@query_params(**SEARCH_PARAMS)
def office_search(request: HttpRequest, slug: str) -> HttpResponse:
    return _search_page(request, _office_channel(slug))


@public
@query_params(**SEARCH_PARAMS)
def site_search(request: HttpRequest, number: int, test: str = "") -> HttpResponse:
    return _search_page(request, _provider_channel(number, test))


@framable
@public
@query_params(**SEARCH_PARAMS, couleur=TEXT)
def widget_office_search(request: HttpRequest, slug: str) -> HttpResponse:
    """The marketplace's search and results, framed in the office's own site."""
    return _search_page(request, _as_widget(request, _office_channel(slug)))


@framable
@public
@query_params(**SEARCH_PARAMS, couleur=TEXT)
def widget_site_search(request: HttpRequest, number: int, test: str = "") -> HttpResponse:
    """ "Widget de recherche de disponibilité": the provider's lodgings free for a stay."""
    return _search_page(request, _as_widget(request, _provider_channel(number, test)))


# --- the lodging page --------------------------------------------------------------------------------


def _month(request: HttpRequest, today: date) -> date:
    text = text_param(request, "mois", max_length=7)
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    lowest, highest = today.replace(day=1), date(today.year + 3, 12, 1)
    return min(max(first, lowest), highest)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _lodging_page(request: HttpRequest, channel: Channel, pk: int, *, error: str = "") -> HttpResponse:
    lodging = public_lodging(channel, pk)
    if lodging is None:
        raise Http404
    today = timezone.localdate()
    chosen = date_param(request, "arrivee")
    month = _month(request, today) if not chosen or "mois" in request.GET else chosen.replace(day=1)
    last = _shift(month, 1) - timedelta(days=1)
    # Durations and prices for the day chosen; the other days only say whether a stay starts then.
    days = lodging_calendar(lodging, month, last, detailed={chosen} if chosen else ())
    weeks = calendars.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    selected = days.get(chosen) if chosen else None
    lang = request.LANGUAGE_CODE
    url = channel_url(channel, "lodging", lang, pk=lodging.pk)
    book_url = channel_link(channel, "start", lang, pk=lodging.pk)
    nights = int_param(request, "nuits", minimum=1, maximum=MAX_NIGHTS)
    description = (lodging.description_en if lang == "en" else "") or lodging.description_fr
    context = _context(
        request,
        channel,
        lodging=lodging,
        description=description,
        families=_equipment(lodging, lang),
        weeks=[[days.get(day) if day.month == month.month else None for day in week] for week in weeks],
        month=month,
        previous_month=_shift(month, -1) if month > today.replace(day=1) else None,
        next_month=_shift(month, 1),
        selected=selected,
        lodging_url=url,
        book_url=book_url,
        sales=settings_of(lodging.provider),
        terms=_terms(lodging.provider, lang),
        error=error,
        title=lodging.name,
        photos=getattr(lodging, "gallery", []),
        nights_selected=nights,
        map_url=_map_url(lodging),
        contact=_contact(lodging.provider),
        weekday_names=[(WEEKDAYS_ABBR[index], WEEKDAYS[index]) for index in range(7)],
        json_ld=_json_ld(request, lodging, url, description, _chosen(selected, nights)),
        photo_url=_photo_url(request, lodging),
    )
    page = "public/widget_lodging.html" if channel.widget else "public/lodging.html"
    template = "public/lodging.html#calendar" if request.htmx else page
    return render(request, template, context, status=400 if error else 200)


def _photo_url(request: HttpRequest, lodging) -> str:
    gallery = getattr(lodging, "gallery", [])
    return request.build_absolute_uri(gallery[0].image.url) if gallery else ""


def _chosen(selected, nights: int | None):
    """The stay the durations' form has ticked: the nights asked for, or the first on offer."""
    durations = selected.durations if selected else []
    return next((d for d in durations if d.nights == nights), durations[0] if durations else None)


def _json_ld(request: HttpRequest, lodging, url: str, description: str, duration=None) -> str:
    """schema.org ``LodgingBusiness`` with its ``Offer``: the price of the stay chosen, when one is
    ("à partir de" is on the search page)."""
    offer = {"@type": "Offer", "url": request.build_absolute_uri(url), "priceCurrency": "EUR"}
    if duration is not None:
        offer["price"] = f"{duration.quote.total:.2f}"
    data = {
        "@context": "https://schema.org",
        "@type": "LodgingBusiness",
        "name": lodging.name,
        "url": request.build_absolute_uri(url),
        "description": (description or "")[:300],
        "address": {
            "@type": "PostalAddress",
            "addressLocality": lodging.commune.name if lodging.commune else "",
            "postalCode": lodging.commune.postcode if lodging.commune else "",
            "addressCountry": "FR",
        },
        "makesOffer": offer,
    }
    if photo := _photo_url(request, lodging):
        data["image"] = photo
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S308


def _map_url(lodging) -> str:
    latitude = lodging.latitude or (lodging.commune.latitude if lodging.commune else None)
    longitude = lodging.longitude or (lodging.commune.longitude if lodging.commune else None)
    if latitude is None or longitude is None:
        return ""
    return f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=14/{latitude}/{longitude}"


def _contact(provider: Provider) -> dict | None:
    """The provider's contact details, as much as the owner allows ("Modalités de vente")."""
    shown = settings_of(provider).public_contact
    if shown == ProviderSettings.PublicContact.HIDDEN:
        return None
    full = shown == ProviderSettings.PublicContact.FULL
    address = [provider.address, f"{provider.postcode} {provider.city}".strip()] if full else []
    return {
        "name": provider.company or provider.display_name,
        "address": [line for line in address if line],
        "phone": provider.phone1,
        "email": provider.email,
    }


def _terms(provider: Provider, lang: str) -> str:
    sales = settings_of(provider)
    return (sales.terms_en if lang == "en" else "") or sales.terms_fr


def _equipment(lodging, lang: str) -> list[tuple[str, list[str]]]:
    with scopes_disabled():
        characteristics = lodging.characteristics.select_related("family").order_by(
            "family__position", "position"
        )
        families: dict[str, list[str]] = {}
        for item in characteristics:
            family = item.family.name_en if lang == "en" else item.family.name_fr
            families.setdefault(family, []).append(item.name_en if lang == "en" else item.name_fr)
    return list(families.items())


LODGING_PARAMS = {"mois": TEXT, "arrivee": DATE, "nuits": INT}


@public
@query_params(**LODGING_PARAMS)
def office_lodging(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _lodging_page(request, _office_channel(slug), pk)


@public
@query_params(**LODGING_PARAMS)
def site_lodging(request: HttpRequest, number: int, pk: int, test: str = "") -> HttpResponse:
    return _lodging_page(request, _provider_channel(number, test), pk)


@framable
@public
@query_params(**LODGING_PARAMS, couleur=TEXT)
def widget_office_lodging(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _lodging_page(request, _as_widget(request, _office_channel(slug)), pk)


@framable
@public
@query_params(**LODGING_PARAMS, couleur=TEXT)
def widget_site_lodging(request: HttpRequest, number: int, pk: int, test: str = "") -> HttpResponse:
    """ "Widget planning d'un hébergement": its month calendar of arrivals, then the journey."""
    return _lodging_page(request, _as_widget(request, _provider_channel(number, test)), pk)


# --- the planning of all the provider's lodgings (a widget) --------------------------------------

PLANNING_DAYS = 28
PLANNING_MAX_AGE = 60  # seconds a browser or a proxy may reuse the planning


@framable
@public
@require_safe
@query_params(debut=DATE, couleur=TEXT)
def widget_site_planning(request: HttpRequest, number: int, test: str = "") -> HttpResponse:
    """ "Widget planning de tous vos hébergements": four weeks of free and taken days of every
    lodging, previous / next; an arrival day leads to the lodging's calendar on that day. A
    constant number of queries whatever the number of lodgings, and cacheable: public for a minute,
    with an ETag (the page carries no nonce: no inline script, htmx not loaded). In test mode it is
    never stored: its address carries the owner's signed link."""
    channel = _as_widget(request, _provider_channel(number, test))
    today = timezone.localdate()
    start = min(max(date_param(request, "debut") or today, today), today + timedelta(days=3 * 365))
    lang = request.LANGUAGE_CODE
    rows = lodgings_planning(channel, start, PLANNING_DAYS)
    days = [start + timedelta(days=offset) for offset in range(PLANNING_DAYS)]
    _label_cells(channel, lang, rows, days)
    previous = max(start - timedelta(days=PLANNING_DAYS), today) if start > today else None
    context = _context(
        request,
        channel,
        title=_("Availability of our lodgings"),
        rows=rows,
        days=days,
        months=_months(days),
        previous_url=channel_link(channel, "planning", lang, {"debut": previous.isoformat()})
        if previous
        else "",
        next_url=channel_link(
            channel, "planning", lang, {"debut": (start + timedelta(days=PLANNING_DAYS)).isoformat()}
        ),
        start=start,
        end=days[-1],
    )
    response = render(request, "public/widget_planning.html", context)
    if channel.is_test:
        add_never_cache_headers(response)
        return response
    return _cacheable(request, response)


def _label_cells(channel: Channel, lang: str, rows: list, days: list[date]) -> None:
    """Each cell's link (an arrival day: the lodging's calendar on that day) and its label. One
    address and one date format per lodging and per day, not per cell: 560 cells for 20 lodgings."""
    dates = {day: date_format(day, "l j F Y") for day in days}
    states = {"free": _("free"), "closed": _("closed"), "taken": _("taken")}
    arrival = _("arrival possible")
    color = f"&couleur={channel.color}" if channel.widget and channel.color else ""
    for row in rows:
        base = channel_url(channel, "lodging", lang, pk=row.lodging.pk)
        for cell in row.days:
            if cell.arrival:
                cell.url = f"{base}?arrivee={cell.day.isoformat()}{color}"
            state = arrival if cell.arrival else states[cell.state]
            cell.label = f"{row.lodging.name}, {dates[cell.day]} — {state}"


def _months(days: list[date]) -> list[tuple[date, int]]:
    """The months the days cover, each with its number of days (the planning's top row)."""
    months: list[tuple[date, int]] = []
    for day in days:
        if months and months[-1][0].month == day.month:
            months[-1] = (months[-1][0], months[-1][1] + 1)
        else:
            months.append((day, 1))
    return months


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Public for ``PLANNING_MAX_AGE`` seconds, with a strong ETag of the body: a conditional
    request for an unchanged page is answered 304 with no body."""
    if response.status_code != 200:
        return response
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    patch_cache_control(response, public=True, max_age=PLANNING_MAX_AGE)
    response.headers["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response) or response


@require_safe
def widget_theme(request: HttpRequest, color: str) -> HttpResponse:
    """A widget's colours as CSS custom properties (the owner's colour, and readable variants for
    text on it and for links): a stylesheet, so that no inline style needs a nonce. Never changes
    for a colour: cached for a year."""
    css = ":root{" + "".join(f"--c-{name}:#{value};" for name, value in theme(color).items()) + "}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# --- the journey -----------------------------------------------------------------------------------


def _start(request: HttpRequest, channel: Channel, pk: int) -> HttpResponse:
    if is_ratelimited(request, group="public-start", key="ip", rate=START_RATE, increment=True):
        return _too_many(request)
    try:
        draft = journey.draft_start(
            channel=channel,
            lodging_id=pk,
            arrival=date_param(request, "arrivee", source="POST"),
            nights=int_param(request, "nuits", minimum=1, maximum=MAX_NIGHTS, source="POST"),
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as error:
        return _lodging_page(request, channel, pk, error=" ".join(error.messages))
    return redirect("public:journey", lang=request.LANGUAGE_CODE, token=draft.token, step="sejour")


@public
@require_POST
def office_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _start(request, _office_channel(slug), pk)


@public
@require_POST
def site_start(request: HttpRequest, number: int, pk: int, test: str = "") -> HttpResponse:
    return _start(request, _provider_channel(number, test), pk)


@framable
@public
@require_POST
@query_params(couleur=TEXT)
def widget_office_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _start(request, _as_widget(request, _office_channel(slug)), pk)


@framable
@public
@require_POST
@query_params(couleur=TEXT)
def widget_site_start(request: HttpRequest, number: int, pk: int, test: str = "") -> HttpResponse:
    return _start(request, _as_widget(request, _provider_channel(number, test)), pk)


STEPS = {
    "sejour": BookingDraft.Step.STAY,
    "options": BookingDraft.Step.OPTIONS,
    "coordonnees": BookingDraft.Step.DETAILS,
    "recapitulatif": BookingDraft.Step.SUMMARY,
    "confirmation": BookingDraft.Step.DONE,
}
ORDER = list(STEPS)


def _step_url(request: HttpRequest, draft: BookingDraft, step: str) -> str:
    return reverse(
        "public:journey", kwargs={"lang": request.LANGUAGE_CODE, "token": draft.token, "step": step}
    )


def _reached(draft: BookingDraft) -> int:
    return ORDER.index({value: key for key, value in STEPS.items()}[draft.step])


def _counts(request: HttpRequest, prefix: str) -> dict[int, int]:
    counts = {}
    for key in request.POST:
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            blank = not request.POST.get(key, "").strip()  # an empty box: nobody of that age
            counts[int(key[len(prefix) :])] = (
                0 if blank else int_param(request, key, -1, minimum=0, maximum=999, source="POST")
            )
    return counts


@framable
@public
def journey_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    draft = journey.draft_get(token)
    if draft is None or step not in STEPS:
        raise Http404
    channel = journey.channel_of(draft)
    if draft.booking_id is not None and step != "confirmation":
        return redirect(_step_url(request, draft, "confirmation"))
    if ORDER.index(step) > _reached(draft):
        return redirect(_step_url(request, draft, ORDER[_reached(draft)]))
    errors: dict[str, list[str]] = {}
    taken = False
    preview: dict | None = None
    if request.method == "POST" and step == "options" and request.htmx:
        preview = {"supplements": _counts(request, "supplement_")}  # the live total, nothing saved
        preview["promo_code"] = text_param(request, "promo_code", max_length=30, source="POST").upper()
    elif request.method == "POST" and step == "recapitulatif" and (slot := _submit_slot(request)) is None:
        errors = {"__all__": [flood_message()]}
    elif request.method == "POST":
        try:
            _post_step(request, draft, step)
        except journey.TotalChanged as error:
            errors = {"total": error.messages}
        except journey.DatesTaken as error:
            errors, taken = error.message_dict, True
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            return redirect(_step_url(request, draft, ORDER[min(ORDER.index(step) + 1, len(ORDER) - 1)]))
        finally:
            if step == "recapitulatif" and errors:
                _submit_slot_give_back(slot)  # no pré-réservation made: the slot is the guest's again
    lodging = journey.draft_lodging(draft) or draft.lodging
    try:
        quote = (
            journey.draft_quote(draft, lodging=lodging, **(preview or {}))
            if draft.booking_id is None
            else None
        )
        refused = ""
    except engine.StayNotBookable as error:
        quote, refused = None, error.message
    lang = request.LANGUAGE_CODE
    party = _party(lodging)
    context = _context(
        request,
        channel,
        draft=draft,
        step=step,
        steps=[(key, STEPS[key].label, ORDER.index(key) <= _reached(draft)) for key in ORDER[:-1]],
        lodging=lodging,
        party=party,
        lines=_lines(quote, party, lang),
        quote=quote,
        refused=refused,
        errors=errors,
        general_errors=errors.get("__all__", []),
        taken=taken,
        other_arrivals=journey.other_arrivals(draft) if taken else [],
        lodging_url=channel_url(channel, "lodging", lang, pk=lodging.pk),
        back_url=channel_link(channel, "lodging", lang, pk=lodging.pk),
        civilities=Civility.choices,
        client=(
            {name: request.POST.get(name, "")[:200] for name in journey.CLIENT_FIELDS}
            if errors and step == "coordonnees"
            else draft.client_data
        ),
        sales=settings_of(draft.provider),
        terms=journey.terms_of(draft),
        booking=draft.booking,
        title=_("Book %(name)s") % {"name": lodging.name},
        action=request.path,
        occupant_counts={int(k): v for k, v in draft.occupants.items()},
        supplement_counts=(
            _counts(request, "supplement_")
            if request.method == "POST" and step == "options"
            else {int(k): v for k, v in draft.supplements.items()}
        ),
        promo_code=(
            text_param(request, "promo_code", max_length=30, source="POST")
            if request.method == "POST" and step == "options"
            else draft.promo_code
        ),
    )
    template = "public/includes/total.html" if preview is not None else "public/journey.html"
    return render(request, template, context, status=409 if taken else 400 if errors else 200)


def _lines(quote: engine.Quote | None, party: journey.Party, lang: str) -> list[tuple[str, engine.QuoteLine]]:
    """The quote's lines with each supplement's label in the guest's language."""
    if quote is None:
        return []
    english = {supplement.pk: supplement.label_en for supplement in party.supplements if supplement.label_en}
    return [
        (english.get(line.supplement_id, line.label) if lang == "en" else line.label, line)
        for line in quote.lines
    ]


def _party(lodging) -> journey.Party:
    party = journey.party_of(lodging)
    for supplement in party.supplements:
        supplement.quantities = range((supplement.max_quantity or 1) + 1)
    return party


def _post_step(request: HttpRequest, draft: BookingDraft, step: str) -> None:
    if step == "sejour":
        journey.draft_stay_update(draft=draft, occupants=_counts(request, "occupants_"))
    elif step == "options":
        journey.draft_options_update(
            draft=draft,
            supplements=_counts(request, "supplement_"),
            promo_code=text_param(request, "promo_code", max_length=30, source="POST"),
        )
    elif step == "coordonnees":
        journey.draft_details_update(
            draft=draft, data={name: request.POST.get(name, "") for name in journey.CLIENT_FIELDS}
        )
    elif step == "recapitulatif":
        journey.draft_submit(
            draft=draft,
            accept_terms=request.POST.get("accept_terms") == "1",
            opt_in=request.POST.get("opt_in") == "1",
            seen_total=text_param(request, "total", max_length=20, source="POST"),
        )
    else:
        raise Http404


def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public lodging page, in both languages: of each office's marketplace and of each
    provider's own site."""
    urls = []
    with scopes_disabled():
        channels = [Channel(office=office) for office in Office.objects.order_by("pk")]
        channels += [
            Channel(provider=provider)
            for provider in Provider.objects.filter(
                status=Provider.Status.PRODUCTION, deactivated_at__isnull=True
            ).order_by("number")
        ]
        for channel in channels:
            for lodging_id in public_lodgings(channel).order_by("pk").values_list("pk", flat=True):
                urls.extend(channel_url(channel, "lodging", lang, pk=lodging_id) for lang in LANGUAGES)
    response = render(
        request, "public/sitemap.xml", {"urls": [request.build_absolute_uri(url) for url in urls]}
    )
    response["Content-Type"] = "application/xml"
    return response
