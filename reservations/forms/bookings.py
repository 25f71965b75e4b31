"""Forms of the planning and the booking files. They parse and check input; the rules are in
``reservations.services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import MoneyField
from comptes.models import DepositKind
from hebergements.models import AgeBracket, Lodging
from reservations.availability import dates_unavailable_message, stay_is_free
from reservations.models import Booking, Client, Formula, PaymentMode
from tarifs import engine


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def money_field(label, *, required=True, allow_negative=False, **kwargs) -> forms.DecimalField:
    return MoneyField(
        label=label,
        required=required,
        min_value=None if allow_negative else Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "money-input"}),
        **kwargs,
    )


class StayDatesForm(forms.Form):
    """Step 1: "Choix de l'hébergement et des dates de séjour"."""

    lodging = forms.ModelChoiceField(label=_("Lodging"), queryset=Lodging.objects.none(), empty_label=None)
    arrival = forms.DateField(label=pgettext_lazy("dates", "From"), widget=DateInput())
    departure = forms.DateField(label=pgettext_lazy("dates", "to"), widget=DateInput())

    def __init__(self, *args, exclude_stay=None, already_chosen: bool = False, **kwargs):
        """``already_chosen``: the dates were accepted at step 1 and come back with a later step."""
        super().__init__(*args, **kwargs)
        self.exclude_stay = exclude_stay
        self.already_chosen = already_chosen
        self.fields["lodging"].queryset = Lodging.objects.active()

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure:
            if departure < arrival:
                self.add_error("departure", _("The departure date must be after the arrival date."))
            elif departure == arrival:
                self.add_error("departure", _("A stay lasts at least one night."))
            elif "lodging" in cleaned and not stay_is_free(
                lodging=cleaned["lodging"],
                arrival=arrival,
                departure=departure,
                exclude_stay=self.exclude_stay,
            ):
                self.add_error(
                    "arrival",
                    dates_unavailable_message()
                    if self.already_chosen
                    else _("These dates are not available: they overlap another stay or a sale prohibition."),
                )
        return cleaned

    @property
    def nights(self) -> int:
        return (self.cleaned_data["departure"] - self.cleaned_data["arrival"]).days


class OccupantsPriceForm(forms.Form):
    """Step 2: "Choix du prix de l'hébergement": occupants per age bracket, price, discount."""

    price = money_field(_("Price"), required=True)
    discount = money_field(_("Discount"), required=False, initial=Decimal("0.00"))

    def __init__(self, *args, lodging: Lodging | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lodging = lodging
        self.brackets = list(AgeBracket.objects.order_by("position", "-age_max"))
        occupant_fields = {}
        for index, bracket in enumerate(self.brackets):
            occupant_fields[self.occupant_field(bracket)] = forms.IntegerField(
                label=bracket.label_fr,
                required=False,
                min_value=0,
                max_value=999,
                initial=1 if index == 0 else 0,
                widget=forms.NumberInput(attrs={"class": "occupant-input", "inputmode": "numeric"}),
            )
        self.fields = {**occupant_fields, **self.fields}
        self.fields["price"].error_messages["required"] = _("Give the price of the stay.")

    @staticmethod
    def occupant_field(bracket: AgeBracket) -> str:
        return f"occupants_{bracket.pk}"

    def occupant_boundfields(self):
        return [self[self.occupant_field(bracket)] for bracket in self.brackets]

    def price_boundfields(self):
        return [self["price"], self["discount"]]

    def occupants_from(self, data) -> dict[int, int]:
        """Occupants from raw input (to quote while the form is being filled), invalid values as 0."""
        result = {}
        for bracket in self.brackets:
            try:
                result[bracket.pk] = max(0, int(data.get(self.add_prefix(self.occupant_field(bracket))) or 0))
            except (TypeError, ValueError):
                result[bracket.pk] = 0
        return result

    @property
    def occupants(self) -> dict[int, int]:
        return {
            bracket.pk: self.cleaned_data.get(self.occupant_field(bracket)) or 0 for bracket in self.brackets
        }

    def clean(self):
        cleaned = super().clean()
        if self.brackets and not any(self.occupant_field(b) in self.errors for b in self.brackets):
            persons = sum(self.occupants.values())
            first = self.occupant_field(self.brackets[0])
            if self.lodging is not None:
                try:
                    engine.occupants_check(lodging=self.lodging, persons=persons, minimum=False)
                except engine.StayNotBookable as error:
                    self.add_error(first, error.message)
            elif persons < 1:
                self.add_error(first, _("Give at least one occupant."))
        price, discount = cleaned.get("price"), cleaned.get("discount")
        if price is not None and discount is not None and discount > price:
            self.add_error("discount", _("The discount cannot be larger than the price."))
        if cleaned.get("discount") is None and "discount" not in self.errors:
            cleaned["discount"] = Decimal("0.00")
        return cleaned


CLIENT_FIELDS = [
    "company",
    "civility",
    "last_name",
    "first_name",
    "address",
    "address2",
    "country",
    "postcode",
    "city",
    "phone1",
    "phone2",
    "phone3",
    "fax",
    "email",
]


class ClientForm(forms.ModelForm):
    """Step 3: "Saisie des coordonnées du client" (only the name is required)."""

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone1": forms.TextInput(attrs={"inputmode": "tel"}),
            "phone2": forms.TextInput(attrs={"inputmode": "tel"}),
            "phone3": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        error_messages = {"last_name": {"required": _("Give the client’s name.")}}


class ExistingClientWidget(forms.Select):
    """A client picker: a search box (name, e-mail or phone, htmx) and a select holding the choice."""

    template_name = "reservations/widgets/client_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["client"] = (
            Client.objects.filter(pk=value).first()
            if value not in (None, "") and str(value).isdigit()
            else None
        )
        return context

    def optgroups(self, name, value, attrs=None):
        return []


class ExistingClientForm(forms.Form):
    existing_client = forms.ModelChoiceField(
        label=_("Existing client"),
        queryset=Client.objects.none(),
        required=False,
        widget=ExistingClientWidget,
        help_text=_("Pick a client of an earlier file, or fill in the form below for a new client."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing_client"].queryset = Client.objects.all()


class PaymentForm(forms.Form):
    """ "Règlement": date, mode, amount, transaction reference, note. An amount beyond the balance
    needs "Accepter le trop-perçu", offered once the warning is shown (``offer_overpayment``)."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Payment method"), choices=PaymentMode.choices)
    amount = money_field(_("Amount"))
    reference = forms.CharField(
        label=_("Transaction reference"),
        required=False,
        max_length=100,
        help_text=_("Cheque number, transfer or card transaction reference…"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=250)
    overpayment_accepted = forms.BooleanField(
        label=_("Accept the overpayment (to be refunded)"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        self.fields["amount"].error_messages["required"] = _("Give the amount.")
        self.fields["amount"].error_messages["min_value"] = _(
            "A payment is a positive amount: record a refund instead."
        )

    def offer_overpayment(self) -> None:
        """Show the "Accept the overpayment" box (after the warning)."""
        self.fields["overpayment_accepted"].widget = forms.CheckboxInput()


class RefundForm(forms.Form):
    """ "Enregistrer un remboursement": the amount given back (positive), date, mode, reference."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Refund method"), choices=PaymentMode.choices)
    amount = money_field(_("Amount refunded"))
    reference = forms.CharField(label=_("Transaction reference"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        self.fields["mode"].initial = PaymentMode.VIREMENT
        self.fields["amount"].error_messages["required"] = _("Give the amount.")


class DepositForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["deposit_percent", "deposit_kind"]
        widgets = {"deposit_kind": forms.RadioSelect}
        localized_fields = ["deposit_percent"]
        labels = {"deposit_percent": _("Deposit (%)"), "deposit_kind": _("Payment asked in advance")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit_kind"].choices = DepositKind.choices


class RemindersForm(forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["deposit_due_date", "balance_due_date"]
        widgets = {"deposit_due_date": DateInput(), "balance_due_date": DateInput()}
        labels = {
            "deposit_due_date": _("Deposit payment reminder"),
            "balance_due_date": _("Balance payment date"),
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Never write confidential information here, such as the client’s card number."),
    )


class StayForm(OccupantsPriceForm):
    """ "Hébergement" of a file: dates, occupants, price and discount."""

    arrival = forms.DateField(label=pgettext_lazy("dates", "From"), widget=DateInput())
    departure = forms.DateField(label=pgettext_lazy("dates", "to"), widget=DateInput())

    def __init__(self, *args, stay=None, **kwargs):
        super().__init__(*args, lodging=stay.lodging if stay else None, **kwargs)
        self.stay = stay
        self.fields = {
            "arrival": self.fields.pop("arrival"),
            "departure": self.fields.pop("departure"),
            **self.fields,
        }

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure:
            if departure < arrival:
                self.add_error("departure", _("The departure date must be after the arrival date."))
            elif departure == arrival:
                self.add_error("departure", _("A stay lasts at least one night."))
        return cleaned


class GlobalSupplementForm(forms.Form):
    """ "Ajouter un supplément global libre" (cancellation fees on a cancelled file)."""

    label = forms.CharField(label=_("Label"), max_length=150)
    unit_price = money_field(_("Unit price"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1)
    counts_toward_deposit = forms.BooleanField(label=_("Included in the deposit calculation"), required=False)

    def __init__(self, *args, deposit_kind: str = DepositKind.ACOMPTE, **kwargs):
        super().__init__(*args, **kwargs)
        # "Compris dans le calcul des arrhes" or "… de l'acompte", as the file says.
        self.fields["counts_toward_deposit"].label = (
            pgettext_lazy("arrhes", "Included in the deposit calculation")
            if deposit_kind == DepositKind.ARRHES
            else pgettext_lazy("acompte", "Included in the deposit calculation")
        )


class ProhibitionForm(forms.Form):
    """ "Créer des interdictions de vente" / allow sale again, on ``[arrival, departure)``."""

    lodging = forms.ModelChoiceField(label=_("Lodging"), queryset=Lodging.objects.none(), empty_label=None)
    arrival = forms.DateField(label=pgettext_lazy("dates", "From"), widget=DateInput())
    departure = forms.DateField(
        label=pgettext_lazy("dates", "to"),
        widget=DateInput(),
        help_text=_("The prohibition ends on the morning of this day, like a departure."),
    )
    units = forms.IntegerField(
        label=_("Units closed"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("Lodging with stock: how many of its units to close (empty: every unit)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    start = forms.DateField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, with_units: bool = False, **kwargs):
        """``with_units``: a lodging with stock, whose owner may close some of its units only."""
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = Lodging.objects.active()
        if not with_units:
            del self.fields["units"]

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure and departure <= arrival:
            self.add_error("departure", _("The last day must be after the first day."))
        return cleaned


class FormulaChoiceForm(forms.Form):
    """The file's formula ("Pension complète"), from the owner's list."""

    formula = forms.ModelChoiceField(
        label=_("Formula"),
        queryset=Formula.objects.none(),
        required=False,
        empty_label=_("No formula"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["formula"].queryset = Formula.objects.order_by("name", "id")


class FormulaForm(forms.Form):
    """A formula of the owner's list (Paramètres > Formules)."""

    name = forms.CharField(label=_("Name of the formula"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Give the name of the formula.")


class CompanionForm(forms.Form):
    """ "Accompagnants": a person staying with the client."""

    name = forms.CharField(label=_("Name"), max_length=150)
    age = forms.IntegerField(
        label=_("Age"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": _("Give an age between 0 and 120."),
            "max_value": _("Give an age between 0 and 120."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Give the name of the accompanying guest.")
