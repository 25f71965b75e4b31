from __future__ import annotations

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from common.masking import masked, masking_active
from common.params import FLAG, INT, TEXT, int_param, query_params, text_param
from common.xlsx import XLSX_CONTENT_TYPE
from comptes import exports, selectors
from comptes.decorators import provider_required
from comptes.forms import (
    AdvancedSettingsForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ContractDeadlinesForm,
    ContractSettingsForm,
    DepositRuleForm,
    DepositRuleFormSet,
    MailSettingsForm,
    PaymentSettingsForm,
    ProviderContactForm,
    SalesTermsForm,
    rules_from_formset,
)
from comptes.models import ExportJob
from comptes.services import (
    contract_settings_update,
    mail_settings_update,
    payment_settings_update,
    provider_update,
    sales_terms_update,
    user_change_email,
)


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: the provider's dashboard (or wizard), the office space, the admin, or the login."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.provider is not None:
        if not request.provider.is_setup_complete:
            return redirect("hebergements:wizard")
        return redirect("reservations:dashboard")
    if request.office is not None:
        return redirect("offices:home")
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "comptes/no_account.html", status=403)


@provider_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Modifier mes coordonnées."""
    # The form works on a copy: refused input never shows in the page's top bar.
    form = ProviderContactForm(request.POST or None, instance=copy.copy(request.provider))
    if request.method == "POST" and form.is_valid():
        provider_update(provider=request.provider, data=form.cleaned_data)
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
    form = AdvancedSettingsForm(request.POST or None, instance=copy.copy(request.provider))
    if request.method == "POST" and form.is_valid():
        provider_update(provider=request.provider, data=form.cleaned_data)
        messages.success(request, _("Your advanced settings are saved."))
        return redirect("comptes:advanced")
    return render(request, "comptes/advanced.html", {"form": form})


# --- PARAMÈTRES ---------------------------------------------------------------------------------

MAX_NEW_RULE_ROWS = 10


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(regles=INT, add_rule=FLAG, **{"rules-TOTAL_FORMS": INT})
def sales_terms(request: HttpRequest) -> HttpResponse:
    """Modalités de vente: deposit, proximity rules, booking delay, CGV, opt-in, privacy."""
    provider = request.provider
    template = "comptes/parametres/sales_terms.html"
    if request.htmx and "add_rule" in request.GET:
        # "+ Add a rule": one more row, and the formset's total count updated out of band.
        index = int_param(request, "rules-TOTAL_FORMS", 0, maximum=DepositRuleFormSet.max_num - 1)
        row = DepositRuleForm(prefix=f"rules-{index}", empty_permitted=True, use_required_attribute=False)
        return render(request, template + "#new_rule_row", {"rule": row, "total_forms": index + 1})

    initial_rules = [
        {"days_before": rule.days_before, "percent": rule.percent}
        for rule in selectors.deposit_rules(provider)
    ]
    # One blank row to fill when there is no rule yet; "?regles=N" (the add link without htmx): N rows.
    extra = int_param(request, "regles", 0 if initial_rules else 1, maximum=MAX_NEW_RULE_ROWS)
    formset_class = forms.formset_factory(DepositRuleForm, extra=extra, can_delete=True, max_num=50)
    form = SalesTermsForm(request.POST or None, instance=selectors.provider_settings(provider))
    rule_formset = formset_class(request.POST or None, prefix="rules", initial=initial_rules)
    rule_errors: list[str] = []
    if request.method == "POST" and all([form.is_valid(), rule_formset.is_valid()]):
        try:
            sales_terms_update(
                provider=provider,
                data=form.cleaned_data,
                rules=rules_from_formset(rule_formset),
                user=request.user,
            )
        except ValidationError as error:
            rule_errors = add_service_errors(error, form, return_unknown=True)
        else:
            messages.success(request, _("Your sales terms are saved."))
            return redirect("comptes:sales_terms")
    return render(
        request,
        template,
        {"form": form, "rule_formset": rule_formset, "rule_errors": rule_errors, "next_extra": extra + 1},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def contract_settings(request: HttpRequest) -> HttpResponse:
    """Personnalisation des contrats: deadlines and parts 1 to 4 of the booking documents."""
    provider = request.provider
    data = request.POST or None
    files = request.FILES or None
    deadlines_form = ContractDeadlinesForm(data, instance=selectors.provider_settings(provider))
    form = ContractSettingsForm(data, files, instance=selectors.contract_settings(provider))
    if masking_active():  # assist mode: the IBAN shows its last 4 characters only
        form.initial["iban"] = masked(form.initial.get("iban"))
    if request.method == "POST" and all([deadlines_form.is_valid(), form.is_valid()]):
        try:
            contract_settings_update(
                provider=provider,
                deadlines=deadlines_form.cleaned_data,
                data=form.cleaned_data,
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(error, form, deadlines_form)
        else:
            messages.success(request, _("Your contract customisation is saved."))
            return redirect("comptes:contract_settings")
    return render(
        request,
        "comptes/parametres/contract.html",
        {
            "form": form,
            "deadlines_form": deadlines_form,
            "logo": selectors.contract_settings(provider).logo,
            "online_payment_active": selectors.online_payment_active(provider),
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def mail_settings(request: HttpRequest) -> HttpResponse:
    """Personnalisation des mails."""
    provider = request.provider
    form = MailSettingsForm(request.POST or None, instance=selectors.mail_settings(provider))
    if request.method == "POST" and form.is_valid():
        try:
            mail_settings_update(provider=provider, data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("Your mail customisation is saved."))
            return redirect("comptes:mail_settings")
    return render(
        request,
        "comptes/parametres/mails.html",
        {"form": form, "generated_footer": selectors.mail_footer_generated(provider)},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def payment_settings(request: HttpRequest) -> HttpResponse:
    """Paiement sécurisé: the online payment identifier, activate / deactivate online payment."""
    provider = request.provider
    payment = selectors.payment_settings(provider)
    form = PaymentSettingsForm(
        request.POST or None, initial={"online_account_id": masked(payment.online_account_id)}
    )
    if request.method == "POST" and form.is_valid():
        action = text_param(request, "action", source="POST")
        active = {"activate": True, "deactivate": False}.get(action, payment.online_payment_active)
        try:
            payment_settings_update(
                provider=provider,
                online_account_id=form.cleaned_data["online_account_id"],
                active=active,
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            if action == "activate":
                messages.success(request, _("Online payment is active."))
            elif action == "deactivate":
                messages.success(request, _("Online payment is deactivated."))
            else:
                messages.success(request, _("Your identifier is saved."))
            return redirect("comptes:payment_settings")
    return render(request, "comptes/parametres/payment.html", {"form": form, "payment": payment})


@provider_required
@query_params(page=INT)
def access_log(request: HttpRequest) -> HttpResponse:
    """ "Journal des accès": each time the office's staff opened the account read-only (who, when)."""
    from django.core.paginator import Paginator

    page = Paginator(selectors.assist_accesses(request.provider), 50).get_page(
        int_param(request, "page", 1, minimum=1)
    )
    return render(request, "comptes/access_log.html", {"page": page, "entries": page.object_list})


# --- Exports prepared in the background (comptes.exports) -------------------------------------


@provider_required
def export_list(request: HttpRequest) -> HttpResponse:
    """ "Mes exports": the exports of the last days, with their state and download link."""
    jobs = list(ExportJob.objects.select_related("created_by")[:50])
    for job in jobs:
        job.download_url = exports.download_path(job) if job.status == ExportJob.Status.DONE else ""
    return render(
        request,
        "comptes/export_list.html",
        {"jobs": jobs, "kept_days": exports.EXPORT_RETENTION.days, "kinds": exports.export_kinds()},
    )


@provider_required
def export_detail(request: HttpRequest, export_pk: int) -> HttpResponse:
    """One export: its progress (polled with htmx while it runs), then its download link."""
    job = get_object_or_404(ExportJob, pk=export_pk)
    context = {
        "job": job,
        "download_url": exports.download_path(job) if job.status == ExportJob.Status.DONE else "",
        "kind": exports.export_kinds().get(job.kind),
        "link_hours": int(exports.EXPORT_LINK_MAX_AGE.total_seconds() // 3600),
        "kept_days": exports.EXPORT_RETENTION.days,
    }
    template = "comptes/export_detail.html"
    return render(request, template + "#job" if request.htmx else template, context)


@provider_required
@query_params(t=TEXT)
def export_download(request: HttpRequest, export_pk: int) -> HttpResponse:
    """The file of a finished export, streamed from the private storage, for a link signed for
    this job and not expired; otherwise back to the job's page, which gives a fresh link."""
    job = get_object_or_404(ExportJob, pk=export_pk)
    if job.status != ExportJob.Status.DONE:
        messages.error(request, _("This export is not ready."))
        return redirect("comptes:export_detail", export_pk=job.pk)
    if not exports.download_allowed(job, text_param(request, "t", max_length=300)):
        messages.error(request, _("This download link has expired: use the link below."))
        return redirect("comptes:export_detail", export_pk=job.pk)
    if masking_active():
        # Assist mode: a file prepared for the owner holds the payment references unmasked.
        messages.error(request, _("Read-only: the owner's prepared exports cannot be downloaded."))
        return redirect("comptes:export_detail", export_pk=job.pk)
    try:
        handle = exports.export_open(job)
    except (FileNotFoundError, OSError):
        raise Http404("Export file gone") from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the invitation link (staff space onboarding) ------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation mail's link: choose a password (single-use, expiring), then log in and go on
    to the first-connection wizard (owners) or the office's space (staff)."""
    from django.contrib.auth import login
    from django.contrib.auth.forms import SetPasswordForm

    from comptes.invitations import invitation_user
    from comptes.services import invitation_accept

    user = invitation_user(token)
    if user is None:
        return render(request, "comptes/invitation.html", {"token_fail": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password is saved. Welcome to Open Pro!"))
        return redirect("home")
    return render(request, "comptes/invitation.html", {"form": form, "invited": user})
