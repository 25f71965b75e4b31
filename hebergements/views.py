"""HÉBERGEMENT pages: thin adapters between forms and ``hebergements.services``.

Action URLs (move, set main, delete…) change data on POST only; a GET on them leads back to the
page that holds the action, after the object was looked up in the provider's scope (404 otherwise).
"""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.htmx import htmx_target
from common.params import CHOICE, FLAG, NEXT, TEXT, next_param, query_params, search_param, text_param
from comptes.decorators import provider_required
from comptes.forms import ProviderContactForm
from comptes.selectors import sales_terms_for
from hebergements import online, selectors, services
from hebergements.forms import (
    AgeBracketForm,
    LodgingCreateForm,
    LodgingForm,
    LodgingSetupForm,
    PhotoCaptionForm,
    PhotoUploadForm,
    StructureForm,
    SupplementForm,
    VisibilityForm,
)
from hebergements.models import AgeBracket, Commune, Lodging, Photo, Supplement

GET_POST = ["GET", "POST"]


@provider_required(setup_complete=False)
@query_params(q=TEXT, commune_search=TEXT)
def commune_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the communes matching a name or postcode prefix (htmx commune picker)."""
    query = search_param(request)
    communes = Commune.objects.none()
    if len(query) >= 2:
        condition = (
            Q(postcode__startswith=query) if query[:1].isdigit() else Q(name__unaccent__istartswith=query)
        )
        communes = Commune.objects.filter(condition).order_by("name", "postcode")[:30]
    return render(request, "hebergements/commune_options.html", {"communes": communes, "query": query})


def _offset(request: HttpRequest) -> int:
    return -1 if text_param(request, "direction", source="POST") == "up" else 1


# ---------------------------------------------------------------------------------------------
# Lodgings


@provider_required
@query_params(archives=FLAG)
def lodging_list(request: HttpRequest) -> HttpResponse:
    """Accès aux hébergements: photo, name, reference, capacity, Modifier; archived ones apart."""
    archived = text_param(request, "archives") == "1"
    lodgings = online.with_online_status(selectors.lodging_list(archived=archived), provider=request.provider)
    return render(
        request,
        "hebergements/lodging_list.html",
        {
            "lodgings": lodgings,
            "archived": archived,
            "counts": selectors.lodging_counts(),
        },
    )


def _lodging_fields(form: LodgingForm) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in ("characteristics", "photos")}


@provider_required
@require_http_methods(GET_POST)
def lodging_create(request: HttpRequest) -> HttpResponse:
    form = LodgingCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            lodging = services.lodging_create(
                provider=request.provider,
                characteristics=form.cleaned_data["characteristics"],
                photos=form.cleaned_data["photos"],
                **_lodging_fields(form),
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The lodging “%(name)s” is created.") % {"name": lodging.name})
            return redirect("hebergements:lodging_edit", lodging_pk=lodging.pk)
    return render(request, "hebergements/lodging_form.html", {"form": form, "lodging": None})


@provider_required
@require_http_methods(GET_POST)
def lodging_edit(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    lodging = get_object_or_404(Lodging.objects.select_related("provider", "commune"), pk=lodging_pk)
    form = LodgingForm(request.POST or None, instance=copy.copy(lodging))
    if request.method == "POST" and form.is_valid():
        try:
            services.lodging_update(
                lodging=lodging, characteristics=form.cleaned_data["characteristics"], **_lodging_fields(form)
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The lodging is saved."))
            return redirect("hebergements:lodging_edit", lodging_pk=lodging.pk)
    return render(request, "hebergements/lodging_form.html", _lodging_page(lodging, form=form))


def _lodging_page(lodging: Lodging, **extra) -> dict:
    return {
        "lodging": lodging,
        "online_status": online.online_status(lodging),
        "photos": selectors.lodging_photos(lodging=lodging),
        "photo_form": PhotoUploadForm(),
        "photo_upload_url": reverse("hebergements:lodging_photo_add", kwargs={"lodging_pk": lodging.pk}),
        **extra,
    }


@provider_required
def lodging_detail(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    """The lodging's description sheet as guests see it: photos, figures, equipment by family."""
    lodging = get_object_or_404(Lodging.objects.select_related("provider", "commune"), pk=lodging_pk)
    return render(
        request,
        "hebergements/lodging_detail.html",
        {
            "lodging": lodging,
            "photos": selectors.lodging_photos(lodging=lodging),
            "families": selectors.characteristics_by_family(lodging=lodging),
        },
    )


@provider_required
@require_http_methods(GET_POST)
def lodging_photo_add(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    lodging = get_object_or_404(Lodging.objects.select_related("provider", "commune"), pk=lodging_pk)
    if request.method == "GET":
        return redirect(reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk}) + "#photos")
    photo_form = PhotoUploadForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            added = services.photos_add(owner=lodging, uploads=photo_form.cleaned_data["photos"])
        except ValidationError as error:
            add_service_errors(error, photo_form)
        else:
            messages.success(
                request,
                ngettext("%(count)s photo added.", "%(count)s photos added.", len(added))
                % {"count": len(added)},
            )
            return redirect(
                reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk}) + "#photos"
            )
    form = LodgingForm(instance=lodging)
    return render(
        request, "hebergements/lodging_form.html", _lodging_page(lodging, form=form, photo_form=photo_form)
    )


VISIBILITY_WINDOW = "visibility-window"


@provider_required
@require_http_methods(GET_POST)
@query_params(next=NEXT)
def lodging_visibility(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    """The visibility window (the planning opens it in a dialog; a page of its own without htmx):
    "Visible sur internet avec autorisation de réservation" / "Non visible sur internet", with the
    lodging's online status — what still keeps guests from booking it."""
    lodging = get_object_or_404(Lodging.objects.select_related("provider"), pk=lodging_pk)
    next_url = next_param(request, reverse("hebergements:lodging_list"))
    window = htmx_target(request) in ("planning-dialog-content", VISIBILITY_WINDOW)
    form = VisibilityForm(request.POST or None, initial={"visibility": lodging.visibility})
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.lodging_set_visibility(lodging=lodging, visibility=form.cleaned_data["visibility"])
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            saved = True
            if not window:
                messages.success(
                    request,
                    _("“%(name)s”: %(visibility)s.")
                    % {"name": lodging.name, "visibility": online.online_status(lodging).label},
                )
                return redirect(next_url)
            form = VisibilityForm(initial={"visibility": lodging.visibility})
    template = "hebergements/lodging_visibility.html"
    if window:
        template += "#visibility"
    return render(
        request,
        template,
        {
            "lodging": lodging,
            "form": form,
            "online_status": online.online_status(lodging),
            "saved": saved,
            "in_window": window,
            "next_url": next_url,
            # the planning's copy of the status, refreshed out of band, opens this window again
            "visibility_url": request.path + "?" + urlencode({"next": next_url}),
        },
    )


@provider_required
@require_http_methods(GET_POST)
def lodging_archive(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    """Archive a lodging (hidden from the lists, kept with its bookings), or bring it back."""
    lodging = get_object_or_404(Lodging, pk=lodging_pk)
    if request.method == "POST":
        archived = text_param(request, "archived", source="POST") != "0"
        services.lodging_set_archived(lodging=lodging, archived=archived)
        if archived:
            messages.success(request, _("“%(name)s” is archived.") % {"name": lodging.name})
        else:
            messages.success(request, _("“%(name)s” is back in the list.") % {"name": lodging.name})
        return redirect("hebergements:lodging_list")
    return redirect("hebergements:lodging_edit", lodging_pk=lodging.pk)


@provider_required
@require_http_methods(GET_POST)
def lodging_delete(request: HttpRequest, lodging_pk: int) -> HttpResponse:
    lodging = get_object_or_404(Lodging.objects.select_related("provider"), pk=lodging_pk)
    if request.method == "POST":
        try:
            services.lodging_delete(lodging=lodging)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("hebergements:lodging_edit", lodging_pk=lodging.pk)
        messages.success(request, _("The lodging “%(name)s” is deleted.") % {"name": lodging.name})
        return redirect("hebergements:lodging_list")
    return render(request, "hebergements/lodging_confirm_delete.html", {"lodging": lodging})


# ---------------------------------------------------------------------------------------------
# Photos (of a lodging or of the structure)


def _photo_page_url(photo: Photo) -> str:
    if photo.lodging_id is not None:
        return reverse("hebergements:lodging_edit", kwargs={"lodging_pk": photo.lodging_id}) + "#photos"
    return reverse("hebergements:structure") + "#photos"


def _photo_done(request: HttpRequest, photo: Photo) -> HttpResponse:
    """After a photo action: the gallery fragment for htmx, the page otherwise."""
    if not request.htmx:
        return redirect(_photo_page_url(photo))
    siblings = Photo.objects.filter(
        **({"lodging_id": photo.lodging_id} if photo.lodging_id else {"structure_id": photo.structure_id})
    ).order_by("position", "id")
    return render(request, "hebergements/photo_gallery.html#gallery", {"photos": siblings})


@provider_required
@require_http_methods(GET_POST)
def photo_update(request: HttpRequest, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(Photo, pk=photo_pk)
    if request.method == "POST":
        form = PhotoCaptionForm(request.POST)
        if form.is_valid():
            services.photo_update(photo=photo, caption=form.cleaned_data["caption"])
        else:
            messages.error(request, _("A caption has 200 characters at most."))
    return _photo_done(request, photo)


@provider_required
@require_http_methods(GET_POST)
def photo_move(request: HttpRequest, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(Photo, pk=photo_pk)
    if request.method == "POST":
        services.photo_move(photo=photo, offset=_offset(request))
    return _photo_done(request, photo)


@provider_required
@require_http_methods(GET_POST)
def photo_set_main(request: HttpRequest, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(Photo, pk=photo_pk)
    if request.method == "POST":
        services.photo_set_main(photo=photo)
    return _photo_done(request, photo)


@provider_required
@require_http_methods(GET_POST)
def photo_delete(request: HttpRequest, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(Photo, pk=photo_pk)
    if request.method == "POST":
        services.photo_delete(photo=photo)
    return _photo_done(request, photo)


# ---------------------------------------------------------------------------------------------
# Structure


@provider_required
@require_http_methods(GET_POST)
def structure(request: HttpRequest) -> HttpResponse:
    """Votre structure d'accueil: name, descriptions (French, English) and photos."""
    structure = services.structure_get(provider=request.provider)
    form = StructureForm(request.POST or None, instance=copy.copy(structure))
    photo_form = PhotoUploadForm()
    if request.method == "POST" and "photos_upload" in request.POST:
        form = StructureForm(instance=structure)
        photo_form = PhotoUploadForm(request.POST, request.FILES)
        if photo_form.is_valid():
            try:
                added = services.photos_add(owner=structure, uploads=photo_form.cleaned_data["photos"])
            except ValidationError as error:
                add_service_errors(error, photo_form)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s photo added.", "%(count)s photos added.", len(added))
                    % {"count": len(added)},
                )
                return redirect(reverse("hebergements:structure") + "#photos")
    elif request.method == "POST" and form.is_valid():
        try:
            services.structure_update(structure=structure, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("Your structure is saved."))
            return redirect("hebergements:structure")
    return render(
        request,
        "hebergements/structure.html",
        {
            "structure": structure,
            "form": form,
            "photo_form": photo_form,
            "photos": structure.photos.order_by("position", "id"),
            "photo_upload_url": reverse("hebergements:structure"),
        },
    )


# ---------------------------------------------------------------------------------------------
# Supplements


@provider_required
def supplement_list(request: HttpRequest) -> HttpResponse:
    return render(request, "hebergements/supplement_list.html", {"supplements": selectors.supplement_list()})


def _deposit_kind(request: HttpRequest) -> str:
    return sales_terms_for(request.provider).deposit_kind


@provider_required
@require_http_methods(GET_POST)
@query_params(obligatoire=FLAG)
def supplement_create(request: HttpRequest) -> HttpResponse:
    """ "Ajouter un supplément facultatif / obligatoire" (``?obligatoire=1``)."""
    mandatory = text_param(request, "obligatoire") == "1"
    initial = {"mandatory": mandatory}
    form = SupplementForm(request.POST or None, initial=initial, deposit_kind=_deposit_kind(request))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        lodgings = fields.pop("lodgings")
        try:
            supplement = services.supplement_create(provider=request.provider, lodgings=lodgings, **fields)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The supplement “%(label)s” is saved.") % {"label": supplement.label})
            return redirect("hebergements:supplement_list")
    return render(request, "hebergements/supplement_form.html", {"form": form, "supplement": None})


@provider_required
@require_http_methods(GET_POST)
def supplement_edit(request: HttpRequest, supplement_pk: int) -> HttpResponse:
    supplement = get_object_or_404(Supplement, pk=supplement_pk)
    form = SupplementForm(
        request.POST or None, instance=copy.copy(supplement), deposit_kind=_deposit_kind(request)
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        lodgings = fields.pop("lodgings")
        try:
            services.supplement_update(supplement=supplement, lodgings=lodgings, **fields)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The supplement “%(label)s” is saved.") % {"label": supplement.label})
            return redirect("hebergements:supplement_list")
    return render(request, "hebergements/supplement_form.html", {"form": form, "supplement": supplement})


@provider_required
@require_http_methods(GET_POST)
def supplement_delete(request: HttpRequest, supplement_pk: int) -> HttpResponse:
    supplement = get_object_or_404(Supplement, pk=supplement_pk)
    if request.method == "POST":
        services.supplement_delete(supplement=supplement)
        messages.success(request, _("The supplement “%(label)s” is deleted.") % {"label": supplement.label})
        return redirect("hebergements:supplement_list")
    return render(request, "hebergements/supplement_confirm_delete.html", {"supplement": supplement})


# ---------------------------------------------------------------------------------------------
# Age brackets (PARAMÈTRES > Tranches d'âge)


@provider_required
def age_bracket_list(request: HttpRequest) -> HttpResponse:
    template = "hebergements/age_bracket_list.html"
    if request.htmx:
        template += "#brackets"
    return render(request, template, {"brackets": selectors.age_bracket_list()})


@provider_required
@require_http_methods(GET_POST)
def age_bracket_create(request: HttpRequest) -> HttpResponse:
    form = AgeBracketForm(request.POST or None, instance=AgeBracket(provider=request.provider))
    if request.method == "POST" and form.is_valid():
        try:
            services.age_bracket_create(provider=request.provider, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The age bracket is saved."))
            return redirect("hebergements:age_bracket_list")
    return render(request, "hebergements/age_bracket_form.html", {"form": form, "bracket": None})


@provider_required
@require_http_methods(GET_POST)
def age_bracket_edit(request: HttpRequest, age_bracket_pk: int) -> HttpResponse:
    bracket = get_object_or_404(AgeBracket, pk=age_bracket_pk)
    form = AgeBracketForm(request.POST or None, instance=copy.copy(bracket))
    if request.method == "POST" and form.is_valid():
        try:
            services.age_bracket_update(age_bracket=bracket, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The age bracket is saved."))
            return redirect("hebergements:age_bracket_list")
    return render(request, "hebergements/age_bracket_form.html", {"form": form, "bracket": bracket})


@provider_required
@require_http_methods(GET_POST)
def age_bracket_delete(request: HttpRequest, age_bracket_pk: int) -> HttpResponse:
    bracket = get_object_or_404(AgeBracket, pk=age_bracket_pk)
    if request.method == "POST":
        try:
            services.age_bracket_delete(age_bracket=bracket)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The age bracket “%(label)s” is deleted.") % {"label": bracket.label})
        return redirect("hebergements:age_bracket_list")
    return render(request, "hebergements/age_bracket_confirm_delete.html", {"bracket": bracket})


@provider_required
@require_http_methods(GET_POST)
def age_bracket_move(request: HttpRequest, age_bracket_pk: int) -> HttpResponse:
    bracket = get_object_or_404(AgeBracket, pk=age_bracket_pk)
    if request.method == "POST":
        services.age_bracket_move(age_bracket=bracket, offset=_offset(request))
    if request.htmx:
        return render(
            request, "hebergements/age_bracket_list.html#brackets", {"brackets": selectors.age_bracket_list()}
        )
    return redirect("hebergements:age_bracket_list")


# --- first connection ("1ère connexion") ---------------------------------------------------------

WIZARD_SESSION_KEY = "setup_wizard_contact"
WIZARD_PHOTOS_KEY = "setup_wizard_photos"  # storage names of the photos kept between two tries


@provider_required(setup_complete=False)
@require_http_methods(["GET", "POST"])
@query_params(step=CHOICE)
def wizard(request: HttpRequest) -> HttpResponse:
    """First connection: tab 1 "Coordonnées", tab 2 "Hébergement" (with its photos and
    characteristics), then "Valider mon hébergement".

    The contact tab is only kept in the session until the lodging tab validates too: then both are
    written in one transaction, so a wizard left half-done saves nothing. Photos chosen with a
    lodging tab that fails on another field are kept (``services.photos_hold``) for the next try.
    """
    provider = request.provider
    if provider.is_setup_complete:
        return redirect("reservations:dashboard")
    step = text_param(request, "step") or text_param(request, "step", source="POST") or "contact"
    stored_contact = request.session.get(WIZARD_SESSION_KEY)
    if step == "lodging" and stored_contact is None:
        step = "contact"
    held = list(request.session.get(WIZARD_PHOTOS_KEY, []))

    contact_form = ProviderContactForm(instance=provider, initial=stored_contact or None)
    lodging_form = LodgingSetupForm()

    if request.method == "POST" and step == "contact":
        contact_form = ProviderContactForm(request.POST, instance=provider)
        if contact_form.is_valid():
            request.session[WIZARD_SESSION_KEY] = {
                field: contact_form.cleaned_data[field] for field in ProviderContactForm.Meta.fields
            }
            return redirect(reverse("hebergements:wizard") + "?step=lodging")
    elif request.method == "POST" and step == "lodging":
        lodging_form = LodgingSetupForm(request.POST, request.FILES)
        contact_form = ProviderContactForm(stored_contact, instance=provider)
        if not contact_form.is_valid():
            step = "contact"
        elif lodging_form.is_valid():
            fields = {k: v for k, v in lodging_form.cleaned_data.items() if k != "photos"}
            kept = services.photos_held(provider=provider, names=held)
            try:
                services.first_connection_complete(
                    provider=provider,
                    contact=contact_form.cleaned_data,
                    lodging={**fields, "photos": [*kept, *lodging_form.cleaned_data["photos"]]},
                )
            except ValidationError as error:
                add_service_errors(error, lodging_form)
            else:
                request.session.pop(WIZARD_SESSION_KEY, None)
                request.session.pop(WIZARD_PHOTOS_KEY, None)
                transaction.on_commit(lambda: services.photos_release(provider=provider, names=held))
                messages.success(request, _("Your lodging is saved. Welcome to Open Pro!"))
                return redirect("reservations:dashboard")
            finally:
                for photo in kept:
                    photo.close()
        if "photos" not in lodging_form.errors and request.FILES.getlist("photos"):
            try:
                held += services.photos_hold(provider=provider, uploads=request.FILES.getlist("photos"))
            except ValidationError as error:
                add_service_errors(error, lodging_form)
            request.session[WIZARD_PHOTOS_KEY] = held

    return render(
        request,
        "hebergements/wizard.html",
        {
            "step": step,
            "contact_form": contact_form,
            "lodging_form": lodging_form,
            "contact_done": stored_contact is not None,
            "held_photos": len(held),
        },
    )
