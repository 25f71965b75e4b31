"""COMMERCIALISATION > Synchronisation iCal, Codes promo and Moteurs de réservation pages, and the
public calendar export."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_safe

from commercialisation import export_heads, selectors, services
from commercialisation.forms import BlockBookingForm, FeedForm, PromoCodeForm, WidgetOptionsForm
from commercialisation.ical import serialize
from commercialisation.models import IcalExport, IcalFeed, ImportedBlock, Platform
from commercialisation.public.testmode import sign_test_link
from commercialisation.widgets import site_link, widget_snippets
from common.cache import ProcessLRU
from common.forms import add_service_errors
from common.params import CHOICE, ID, POST_ID, TEXT, object_param, query_params
from comptes.decorators import provider_required
from comptes.models import AuditEntry, Provider
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Lodging
from reservations.forms.bookings import ExistingClientForm
from tarifs import services as tarifs_services
from tarifs.models import PromoCode

EXPORT_CACHE_SECONDS = 300


def _sync_message(request: HttpRequest, feeds: list[IcalFeed]) -> None:
    """After "Synchroniser maintenant": "started" (the worker runs it; the page polls), or the result
    when it is already done (the tests run tasks in-process)."""
    feeds = list(IcalFeed.objects.filter(pk__in=[f.pk for f in feeds]))
    if not feeds:
        messages.info(request, _("This lodging has no calendar to synchronise yet."))
        return
    if any(feed.state == IcalFeed.State.PENDING for feed in feeds):
        messages.info(request, _("Synchronisation started: the results appear below in a moment."))
        return
    total = {"created": 0, "updated": 0, "removed": 0, "conflicts": 0, "skipped": 0}
    errors = 0
    for feed in feeds:
        if feed.last_error_code:
            errors += 1
            continue
        for key in total:
            total[key] += int(feed.last_result.get(key, 0))
    parts = [
        ngettext("%(n)s event imported", "%(n)s events imported", total["created"]) % {"n": total["created"]},
        ngettext("%(n)s updated", "%(n)s updated", total["updated"]) % {"n": total["updated"]},
        ngettext("%(n)s removed", "%(n)s removed", total["removed"]) % {"n": total["removed"]},
        ngettext("%(n)s conflict", "%(n)s conflicts", total["conflicts"]) % {"n": total["conflicts"]},
        ngettext("%(n)s error", "%(n)s errors", errors) % {"n": errors},
    ]
    if skipped := total["skipped"]:
        parts.append(ngettext("%(n)s event ignored", "%(n)s events ignored", skipped) % {"n": skipped})
    text = _("Synchronisation done: %(result)s.") % {"result": ", ".join(parts)}
    warn = errors or total["conflicts"] or total["skipped"]
    (messages.warning if warn else messages.success)(request, text)


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if request.htmx:
        template += "#feeds"
    return render(request, template, context)


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=POST_ID)
def ical(request: HttpRequest) -> HttpResponse:
    """Every feed of every lodging with its state; "Synchroniser maintenant" per lodging."""
    if request.method == "POST" and "sync" in request.POST:
        lodging = object_param(request, "lodging", Lodging.objects.all(), source="POST")
        if lodging is None:
            raise Http404
        _sync_message(request, services.lodging_sync_now(lodging=lodging))
        return redirect("commercialisation:ical")
    lodgings = selectors.feeds_overview(request.provider)
    feeds = [feed for lodging in lodgings for feed in lodging.feeds]
    return _render(
        request,
        "commercialisation/ical.html",
        {
            "lodgings": lodgings,
            "feed_count": len(feeds),
            "pending": any(feed.state == IcalFeed.State.PENDING for feed in feeds),
            "conflicts": selectors.open_conflicts(request.provider),
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(feed=POST_ID)
def lodging_ical(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    """One lodging: its export address (copy, regenerate) and its subscribed calendars."""
    lodging = get_object_or_404(Lodging, pk=lodging_pk)
    here = reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": lodging.pk})
    form = FeedForm()
    if request.method == "POST":
        if "add" in request.POST:
            form = FeedForm(request.POST)
            if form.is_valid():
                try:
                    feed = services.feed_create(lodging=lodging, user=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The calendar “%(name)s” is added.") % {"name": feed.name})
                    _sync_message(request, [feed])
                    return redirect(here)
        elif "remove" in request.POST:
            feed = object_param(request, "feed", IcalFeed.objects.filter(lodging=lodging), source="POST")
            if feed is None:
                raise Http404
            services.feed_delete(feed=feed, user=request.user)
            messages.success(request, _("The calendar “%(name)s” is removed.") % {"name": feed.name})
            return redirect(here)
        elif "regenerate" in request.POST:
            services.export_token_regenerate(lodging=lodging, user=request.user)
            messages.success(
                request,
                _("A new export address is created; give it to your platforms, the old one no longer works."),
            )
            return redirect(here)
        elif "sync" in request.POST:
            _sync_message(request, services.lodging_sync_now(lodging=lodging))
            return redirect(here)
    export = services.export_ensure(lodging=lodging)  # None only in assist mode (read-only)
    feeds = list(IcalFeed.objects.filter(lodging=lodging).order_by("created_at", "id"))
    for feed in feeds:
        address = {"token": export.token, "feed_pk": feed.pk} if export else None
        feed.export_url = (
            request.build_absolute_uri(reverse("commercialisation:ical_export_feed", kwargs=address))
            if address
            else ""
        )
    return _render(
        request,
        "commercialisation/lodging_ical.html",
        {
            "lodging": lodging,
            "export_url": (
                request.build_absolute_uri(reverse("commercialisation:ical_export", args=[export.token]))
                if export
                else ""
            ),
            "feeds": feeds,
            "pending": any(feed.state == IcalFeed.State.PENDING for feed in feeds),
            "blocks": selectors.upcoming_blocks(lodging),
            "form": form,
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def block_booking_create(request: HttpRequest, block_pk: int) -> HttpResponse:
    """ "Créer le dossier": a platform's reservation (an imported block) becomes a booking file, its
    dates and the guest's name prefilled, origin the platform, its amount the platform's."""
    from hebergements.models import AgeBracket
    from reservations.services import AlreadyDone

    block = services.imported_block_for_file(block_pk)
    if block is None:
        existing = get_object_or_404(ImportedBlock, pk=block_pk)
        if existing.booking_id:  # made into a file already (a second click): that file
            return redirect("reservations:booking_detail", booking_pk=existing.booking_id)
        raise Http404("not a platform's reservation")
    brackets = list(AgeBracket.objects.order_by("position", "-age_max"))
    initial = {"last_name": services.guest_name_guess(block.summary)}
    existing_form = ExistingClientForm(request.POST or None)  # a returning guest: their client
    existing = existing_form.cleaned_data.get("existing_client") if existing_form.is_valid() else None
    form = BlockBookingForm(
        request.POST or None, initial=initial, brackets=brackets, client_required=existing is None
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.imported_block_booking_create(
                block=block,
                client=existing,
                client_data=form.client_data(),
                occupants=form.occupants,
                amount=form.cleaned_data["amount"],
                user=request.user,
            )
        except AlreadyDone as error:
            messages.info(request, " ".join(error.messages))
            return redirect("reservations:planning")
        except ValidationError as error:
            mapping = {name: (form, name) for name in form.fields}
            first = f"occupants_{brackets[0].pk}" if brackets else None
            mapping.update({"occupants": (form, first), "price": (form, "amount"), "arrival": (form, None)})
            mapping["departure"] = (form, None)
            add_service_errors(error, form, fields=mapping)
        else:
            messages.success(
                request,
                _("File no. %(number)s is created from the %(platform)s reservation.")
                % {"number": booking.display_number, "platform": booking.origin_site},
            )
            return redirect("reservations:booking_detail", booking_pk=booking.pk)
    return render(
        request,
        "commercialisation/block_booking_create.html",
        {
            "imported": block,
            "platform": Platform(block.feed.platform).label,
            "existing_form": existing_form,
            "form": form,
            "planning_url": f"{reverse('reservations:planning')}?debut={block.arrival.isoformat()}",
        },
    )


# Rendered calendars by (export, token, version, platform, day): safe in every process, since a
# change of what the calendar shows is a new version (``services.export_touch``).
EXPORT_BODIES = ProcessLRU(
    entries=settings.ICAL_EXPORT_CACHE_ENTRIES, max_bytes=settings.ICAL_EXPORT_CACHE_BYTES
)


def _export_render(head: selectors.ExportHead, *, feed_id: int | None) -> tuple[bytes, str]:
    """(body, file name) of the export, rendered from the database."""
    with scopes_disabled():
        export = IcalExport.objects.select_related("lodging", "lodging__provider").get(pk=head.pk)
    lodging = export.lodging
    with provider_scope(lodging.provider), translation.override(settings.LANGUAGE_CODE):
        events = selectors.export_events(
            export,
            exclude_feed_id=feed_id,
            booked=pgettext("ical summary", "Booked"),
            closed=pgettext("ical summary", "Unavailable"),
        )
    body = serialize(name=f"{lodging.name} ({lodging.reference})", events=events)
    return body, f"{lodging.reference}.ics"


@require_safe
def ical_export(request: HttpRequest, token: str, feed_pk: str | None = None) -> HttpResponse:
    """The lodging's public calendar (no login: the token is the secret). ``feed_pk`` names the
    platform the address is given to: its own reservations are not sent back to it.

    A conditional request that matches, and a full answer already rendered in this process, cost
    no query when the export's head is known in this process (``export_heads``: kept current by
    PostgreSQL notifications), one indexed query otherwise (``selectors.export_head``); only a
    new version renders the calendar."""
    feed_id = int(feed_pk) if feed_pk is not None else None
    with scopes_disabled():
        head = export_heads.export_head(token=token, feed_id=feed_id)
    if head is None or not head.feed_found:
        raise Http404
    today = selectors.local_today()
    etag = head.etag(feed_id=feed_id, today=today)
    last_modified = head.last_modified(today=today)
    response = get_conditional_response(request, etag=etag, last_modified=int(last_modified.timestamp()))
    if response is None:
        cached = settings.ICAL_EXPORT_CACHE_ENTRIES > 0
        key = head.cache_key(feed_id=feed_id, today=today)
        rendered = EXPORT_BODIES.get(key) if cached else None
        if rendered is None:
            rendered = _export_render(head, feed_id=feed_id)
            if cached:
                EXPORT_BODIES.set(key, rendered, size=len(rendered[0]))
        body, filename = rendered
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = f"max-age={EXPORT_CACHE_SECONDS}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- COMMERCIALISATION > Codes promo ---------------------------------------------------------------


@provider_required
def promo_code_list(request: HttpRequest) -> HttpResponse:
    codes = PromoCode.objects.prefetch_related("lodgings", "periods").order_by("-active", "-valid_to", "code")
    return render(request, "commercialisation/promo_code_list.html", {"codes": codes})


def _promo_code_form(request: HttpRequest, promo: PromoCode | None) -> HttpResponse:
    instance = copy.copy(promo) if promo else PromoCode(provider=request.provider)
    form = PromoCodeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = tarifs_services.promo_code_save(
                provider=request.provider, promo=promo, user=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(error, form, fields={"periods": (form, None)})
        else:
            messages.success(request, _("The promo code %(code)s is saved.") % {"code": saved.code})
            return redirect("commercialisation:promo_code_list")
    return render(request, "commercialisation/promo_code_form.html", {"form": form, "promo": promo})


@provider_required
@require_http_methods(["GET", "POST"])
def promo_code_create(request: HttpRequest) -> HttpResponse:
    return _promo_code_form(request, None)


@provider_required
@require_http_methods(["GET", "POST"])
def promo_code_edit(request: HttpRequest, promo_pk: int) -> HttpResponse:
    return _promo_code_form(request, get_object_or_404(PromoCode, pk=promo_pk))


@provider_required
@require_http_methods(["GET", "POST"])
def promo_code_delete(request: HttpRequest, promo_pk: int) -> HttpResponse:
    promo = PromoCode.objects.filter(pk=promo_pk).first()
    if promo is None:
        deleted = AuditEntry.objects.filter(
            content_type__model="promocode", object_id=promo_pk, action="promo_code.deleted"
        ).exists()  # ours, deleted already (another provider's id: no such entry in our scope)
        if request.method == "POST" and deleted:  # a second click: already done
            messages.info(request, _("This promo code is already deleted."))
            return redirect("commercialisation:promo_code_list")
        raise Http404
    if request.method == "POST":
        tarifs_services.promo_code_delete(promo=promo, user=request.user)
        messages.success(request, _("The promo code %(code)s is deleted.") % {"code": promo.code})
        return redirect("commercialisation:promo_code_list")
    return render(request, "commercialisation/promo_code_confirm_delete.html", {"promo": promo})


# --- COMMERCIALISATION > Tests de réservation -------------------------------------------------------


def _booking_tests_context(request: HttpRequest) -> dict:
    from commercialisation.production import latest_request, provider_checklist
    from reservations.models import Booking

    provider = request.provider
    lang = "en" if (translation.get_language() or "fr").startswith("en") else "fr"
    test_url = reverse(
        "public:test_search",
        kwargs={"lang": lang, "number": provider.number, "test": sign_test_link(provider)},
    )
    return {
        "provider": provider,
        "test_url": test_url,
        "checklist": provider_checklist(provider),
        "production_request": latest_request(provider),
        "test_files": Booking.objects.tests().count(),
        "durations": [
            (7, _("1 week")),
            (14, _("2 weeks")),
            (1, _("1 night")),
            (2, _("2 nights")),
            (3, _("3 nights")),
        ],
    }


# --- COMMERCIALISATION > Moteurs de réservation ----------------------------------------------------


@provider_required
@require_safe
@query_params(langue=CHOICE, couleur=TEXT, lodging=ID)
def widgets(request: HttpRequest) -> HttpResponse:
    """Each widget's snippet to copy (script tag or iframe) with its live preview, the plain link
    to the booking site and the Facebook paragraph; the options (language, lodging, colour) change
    the snippets (htmx swaps them, the address keeps the options)."""
    provider = request.provider
    lodgings = list(
        Lodging.objects.filter(archived=False, visibility=Lodging.Visibility.VISIBLE).order_by(
            "position", "name", "pk"
        )
    )
    chosen = object_param(request, "lodging", Lodging.objects.all())  # another tenant's: 404
    lodging = next((item for item in lodgings if chosen and item.pk == chosen.pk), None) or (
        lodgings[0] if lodgings else None
    )  # a hidden or archived lodging has no public widget: the first visible one instead
    form = WidgetOptionsForm(request.GET if "langue" in request.GET else None, initial={"langue": "fr"})
    valid = form.is_valid()
    lang = form.cleaned_data.get("langue", "fr") if form.is_bound else "fr"
    color = form.cleaned_data.get("couleur", "") if valid else ""
    base = settings.SITE_URL or request.build_absolute_uri("/")
    in_production = provider.status == Provider.Status.PRODUCTION
    test = "" if in_production else sign_test_link(provider)  # the previews in test mode
    context = {
        "form": form,
        "lodgings": lodgings,
        "lodging": lodging,
        "snippets": widget_snippets(
            base=base, provider=provider, lang=lang, lodging=lodging, color=color, test=test
        ),
        "site_link": site_link(base=base, provider=provider, lang=lang),
        "in_production": in_production,
    }
    template = "commercialisation/widgets.html"
    return render(request, f"{template}#snippets" if request.htmx else template, context)


@provider_required
@require_safe
def booking_tests(request: HttpRequest) -> HttpResponse:
    """ "Tests de réservation": the signed link to the provider's test booking site, the checklist
    the office will check, "Demander le passage en production", and "Supprimer tous les dossiers de
    test"."""
    return render(request, "commercialisation/booking_tests.html", _booking_tests_context(request))


@provider_required
@require_http_methods(["GET", "POST"])
def booking_tests_request(request: HttpRequest) -> HttpResponse:
    """ "Demander le passage en production" (a GET leads back to the page)."""
    from commercialisation.production import production_request_create

    if request.method != "POST":
        return redirect("commercialisation:booking_tests")
    try:
        production_request_create(provider=request.provider, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your request is sent to your tourism office."))
    return redirect("commercialisation:booking_tests")


@provider_required
@require_http_methods(["GET", "POST"])
def booking_tests_delete(request: HttpRequest) -> HttpResponse:
    """ "Supprimer tous les dossiers de test", after a confirmation."""
    from reservations.models import Booking
    from reservations.services import test_bookings_delete

    if request.method == "POST" and request.POST.get("confirm") == "1":
        count = test_bookings_delete(provider=request.provider, user=request.user)
        messages.success(
            request,
            ngettext("%(n)s test file deleted.", "%(n)s test files deleted.", count) % {"n": count},
        )
        return redirect("commercialisation:booking_tests")
    return render(
        request,
        "commercialisation/booking_tests_delete.html",
        {"test_files": Booking.objects.tests().count()},
    )
