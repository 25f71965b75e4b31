from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import MoneyField
from comptes.models import DepositKind
from hebergements.models import AgeBracket, Commune, Lodging, Orientation, Structure, Supplement
from hebergements.selectors import characteristic_catalogue, lodgings_offered
from hebergements.services import PHOTO_MAX_BYTES, PHOTOS_PER_OWNER

YES_NO = [(False, _("No")), (True, _("Yes"))]


def _interpolate(message, params: dict) -> str:
    return str(message) % params


format_lazy_params = lazy(_interpolate, str)
"""``format_lazy_params(_("… %(x)s …"), {"x": 1})``: translated when rendered, not at import."""


class CommuneWidget(forms.Select):
    """A commune picker: a search box (name or postcode, htmx) and a select holding only the choice.

    The catalogue has tens of thousands of communes: only the selected one is rendered.
    """

    template_name = "hebergements/widgets/commune_select.html"
    options_url_name = "hebergements:commune_options"  # the view answering the search box

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        context["widget"]["options_url"] = reverse(self.options_url_name)
        context["widget"]["commune"] = (
            Commune.objects.filter(pk=value).first()
            if value not in (None, "") and str(value).isdigit()
            else None
        )
        return context

    def optgroups(self, name, value, attrs=None):
        return []


class CommuneField(forms.ModelChoiceField):
    widget = CommuneWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Commune.objects.all())
        kwargs.setdefault("label", _("City"))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Select the commune of the lodging."),
                "invalid_choice": _("Select the commune of the lodging."),
            },
        )
        super().__init__(**kwargs)


class CoordinateField(forms.DecimalField):
    """Latitude or longitude typed with a comma or a dot, kept to six decimals (about 10 cm)."""

    def __init__(self, *, limit: int, **kwargs):
        message = format_lazy_params(_("Enter a value between -%(limit)s and %(limit)s."), {"limit": limit})
        kwargs.setdefault("required", False)
        kwargs.setdefault("localize", True)
        super().__init__(
            min_value=-limit,
            max_value=limit,
            error_messages={"min_value": message, "max_value": message},
            **kwargs,
        )
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        except InvalidOperation as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several image files at once; their content is checked by ``hebergements.services``."""

    widget = MultipleImageInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault(
            "help_text",
            format_lazy_params(
                _("JPEG, PNG or WebP, %(size)s MB at most each, %(count)s photos at most."),
                {"size": PHOTO_MAX_BYTES // (1024 * 1024), "count": PHOTOS_PER_OWNER},
            ),
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


class CharacteristicsWidget(forms.CheckboxSelectMultiple):
    """The equipment checkboxes, one group per family (Équipements intérieurs, extérieurs…)."""

    template_name = "hebergements/widgets/characteristics.html"

    def optgroups(self, name, value, attrs=None):
        groups = []
        options = [
            option
            for _group, group_options, _index in super().optgroups(name, value, attrs)
            for option in group_options
        ]
        for family, items in groupby(options, key=lambda option: option["value"].instance.family):
            groups.append((family.name, list(items), family.code))
        return groups


class CharacteristicsField(forms.ModelMultipleChoiceField):
    widget = CharacteristicsWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", characteristic_catalogue())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Characteristics"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return obj.name


FLOOR_CHOICES = [
    ("", _("Not defined")),
    (-1, _("Basement")),
    (0, _("Ground floor")),
    *(
        (n, format_lazy_params(pgettext_lazy("floor", "Floor %(number)s"), {"number": n}))
        for n in range(1, 31)
    ),
]


class LodgingSetupForm(forms.ModelForm):
    """The lodging tab of the first-connection wizard (the manual's "Général" block, its photos and
    characteristics)."""

    commune = CommuneField(required=True)
    photos = PhotosField()
    characteristics = CharacteristicsField()

    class Meta:
        model = Lodging
        fields = [
            "name",
            "has_stock",
            "stock_units",
            "lodging_type",
            "classification",
            "address",
            "commune",
            "capacity_min",
            "capacity_max",
            "description_fr",
            "photos",
            "characteristics",
        ]
        widgets = {
            "has_stock": forms.RadioSelect(choices=YES_NO),
            "description_fr": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"description_fr": _("Description")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["description_fr"].required = True


class LodgingForm(forms.ModelForm):
    """The lodging page ("Modifier" / "Ajouter un hébergement"): every field of the manual."""

    commune = CommuneField(required=True)
    latitude = CoordinateField(limit=90, label=_("Latitude"))
    longitude = CoordinateField(limit=180, label=_("Longitude"))
    floor = forms.TypedChoiceField(
        label=_("Floor"), choices=FLOOR_CHOICES, coerce=int, empty_value=None, required=False
    )
    characteristics = CharacteristicsField()

    class Meta:
        model = Lodging
        fields = [
            "name",
            "has_stock",
            "stock_units",
            "lodging_type",
            "classification",
            "residence",
            "registration_number",
            "address",
            "commune",
            "latitude",
            "longitude",
            "altitude",
            "capacity_min",
            "capacity_max",
            "surface",
            "floor",
            "orientation",
            "security_deposit",
            "description_fr",
            "description_en",
            "characteristics",
            "visibility",
        ]
        localized_fields = ["security_deposit"]
        field_classes = {"security_deposit": MoneyField}
        widgets = {
            "has_stock": forms.RadioSelect(choices=YES_NO),
            "visibility": forms.RadioSelect,
            "description_fr": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"altitude": _("Altitude (m)"), "security_deposit": _("Security deposit (€)")}
        help_texts = {
            "stock_units": _("Only for a lodging with stock: how many identical units are for sale."),
            "description_en": _("Shown to guests who browse in English."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["description_fr"].required = True
        self.fields["orientation"].choices = [("", _("Not defined")), *Orientation.choices]
        self.fields["security_deposit"].widget.attrs.setdefault("inputmode", "decimal")
        for name in ("altitude", "surface"):
            self.fields[name].widget.attrs.setdefault("inputmode", "numeric")
        self.fields["surface"].error_messages["min_value"] = _("The surface cannot be negative.")
        self.fields["security_deposit"].error_messages["min_value"] = _(
            "The security deposit cannot be negative."
        )

    def clean_security_deposit(self):
        value = self.cleaned_data.get("security_deposit")
        return Decimal("0.00") if value is None else value


class VisibilityForm(forms.Form):
    """The visibility window of a lodging (planning, lodging list)."""

    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Lodging.Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a visibility."), "invalid_choice": _("Choose a visibility.")},
    )


class LodgingCreateForm(LodgingForm):
    """Adding a lodging: the same fields, plus its first photos."""

    photos = PhotosField()


class PhotoUploadForm(forms.Form):
    photos = PhotosField(label=_("Add photos"))

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if not photos:
            raise ValidationError(_("Choose at least one photo."), code="required")
        return photos


class PhotoCaptionForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class StructureForm(forms.ModelForm):
    class Meta:
        model = Structure
        fields = ["name", "description_fr", "description_en"]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
        }


class SupplementForm(forms.ModelForm):
    """A supplement: "Frais de ménage", mandatory, 50,00 €, for the chosen lodgings."""

    lodgings = forms.ModelMultipleChoiceField(
        queryset=Lodging.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Lodgings it applies to"),
        help_text=_("Tick the lodgings it applies to: a new supplement applies to none until you do."),
    )

    class Meta:
        model = Supplement
        fields = [
            "mandatory",
            "label",
            "label_en",
            "description",
            "counts_toward_deposit",
            "per_day",
            "per_person",
            "max_quantity",
            "price",
            "lodgings",
        ]
        localized_fields = ["price"]
        field_classes = {"price": MoneyField}
        labels = {
            "mandatory": _("Type of supplement"),
            "counts_toward_deposit": _("Deposit calculation"),
            "price": _("Price of the supplement (€)"),
        }
        widgets = {
            "mandatory": forms.RadioSelect(choices=[(True, _("Mandatory")), (False, _("Optional"))]),
            "counts_toward_deposit": forms.Select(
                choices=[
                    (False, _("Not included in the deposit (paid with the balance)")),
                    (True, _("Deposit percentage (included in the deposit)")),
                ]
            ),
            "per_day": forms.RadioSelect(choices=YES_NO),
            "per_person": forms.RadioSelect(choices=YES_NO),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "mandatory": _("A mandatory supplement is added automatically to every stay of its lodgings."),
            "per_day": _("Yes: the price is counted for each night of the stay."),
            "per_person": _("Yes: the price is counted for each occupant."),
        }

    def __init__(self, *args, deposit_kind: str = DepositKind.ACOMPTE, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.lodgings.all() if self.instance.pk else Lodging.objects.none()
        self.fields["lodgings"].queryset = lodgings_offered(chosen)
        # "Mode de calcul des arrhes" or "… de l'acompte": the word of the owner's sales terms.
        deposit = self.fields["counts_toward_deposit"]
        if deposit_kind == DepositKind.ARRHES:
            deposit.label = pgettext_lazy("arrhes", "Deposit calculation")
            deposit.widget.choices = [
                (False, pgettext_lazy("arrhes", "Not included in the deposit (paid with the balance)")),
                (True, pgettext_lazy("arrhes", "Deposit percentage (included in the deposit)")),
            ]
        else:
            deposit.label = pgettext_lazy("acompte", "Deposit calculation")
            deposit.widget.choices = [
                (False, pgettext_lazy("acompte", "Not included in the deposit (paid with the balance)")),
                (True, pgettext_lazy("acompte", "Deposit percentage (included in the deposit)")),
            ]
        self.fields["max_quantity"].widget.attrs.update({"max": 99, "inputmode": "numeric"})
        self.fields["price"].widget.attrs.setdefault("inputmode", "decimal")
        self.fields["price"].error_messages["min_value"] = _("The price cannot be negative.")
        self.fields["max_quantity"].validators.append(MaxValueValidator(99))


AGE_CHOICES = [(age, age) for age in range(0, 121)]


class AgeBracketForm(forms.ModelForm):
    class Meta:
        model = AgeBracket
        fields = ["label_fr", "label_en", "age_min", "age_max"]
        labels = {"label_fr": _("Label"), "age_min": _("Min. age"), "age_max": _("Max. age")}
        widgets = {"age_min": forms.Select(choices=AGE_CHOICES), "age_max": forms.Select(choices=AGE_CHOICES)}
