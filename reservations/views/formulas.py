"""Paramètres > "Formules": the formulas the owner offers ("Pension complète", "Demi-pension"…),
chosen on a file. A formula a file uses is never deleted silently: the deletion is refused with the
number of files that use it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.forms import add_service_errors
from comptes.decorators import provider_required
from reservations import services
from reservations.forms.bookings import FormulaForm
from reservations.models import Formula


def _formulas() -> list[Formula]:
    return list(Formula.objects.annotate(files=Count("bookings")).order_by("name", "id"))


@provider_required
@require_http_methods(["GET", "POST"])
def formula_list(request: HttpRequest) -> HttpResponse:
    """The list, and "Ajouter une formule"."""
    form = FormulaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            formula = services.formula_create(
                provider=request.provider, name=form.cleaned_data["name"], user=request.user
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The formula “%(name)s” is added.") % {"name": formula.name})
            return redirect("reservations:formula_list")
    return render(request, "reservations/formula_list.html", {"formulas": _formulas(), "form": form})


@provider_required
@require_http_methods(["GET", "POST"])
def formula_edit(request: HttpRequest, formula_pk: int) -> HttpResponse:
    """Rename a formula (the files that use it show the new name)."""
    formula = get_object_or_404(Formula, pk=formula_pk)
    form = FormulaForm(request.POST or None, initial={"name": formula.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.formula_rename(formula=formula, name=form.cleaned_data["name"], user=request.user)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("The formula is renamed."))
            return redirect("reservations:formula_list")
    return render(request, "reservations/formula_form.html", {"formula": formula, "form": form})


@provider_required
@require_http_methods(["GET", "POST"])
def formula_delete(request: HttpRequest, formula_pk: int) -> HttpResponse:
    """Delete a formula no file uses; one in use is refused, saying how many files use it."""
    formula = get_object_or_404(Formula, pk=formula_pk)
    used = services.formula_usage(formula)
    if request.method == "POST":
        try:
            services.formula_delete(formula=formula, user=request.user)
        except services.AlreadyDone as error:
            messages.info(request, " ".join(error.messages))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The formula “%(name)s” is deleted.") % {"name": formula.name})
        return redirect("reservations:formula_list")
    return render(request, "reservations/formula_delete.html", {"formula": formula, "used": used})
