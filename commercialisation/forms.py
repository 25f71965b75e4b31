from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commercialisation.models import Platform
from common.colors import parse_color
from common.forms import MoneyField
from common.http import FetchError, normalize_url
from hebergements.models import Lodging
from hebergements.selectors import lodgings_offered
from tarifs.models import PromoCode
from tarifs.services import PROMO_CODE_FIELDS


class FeedForm(forms.Form):
    """Subscribe a lodging to another platform's calendar."""

    url = forms.CharField(
        label=_("Calendar address (iCal)"),
        max_length=2000,
        help_text=_("The iCal export link the platform gives you (https://… or webcal://…)."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )
    platform = forms.ChoiceField(
        label=_("Platform"),
        choices=[("", _("Detect from the address")), *Platform.choices],
        required=False,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Shown on the planning; the platform’s name when left empty."),
    )
    reexport = forms.BooleanField(
        label=_("Send its reservations to the other platforms"), required=False, initial=True
    )

    def clean_url(self) -> str:
        try:
            return normalize_url(self.cleaned_data["url"])
        except FetchError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


PERIOD_ROWS = 4


class PromoCodeForm(forms.ModelForm):
    """COMMERCIALISATION > Codes promo: a code, its labels, use, validity, value, lodgings and the
    stays it is for (all, or those arriving in up to four periods)."""

    lodgings = forms.ModelMultipleChoiceField(
        queryset=Lodging.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Lodgings"),
    )

    class Meta:
        model = PromoCode
        fields = list(PROMO_CODE_FIELDS)
        localized_fields = ["value"]
        field_classes = {"value": MoneyField}
        labels = {
            "label": _("Public label (French)"),
            "label_en": _("Public label (English)"),
            "all_stays": _("Stays concerned"),
            "active": _("Active"),
        }
        help_texts = {
            "code": _("Letters A to Z and digits, e.g. ETE2030. Guests may type it in small letters."),
            "internal_label": _("Only you see it."),
            "label": _("Shown to the guest on the quote and the file."),
        }
        widgets = {
            "usage": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "all_stays": forms.RadioSelect(choices=[(True, _("All stays")), (False, _("Selected stays"))]),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.lodgings.all() if self.instance.pk else Lodging.objects.none()
        self.fields["lodgings"].queryset = lodgings_offered(chosen)
        if self.instance.pk:
            self.initial.setdefault("lodgings", list(chosen))
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})
        self.fields["value"].widget.attrs.setdefault("inputmode", "decimal")
        periods = list(self.instance.periods.all()) if self.instance.pk else []
        for index in range(PERIOD_ROWS):
            period = periods[index] if index < len(periods) else None
            for part in ("start", "end"):
                name = f"period_{index}_{part}"
                self.fields[name] = forms.DateField(
                    label=_("From") if part == "start" else _("To"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )
                if period is not None:
                    self.initial[name] = getattr(period, part)

    def _post_clean(self):
        """No model validation here: ``promo_code_save`` checks every rule, constraints included,
        and names the field at fault."""

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()

    @property
    def period_rows(self):
        return [(self[f"period_{index}_start"], self[f"period_{index}_end"]) for index in range(PERIOD_ROWS)]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        periods = [(data.pop(f"period_{i}_start"), data.pop(f"period_{i}_end")) for i in range(PERIOD_ROWS)]
        return {"lodgings": data.pop("lodgings"), "periods": periods, **data}


class WidgetOptionsForm(forms.Form):
    """ "Moteurs de réservation": the options the snippets follow (nothing is saved)."""

    langue = forms.ChoiceField(label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))])
    couleur = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        required=False,
        help_text=_("Buttons and links of the widgets, as #rrggbb (empty: the default colours)."),
        widget=forms.TextInput(
            attrs={"placeholder": "#1f6f8b", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def clean_couleur(self) -> str:
        value = self.cleaned_data["couleur"].strip()
        if not value:
            return ""
        color = parse_color(value)
        if color is None or not value.startswith("#"):
            raise forms.ValidationError(_("Enter a colour as #rrggbb (for example #1f6f8b)."))
        return color


CLIENT_FIELDS = ("last_name", "first_name", "email", "phone1")  # of BlockBookingForm: a new client


class BlockBookingForm(forms.Form):
    """ "Créer le dossier" of a platform's reservation: the guest, the occupants, the platform's
    amount (the dates are the reservation's)."""

    last_name = forms.CharField(label=_("Name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone1 = forms.CharField(label=_("Phone"), max_length=30, required=False)
    amount = MoneyField(
        label=_("Amount of the reservation on the platform"),
        min_value=0,
        help_text=_("Recorded as the platform’s amount: the price grid does not apply."),
        widget=forms.TextInput(attrs={"class": "money-input"}),
    )

    def __init__(self, *args, brackets=(), client_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.brackets = list(brackets)
        if not client_required:  # a client of an earlier file was picked instead
            for name in CLIENT_FIELDS:
                self.fields[name].required = False
        occupant_fields = {}
        for index, bracket in enumerate(self.brackets):
            occupant_fields[f"occupants_{bracket.pk}"] = forms.IntegerField(
                label=bracket.label_fr,
                required=False,
                min_value=0,
                max_value=999,
                initial=2 if index == 0 else 0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        fields = dict(self.fields)
        amount = fields.pop("amount")
        self.fields = {**fields, **occupant_fields, "amount": amount}
        self.fields["last_name"].error_messages["required"] = _("Give the guest’s name.")
        self.fields["amount"].error_messages["required"] = _(
            "Give the amount of the reservation on the platform."
        )

    @property
    def occupants(self) -> dict[int, int]:
        return {b.pk: self.cleaned_data.get(f"occupants_{b.pk}") or 0 for b in self.brackets}

    def clean(self):
        cleaned = super().clean()
        valid = self.brackets and not any(f"occupants_{b.pk}" in self.errors for b in self.brackets)
        if valid and sum(self.occupants.values()) < 1:
            self.add_error(f"occupants_{self.brackets[0].pk}", _("Give at least one occupant."))
        return cleaned

    def client_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in CLIENT_FIELDS}
