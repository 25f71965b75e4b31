"""SUIVI DES RÉSERVATIONS: "Créer un dossier", the file page and its parts, payments (the planning is
in ``views.planning``, the dashboard and lists in ``views.suivi``, the client file in ``views.clients``).

Views are thin: a form parses the request, one service applies the rule, the page (or, for htmx,
the partial the request targets) is rendered again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from common.forms import add_service_errors
from common.htmx import htmx_target
from common.masking import masked
from common.money import ZERO
from common.params import DATE, ID, TEXT, date_param, int_param, object_param, query_params, search_param
from comptes.audit import history
from comptes.decorators import provider_required
from comptes.selectors import contract_settings
from hebergements.models import Lodging
from reservations import money, options, services
from reservations.forms.bookings import (
    ClientForm,
    CompanionForm,
    DepositForm,
    ExistingClientForm,
    FormulaChoiceForm,
    GlobalSupplementForm,
    NoteForm,
    OccupantsPriceForm,
    PaymentForm,
    RefundForm,
    RemindersForm,
    StayDatesForm,
    StayForm,
)
from reservations.models import (
    Booking,
    BookingStatus,
    BookingSupplement,
    Client,
    Companion,
    Payment,
    Stay,
    StayOccupant,
)
from reservations.tourist_tax import booking_tourist_tax

# --- "Créer un dossier" in three steps -------------------------------------------------------------


STEP_FIELDS = {
    1: {"lodging", "arrival", "departure"},
    2: {"occupants", "price", "discount"},
}


def _proposal_initial(form: OccupantsPriceForm, proposal: services.PriceProposal, occupants: dict) -> dict:
    initial = {form.occupant_field(b): occupants.get(b.pk, 0) for b in form.brackets}
    initial["price"] = proposal.price
    initial["discount"] = proposal.discount if proposal.price is not None else ZERO
    return initial


@provider_required
@require_http_methods(["GET", "POST"])
@query_params(lodging=ID, arrival=DATE, departure=DATE)
def booking_create(request: HttpRequest) -> HttpResponse:
    """ "Création d'un dossier de réservation": (1) lodging and dates, (2) occupants and price
    proposed by the price engine, (3) the client. The steps already done travel as hidden fields."""
    data = request.POST if request.method == "POST" else None
    try:
        step = int_param(request, "step", 1, minimum=1, maximum=3, source="POST")
        goto = int_param(request, "goto", 0, maximum=3, source="POST")
    except ValueError:
        step, goto = 1, 0
    context: dict = {}

    if data is None:
        initial = {
            "lodging": object_param(request, "lodging", Lodging.objects.active()),
            "arrival": date_param(request, "arrival"),
            "departure": date_param(request, "departure"),
        }
        return _render_create(request, 1, dates_form=StayDatesForm(initial=initial))

    dates_form = StayDatesForm(data, already_chosen=step > 1)
    if not dates_form.is_valid() or goto == 1:
        return _render_create(request, 1, dates_form=dates_form)
    lodging = dates_form.cleaned_data["lodging"]
    arrival, nights = dates_form.cleaned_data["arrival"], dates_form.nights
    context["dates"] = dates_form.cleaned_data

    if step == 1:
        price_form = OccupantsPriceForm(lodging=lodging)
        occupants = price_form.occupants_from({k: v.initial for k, v in price_form.fields.items()})
        proposal = services.stay_price_proposal(
            lodging=lodging, arrival=arrival, nights=nights, occupants=occupants
        )
        price_form = OccupantsPriceForm(
            lodging=lodging, initial=_proposal_initial(price_form, proposal, occupants)
        )
        return _render_create(request, 2, dates_form=dates_form, price_form=price_form, proposal=proposal)

    price_form = OccupantsPriceForm(data, lodging=lodging)
    if "recalc" in data:
        occupants = price_form.occupants_from(data)
        proposal = services.stay_price_proposal(
            lodging=lodging, arrival=arrival, nights=nights, occupants=occupants
        )
        initial = _proposal_initial(price_form, proposal, occupants)
        if proposal.price is None:  # nothing to propose: keep what the owner typed
            initial.update(price=data.get("price", ""), discount=data.get("discount", ""))
        price_form = OccupantsPriceForm(lodging=lodging, initial=initial)
        return _render_create(request, 2, dates_form=dates_form, price_form=price_form, proposal=proposal)
    if not price_form.is_valid() or goto == 2:
        occupants = price_form.occupants_from(data)
        proposal = services.stay_price_proposal(
            lodging=lodging, arrival=arrival, nights=nights, occupants=occupants
        )
        return _render_create(request, 2, dates_form=dates_form, price_form=price_form, proposal=proposal)

    if step == 2:
        return _render_create(
            request,
            3,
            dates_form=dates_form,
            price_form=price_form,
            existing_form=ExistingClientForm(),
            client_form=ClientForm(),
        )

    existing_form = ExistingClientForm(data)
    existing_form.is_valid()
    existing = existing_form.cleaned_data.get("existing_client")
    client_form = ClientForm(data if existing is None else None)
    if existing is None and not client_form.is_valid():
        return _render_create(
            request,
            3,
            dates_form=dates_form,
            price_form=price_form,
            existing_form=existing_form,
            client_form=client_form,
        )
    try:
        booking = services.booking_create(
            provider=request.provider,
            lodging=lodging,
            arrival=arrival,
            departure=dates_form.cleaned_data["departure"],
            occupants=price_form.occupants,
            owner_price=services.OwnerPrice(
                price_form.cleaned_data["price"], price_form.cleaned_data["discount"]
            ),
            client=existing,
            client_data=None if existing is not None else client_form.cleaned_data,
            user=request.user,
        )
    except ValidationError as error:
        fields = set(getattr(error, "error_dict", {}))
        first_occupant = price_form.occupant_boundfields()[0].name if price_form.brackets else None
        if fields & STEP_FIELDS[1]:
            add_service_errors(error, dates_form, fields={f: (dates_form, f) for f in STEP_FIELDS[1]})
            return _render_create(request, 1, dates_form=dates_form)
        if fields & STEP_FIELDS[2]:
            mapping = {"occupants": (price_form, first_occupant), "price": (price_form, "price")}
            mapping["discount"] = (price_form, "discount")
            add_service_errors(error, price_form, fields=mapping)
            return _render_create(request, 2, dates_form=dates_form, price_form=price_form)
        mapping = {f: (client_form, f) for f in client_form.fields}
        mapping["existing_client"] = (existing_form, "existing_client")
        add_service_errors(error, client_form, fields=mapping)
        return _render_create(
            request,
            3,
            dates_form=dates_form,
            price_form=price_form,
            existing_form=existing_form,
            client_form=client_form,
        )
    messages.success(request, _("File no. %(number)s is created, in option.") % {"number": booking.number})
    return redirect("reservations:booking_detail", booking_pk=booking.pk)


def _render_create(request: HttpRequest, step: int, **forms) -> HttpResponse:
    template = "reservations/booking_create.html"
    if step == 2 and htmx_target(request) == "step-2":
        template += "#step-2"
    dates_form = forms.get("dates_form")
    summary = dates_form.cleaned_data if dates_form is not None and dates_form.is_bound and step > 1 else None
    return render(request, template, {"step": step, "dates": summary, **forms})


@provider_required
@query_params(q=TEXT, existing_client_search=TEXT)
def client_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the clients matching a name, e-mail or phone (htmx client picker)."""
    query = search_param(request)
    clients = Client.objects.none()
    if len(query) >= 2:
        clients = Client.objects.filter(
            Q(last_name__unaccent__istartswith=query)
            | Q(first_name__unaccent__istartswith=query)
            | Q(company__unaccent__istartswith=query)
            | Q(email__istartswith=query)
            | Q(phone1__startswith=query)
        ).order_by("last_name", "first_name", "id")[:30]
    return render(request, "reservations/client_options.html", {"clients": clients, "query": query})


# --- the file ("dossier de réservation") ----------------------------------------------------------


def _get_booking(booking_pk: int) -> Booking:
    return get_object_or_404(Booking.objects.select_related("client", "formula"), pk=booking_pk)


def _detail_context(booking: Booking) -> dict:
    stays = list(
        Stay.objects.filter(booking=booking)
        .select_related("lodging", "lodging__provider")
        .prefetch_related(
            Prefetch("occupants", queryset=StayOccupant.objects.select_related("age_bracket")),
            Prefetch("supplements", queryset=BookingSupplement.objects.order_by("id")),
        )
    )
    global_supplements = list(
        BookingSupplement.objects.filter(booking=booking, stay__isnull=True).order_by("id")
    )
    payments = list(Payment.objects.filter(booking=booking).order_by("date", "id"))
    first_arrival = min((stay.arrival for stay in stays), default=None)
    return {
        "booking": booking,
        "client": booking.client,
        "stays": stays,
        "global_supplements": global_supplements,
        "payments": payments,
        "companions": list(Companion.objects.filter(booking=booking).order_by("id")),
        "history": list(history(booking)[:200]),
        "balance_at_arrival": booking.balance_due_date is not None
        and booking.balance_due_date == first_arrival,
        "deposit_left": money.deposit_left(booking),
        "tourist_tax": booking_tourist_tax(booking),
        "overpaid": money.overpaid(booking),
        "signature_requested": contract_settings(booking.provider).request_signature,
        "is_option": booking.status == BookingStatus.OPTION,
        "is_online_option": options.is_online_option(booking),
        "is_cancelled": booking.status == BookingStatus.CANCELLED,
        "detail_url": reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}),
    }


def _render_booking(
    request: HttpRequest, booking: Booking, *, editing: str = "", form=None, target=None, status: int = 200
) -> HttpResponse:
    context = _detail_context(booking)
    context.update({"editing": editing, "form": form, "target": target})
    template = "reservations/booking_detail.html"
    if htmx_target(request) == "booking-body":
        template += "#booking-body"
    return render(request, template, context, status=status)


def _after_change(request: HttpRequest, booking_pk: int, message: str) -> HttpResponse:
    if htmx_target(request) == "booking-body":
        return _render_booking(request, _get_booking(booking_pk))
    messages.success(request, message)
    return redirect("reservations:booking_detail", booking_pk=booking_pk)


def _edit(request: HttpRequest, booking: Booking, *, editing: str, form, apply, done: str, target=None):
    """GET: the file with the form open in its section; POST: apply, or show the errors in place."""
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data)
        except ValidationError as error:
            mapping = {name: (form, name) for name in form.fields}
            if isinstance(form, StayForm | OccupantsPriceForm) and form.brackets:
                mapping["occupants"] = (form, form.occupant_field(form.brackets[0]))
            add_service_errors(error, form, fields=mapping)
        else:
            return _after_change(request, booking.pk, done)
    return _render_booking(request, booking, editing=editing, form=form, target=target)


def _confirm(request: HttpRequest, booking: Booking, *, editing: str, action, done: str, target=None):
    """GET: the file with the confirmation open in its section; POST: do ``action()`` (a refusal is
    shown as a message on the file)."""
    if request.method == "POST":
        try:
            action()
        except services.AlreadyDone as error:  # a second click: say it is done, no error
            messages.info(request, " ".join(error.messages))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return _after_change(request, booking.pk, done)
        if htmx_target(request):
            return HttpResponseClientRedirect(_file_or_planning(booking.pk))
        return redirect(_file_or_planning(booking.pk))
    return _render_booking(request, booking, editing=editing, target=target)


def _file_or_planning(booking_pk: int) -> str:
    if Booking.objects.filter(pk=booking_pk).exists():
        return reverse("reservations:booking_detail", kwargs={"booking_pk": booking_pk})
    return reverse("reservations:planning")


def _deleted_file_number(booking_pk: int) -> int | None:
    """The number of a file of ours deleted already (its history stays in our scope), else None."""
    from comptes.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(
            content_type__model="booking", object_id=booking_pk, action="booking.deleted"
        )
        .order_by("-created_at")
        .first()
    )
    return entry.data.get("number") if entry is not None else None


@provider_required
def booking_detail(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """The file's six parts: general information, client, each lodging, global supplements, notes."""
    return _render_booking(request, _get_booking(booking_pk))


@provider_required
@require_http_methods(["GET", "POST"])
def booking_confirm(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Passer en statut confirmé"."""
    booking = _get_booking(booking_pk)
    return _confirm(
        request,
        booking,
        editing="confirm",
        action=lambda: services.booking_confirm(booking=booking, user=request.user),
        done=_("The file is confirmed."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_online_accept(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Accepter la pré-réservation" of an online booking: confirmed, the guest is mailed."""
    booking = _get_booking(booking_pk)
    return _confirm(
        request,
        booking,
        editing="online_accept",
        action=lambda: options.online_option_accept(booking=booking, user=request.user),
        done=_("The pre-booking is accepted: the guest receives the booking mail."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_online_refuse(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Refuser la pré-réservation": cancelled, its dates freed, the guest told why."""
    booking = _get_booking(booking_pk)
    reason = request.POST.get("reason", "")
    return _confirm(
        request,
        booking,
        editing="online_refuse",
        action=lambda: options.online_option_refuse(booking=booking, reason=reason, user=request.user),
        done=_("The pre-booking is refused: the guest is told and the dates are free."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_contract_received(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Confirmer la réception" of the signed contract."""
    booking = _get_booking(booking_pk)
    return _confirm(
        request,
        booking,
        editing="contract",
        action=lambda: services.booking_contract_received(booking=booking, user=request.user),
        done=_("The signed contract is recorded as received."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_deposit(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """Acompte %: "Modifier"."""
    booking = _get_booking(booking_pk)
    form = DepositForm(request.POST or None, instance=Booking.objects.get(pk=booking.pk))
    return _edit(
        request,
        booking,
        editing="deposit",
        form=form,
        done=_("The deposit is changed."),
        apply=lambda data: services.booking_update_deposit(
            booking=booking,
            deposit_percent=data["deposit_percent"],
            deposit_kind=data["deposit_kind"],
            user=request.user,
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_reminders(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """Relance du paiement de l'acompte / date de paiement du solde: "Modifier"."""
    booking = _get_booking(booking_pk)
    form = RemindersForm(request.POST or None, instance=Booking.objects.get(pk=booking.pk))
    return _edit(
        request,
        booking,
        editing="reminders",
        form=form,
        done=_("The reminder dates are changed."),
        apply=lambda data: services.booking_update_reminders(
            booking=booking,
            deposit_due_date=data["deposit_due_date"],
            balance_due_date=data["balance_due_date"],
            user=request.user,
        ),
    )


def _note_view(request: HttpRequest, booking_pk: int, field: str) -> HttpResponse:
    booking = _get_booking(booking_pk)
    form = NoteForm(request.POST or None, initial={"text": getattr(booking, field)})
    form.fields["text"].label = _("Note") if field == "note" else _("Internal note")
    return _edit(
        request,
        booking,
        editing=field,
        form=form,
        done=_("The note is saved."),
        apply=lambda data: services.booking_update_note(
            booking=booking, field=field, text=data["text"], user=request.user
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_note(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """Note (shown to the client): "Modifier"."""
    return _note_view(request, booking_pk, "note")


@provider_required
@require_http_methods(["GET", "POST"])
def booking_internal_note(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """Note interne: "Modifier"."""
    return _note_view(request, booking_pk, "internal_note")


@provider_required
@require_http_methods(["GET", "POST"])
def booking_client(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """Client: "Modifier"."""
    booking = _get_booking(booking_pk)
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=booking.client_id))
    return _edit(
        request,
        booking,
        editing="client",
        form=form,
        done=_("The client’s details are saved."),
        apply=lambda data: services.booking_update_client(booking=booking, data=data, user=request.user),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_formula(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Formule" of the file ("Pension complète"), from the owner's list."""
    booking = _get_booking(booking_pk)
    form = FormulaChoiceForm(request.POST or None, initial={"formula": booking.formula})
    return _edit(
        request,
        booking,
        editing="formula",
        form=form,
        done=_("The formula is saved."),
        apply=lambda data: services.booking_set_formula(
            booking=booking, formula=data["formula"], user=request.user
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def companion_create(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Accompagnants": add a person staying with the client (name, age)."""
    booking = _get_booking(booking_pk)
    form = CompanionForm(request.POST or None)
    return _edit(
        request,
        booking,
        editing="companion",
        form=form,
        done=_("The accompanying guest is added."),
        apply=lambda data: services.companion_add(
            booking=booking, name=data["name"], age=data["age"], user=request.user
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def companion_delete(request: HttpRequest, booking_pk: int, companion_pk: int) -> HttpResponse:
    booking = _get_booking(booking_pk)
    companion = get_object_or_404(Companion, pk=companion_pk, booking=booking)
    return _confirm(
        request,
        booking,
        editing="companion-delete",
        target=companion.pk,
        action=lambda: services.companion_delete(companion=companion, user=request.user),
        done=_("The accompanying guest is deleted."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def stay_edit(request: HttpRequest, booking_pk: int, stay_pk: int) -> HttpResponse:
    """One lodging of the file: dates, occupants, price and discount."""
    booking = _get_booking(booking_pk)
    stay = get_object_or_404(
        Stay.objects.select_related("lodging", "booking").prefetch_related("occupants"),
        pk=stay_pk,
        booking=booking,
    )
    form = StayForm(request.POST or None, stay=stay)
    if not form.is_bound:
        counts = {occupant.age_bracket_id: occupant.count for occupant in stay.occupants.all()}
        form.initial = {
            "arrival": stay.arrival,
            "departure": stay.departure,
            "price": stay.lodging_price,
            "discount": stay.discount,
            **{form.occupant_field(b): counts.get(b.pk, 0) for b in form.brackets},
        }
    return _edit(
        request,
        booking,
        editing="stay",
        target=stay.pk,
        form=form,
        done=_("The stay is changed."),
        apply=lambda data: services.stay_update(
            stay=stay,
            arrival=data["arrival"],
            departure=data["departure"],
            occupants=form.occupants,
            lodging_price=data["price"],
            discount=data["discount"],
            user=request.user,
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def supplement_create(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Ajouter un supplément global libre"."""
    booking = _get_booking(booking_pk)
    return _edit(
        request,
        booking,
        editing="supplement",
        form=GlobalSupplementForm(request.POST or None, deposit_kind=booking.deposit_kind),
        done=_("The supplement is added."),
        apply=lambda data: services.booking_supplement_add(booking=booking, user=request.user, **data),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def supplement_delete(request: HttpRequest, booking_pk: int, booking_supplement_pk: int) -> HttpResponse:
    booking = _get_booking(booking_pk)
    line = get_object_or_404(BookingSupplement, pk=booking_supplement_pk, booking=booking, stay__isnull=True)
    return _confirm(
        request,
        booking,
        editing="supplement-delete",
        target=line.pk,
        action=lambda: services.booking_supplement_delete(line=line, user=request.user),
        done=_("The supplement is deleted."),
    )


def _payment_initial(booking: Booking) -> dict:
    """ "Open Pro propose d'ajouter le règlement de l'acompte ou du solde"."""
    return {"amount": money.suggested_payment(booking), "date": timezone.localdate()}


def _payment_form(request: HttpRequest, initial: dict) -> PaymentForm:
    form = PaymentForm(request.POST or None, initial=initial)
    if request.POST.get("overpayment_accepted") in ("on", "true", "True"):
        form.offer_overpayment()
    return form


def _offering_overpayment(form: PaymentForm, apply):
    """Apply; an overpayment refused by the service also offers the "accept" box under its warning."""

    def run(data):
        try:
            return apply(data)
        except ValidationError as error:
            codes = [e.code for errors in getattr(error, "error_dict", {}).values() for e in errors]
            if services.OVERPAYMENT in codes:
                form.offer_overpayment()
            raise

    return run


@provider_required
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Ajouter un règlement"."""
    booking = _get_booking(booking_pk)
    form = _payment_form(request, _payment_initial(booking))
    return _edit(
        request,
        booking,
        editing="payment",
        form=form,
        done=_("The payment is recorded."),
        apply=_offering_overpayment(
            form, lambda data: services.payment_record(booking=booking, user=request.user, **data)
        ),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def refund_create(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Enregistrer un remboursement": money given back, its own action (never a negative payment);
    the overpayment is proposed."""
    booking = _get_booking(booking_pk)
    form = RefundForm(request.POST or None, initial={"amount": money.overpaid(booking) or None})
    return _edit(
        request,
        booking,
        editing="refund",
        form=form,
        done=_("The refund is recorded."),
        apply=lambda data: services.refund_record(booking=booking, user=request.user, **data),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def payment_edit(request: HttpRequest, booking_pk: int, payment_pk: int) -> HttpResponse:
    """Change a payment, or a refund (shown with the amount given back)."""
    booking = _get_booking(booking_pk)
    payment = get_object_or_404(Payment.objects.select_related("booking"), pk=payment_pk, booking=booking)
    initial = {
        "date": payment.date,
        "mode": payment.mode,
        "amount": abs(payment.amount),
        "reference": masked(payment.reference),
        "note": payment.note,
    }
    if payment.amount < 0:
        form = RefundForm(request.POST or None, initial=initial)

        def apply(data):
            amount = data.pop("amount")
            return services.payment_update(payment=payment, user=request.user, amount=-amount, **data)

    else:
        form = _payment_form(request, initial)
        apply = _offering_overpayment(
            form, lambda data: services.payment_update(payment=payment, user=request.user, **data)
        )
    return _edit(
        request,
        booking,
        editing="payment",
        target=payment.pk,
        form=form,
        done=_("The payment is changed."),
        apply=apply,
    )


@provider_required
@require_http_methods(["GET", "POST"])
def payment_delete(request: HttpRequest, booking_pk: int, payment_pk: int) -> HttpResponse:
    booking = _get_booking(booking_pk)
    payment = get_object_or_404(Payment.objects.select_related("booking"), pk=payment_pk, booking=booking)
    return _confirm(
        request,
        booking,
        editing="payment-delete",
        target=payment.pk,
        action=lambda: services.payment_delete(payment=payment, user=request.user),
        done=_("The payment is deleted."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Annuler le dossier": kept with status cancelled, dates freed."""
    booking = _get_booking(booking_pk)
    return _confirm(
        request,
        booking,
        editing="cancel",
        action=lambda: services.booking_cancel(booking=booking, user=request.user),
        done=_("The file is cancelled: its dates are free again."),
    )


@provider_required
@require_http_methods(["GET", "POST"])
def booking_delete(request: HttpRequest, booking_pk: int) -> HttpResponse:
    """ "Supprimer le dossier": removed for good, dates freed (its number is never reused). Deleting
    twice (a double click) says the file is already deleted."""
    booking = Booking.objects.select_related("client").filter(pk=booking_pk).first()
    if booking is None:
        # Looked up after the row: the first of two clicks may commit between the two lookups.
        number = _deleted_file_number(booking_pk) if request.method == "POST" else None
        if number is None:
            raise Http404
        messages.info(request, _("File no. %(number)s is already deleted.") % {"number": number})
        return redirect("reservations:planning")
    if request.method == "POST":
        try:
            number = services.booking_delete(booking=booking, user=request.user)
        except services.AlreadyDone:
            number = booking.number
            messages.info(request, _("File no. %(number)s is already deleted.") % {"number": number})
        else:
            messages.success(request, _("File no. %(number)s is deleted.") % {"number": number})
        if htmx_target(request):
            return HttpResponseClientRedirect(reverse("reservations:planning"))
        return redirect("reservations:planning")
    return _render_booking(request, booking, editing="delete")
