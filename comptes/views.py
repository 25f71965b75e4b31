from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptes.decorators import office_required, provider_required
from comptes.forms import AdvancedSettingsForm, ChangeEmailForm, ChangePasswordForm, ProviderContactForm
from comptes.services import provider_complete_setup, provider_update_contact, user_change_email
from hebergements.forms import LodgingSetupForm
from hebergements.services import lodging_create

WIZARD_SESSION_KEY = "setup_wizard_contact"


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: the provider's dashboard (or wizard), the office space, the admin, or the login."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.provider is not None:
        if not request.provider.is_setup_complete:
            return redirect("comptes:wizard")
        return redirect("reservations:dashboard")
    if request.office is not None:
        return redirect("comptes:office_home")
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "comptes/no_account.html", status=403)


@provider_required(setup_complete=False)
@require_http_methods(["GET", "POST"])
def wizard(request: HttpRequest) -> HttpResponse:
    """First connection: tab 1 "Coordonnées", tab 2 "Hébergement", then "Valider mon hébergement".

    The contact tab is only kept in the session until the lodging tab validates too: then both are
    written in one transaction, so a wizard left half-done saves nothing.
    """
    provider = request.provider
    if provider.is_setup_complete:
        return redirect("reservations:dashboard")
    step = request.GET.get("step") or request.POST.get("step") or "contact"
    stored_contact = request.session.get(WIZARD_SESSION_KEY)
    if step == "lodging" and stored_contact is None:
        step = "contact"

    contact_form = ProviderContactForm(instance=provider, initial=stored_contact or None)
    lodging_form = LodgingSetupForm()

    if request.method == "POST" and step == "contact":
        contact_form = ProviderContactForm(request.POST, instance=provider)
        if contact_form.is_valid():
            request.session[WIZARD_SESSION_KEY] = {
                field: contact_form.cleaned_data[field] for field in ProviderContactForm.Meta.fields
            }
            return redirect(reverse("comptes:wizard") + "?step=lodging")
    elif request.method == "POST" and step == "lodging":
        lodging_form = LodgingSetupForm(request.POST)
        contact_form = ProviderContactForm(stored_contact, instance=provider)
        if not contact_form.is_valid():
            step = "contact"
        elif lodging_form.is_valid():
            with transaction.atomic():
                provider_update_contact(provider=provider, data=contact_form.cleaned_data)
                fields = {k: v for k, v in lodging_form.cleaned_data.items() if k != "characteristics"}
                lodging_create(provider=provider, **fields)
                provider_complete_setup(provider=provider)
            request.session.pop(WIZARD_SESSION_KEY, None)
            messages.success(request, _("Your lodging is saved. Welcome to Open Pro!"))
            return redirect("reservations:dashboard")

    return render(
        request,
        "comptes/wizard.html",
        {
            "step": step,
            "contact_form": contact_form,
            "lodging_form": lodging_form,
            "contact_done": stored_contact is not None,
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Modifier mes coordonnées."""
    form = ProviderContactForm(request.POST or None, instance=request.provider)
    if request.method == "POST" and form.is_valid():
        provider_update_contact(provider=request.provider, data=form.cleaned_data)
        messages.success(request, _("Your contact details are saved."))
        return redirect("comptes:contact")
    return render(request, "comptes/contact.html", {"form": form})


@provider_required
@require_http_methods(["GET", "POST"])
def credentials(request: HttpRequest) -> HttpResponse:
    """Identifiants de connexion: change e-mail, change password — each asks the current password."""
    email_form = ChangeEmailForm(user=request.user, prefix="email", initial={"new_email": request.user.email})
    password_form = ChangePasswordForm(user=request.user, prefix="password")
    if request.method == "POST" and "change_email" in request.POST:
        email_form = ChangeEmailForm(request.POST, user=request.user, prefix="email")
        if email_form.is_valid():
            user_change_email(user=request.user, new_email=email_form.cleaned_data["new_email"])
            messages.success(request, _("Your e-mail address is changed."))
            return redirect("comptes:credentials")
    elif request.method == "POST" and "change_password" in request.POST:
        password_form = ChangePasswordForm(request.POST, user=request.user, prefix="password")
        if password_form.is_valid():
            request.user.set_password(password_form.cleaned_data["new_password1"])
            request.user.save(update_fields=["password"])
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed."))
            return redirect("comptes:credentials")
    return render(
        request, "comptes/credentials.html", {"email_form": email_form, "password_form": password_form}
    )


@provider_required
@require_http_methods(["GET", "POST"])
def advanced(request: HttpRequest) -> HttpResponse:
    """Paramètres avancés: minimum stay, always use the desktop version."""
    form = AdvancedSettingsForm(request.POST or None, instance=request.provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your advanced settings are saved."))
        return redirect("comptes:advanced")
    return render(request, "comptes/advanced.html", {"form": form})


@office_required
def office_home(request: HttpRequest) -> HttpResponse:
    """The tourism-office staff space (its pages come with the office issue)."""
    providers = request.office.providers.order_by("number")
    return render(request, "comptes/office_home.html", {"office": request.office, "providers": providers})
