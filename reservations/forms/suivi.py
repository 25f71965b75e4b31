"""Forms of the files search, arrivals and departures, the dashboard and the client file. They parse
and check input; the queries are in ``reservations.selectors``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hebergements.models import Lodging
from reservations import charts, selectors
from reservations.dashboard import MAX_MONTHS, RevenueOptions
from reservations.forms.bookings import DateInput, money_field
from reservations.models import BookingOrigin, BookingStatus

ANY = ("", pgettext_lazy("filter", "Any"))


class BookingSearchForm(forms.Form):
    """ "Rechercher des dossiers"."""

    arrival_from = forms.DateField(label=_("Arrival between"), required=False, widget=DateInput())
    arrival_to = forms.DateField(label=pgettext_lazy("between", "and"), required=False, widget=DateInput())
    client = forms.CharField(label=_("Client’s name / e-mail"), required=False, max_length=100)
    lodging = forms.ModelChoiceField(
        label=_("Lodging"), queryset=Lodging.objects.none(), required=False, empty_label=ANY[1]
    )
    number = forms.IntegerField(label=_("File number"), required=False, min_value=1, max_value=10**9)
    optin = forms.ChoiceField(
        label=_("Opt-in"), required=False, choices=[ANY, ("1", _("Yes")), ("0", _("No"))]
    )
    status = forms.ChoiceField(
        label=_("File status"),
        required=False,
        choices=[
            ANY,
            (selectors.STATUS_OPEN, _("Option / Confirmed")),
            # As in the manual: "Confirmé" includes the files paid in full; "Soldé" is the balance
            # criterion below.
            *[(value, label) for value, label in BookingStatus.choices if value != BookingStatus.PAID],
        ],
    )
    balance = forms.ChoiceField(
        label=_("File balance"),
        required=False,
        choices=[
            ANY,
            (selectors.BALANCE_PAID, _("Paid in full")),
            (selectors.BALANCE_DUE, _("Not paid in full")),
        ],
    )
    origin = forms.ChoiceField(label=_("File origin"), required=False, choices=[ANY, *BookingOrigin.choices])
    promo_code = forms.ChoiceField(label=_("Promo code"), required=False)
    relance = forms.ChoiceField(
        label=_("Reminders"),
        required=False,
        choices=[
            ANY,
            (selectors.REMINDER_DEPOSIT, _("Waiting for the deposit")),
            (selectors.REMINDER_BALANCE, _("Waiting for the balance")),
        ],
    )
    tri = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-number", _("Number, newest first")),
            ("number", _("Number, oldest first")),
            ("arrival", _("Arrival date")),
            ("-arrival", _("Arrival date, latest first")),
        ],
    )

    def __init__(self, *args, promo_codes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = Lodging.objects.order_by("archived", "position", "number")
        self.fields["promo_code"].choices = [
            ANY,
            (selectors.PROMO_ANY, _("With a promo code")),
            (selectors.PROMO_NONE, _("Without a promo code")),
            *[(code, code) for code in promo_codes],
        ]
        self.fields["number"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("arrival_from"), cleaned.get("arrival_to")
        if start and end and end < start:
            self.add_error("arrival_to", _("The end of the period must be after its start."))
        return cleaned

    def filters(self, today: date) -> selectors.BookingFilters:
        """The filters of a valid form (an invalid form filters nothing: see the view)."""
        data = self.cleaned_data
        optin = {"1": True, "0": False}.get(data.get("optin") or "")
        return selectors.BookingFilters(
            arrival_from=data.get("arrival_from"),
            arrival_to=data.get("arrival_to"),
            client=data.get("client") or "",
            lodging=data.get("lodging"),
            number=data.get("number"),
            optin=optin,
            status=data.get("status") or "",
            balance=data.get("balance") or "",
            origin=data.get("origin") or "",
            promo_code=data.get("promo_code") or "",
            reminder=data.get("relance") or "",
            today=today,
            sort=data.get("tri") or "-number",
        )


class DayForm(forms.Form):
    """ "Arrivées du" / "Départs du": one day, today by default."""

    jour = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def day(self) -> date:
        return (self.cleaned_data.get("jour") if self.is_valid() else None) or timezone.localdate()


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as ``2024-03`` (or a date, whose month is kept)."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y", "%d/%m/%Y"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class RevenueOptionsForm(forms.Form):
    """ "Options avancées" of the revenue chart: interval, chart type, comparison."""

    debut = MonthField(label=_("From (month)"), required=False)
    fin = MonthField(label=_("To (month)"), required=False)
    graphique = forms.ChoiceField(
        label=_("Chart type"),
        required=False,
        choices=[(charts.BAR, _("Bars")), (charts.LINE, _("Lines"))],
        widget=forms.RadioSelect,
    )
    comparer = forms.BooleanField(label=_("Compare with the previous year"), required=False)

    def __init__(self, data=None, *, today: date, **kwargs):
        self.today = today
        self.default = RevenueOptions.default(today)
        if data is not None and not any(key in data for key in ("debut", "fin", "graphique", "options")):
            data = None  # the page opened without options: defaults, no errors
        super().__init__(data, **kwargs)
        if data is None:
            self.initial = {
                "debut": self.default.first_month,
                "fin": self.default.last_month,
                "graphique": self.default.kind,
                "comparer": self.default.compare,
            }

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("debut") or self.default.first_month
        end = cleaned.get("fin") or self.default.last_month
        if "debut" not in self.errors and "fin" not in self.errors:
            if end < start:
                self.add_error("fin", _("The last month must be after the first month."))
            elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
                self.add_error("fin", _("Choose %(count)d months at most.") % {"count": MAX_MONTHS})
        return cleaned

    def options(self) -> RevenueOptions:
        if not self.is_bound or not self.is_valid():
            return self.default
        data = self.cleaned_data
        return RevenueOptions(
            first_month=data.get("debut") or self.default.first_month,
            last_month=data.get("fin") or self.default.last_month,
            kind=data.get("graphique") or charts.BAR,
            compare=bool(data.get("comparer")),
        )


class PhoneBookingForm(forms.Form):
    """ "Réservation par téléphone": client name, lodging, from, to, price → a file in option."""

    client_name = forms.CharField(label=_("Client’s name"), max_length=100)
    lodging = forms.ModelChoiceField(label=_("Lodging"), queryset=Lodging.objects.none(), empty_label=None)
    arrival = forms.DateField(label=pgettext_lazy("dates", "From"), widget=DateInput())
    departure = forms.DateField(label=pgettext_lazy("dates", "to"), widget=DateInput())
    price = money_field(
        _("Price"),
        required=False,
        help_text=_("Left empty: the price of your grid for this stay."),
    )

    prefix = "phone"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = Lodging.objects.active()
        self.fields["client_name"].error_messages["required"] = _("Give the client’s name.")
        self.fields["client_name"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure and departure <= arrival:
            self.add_error(
                "departure",
                _("A stay lasts at least one night.")
                if departure == arrival
                else _("The departure date must be after the arrival date."),
            )
        return cleaned


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, e-mail, phone or city"), required=False, max_length=100)
