"""Forms of the territory screens. The rules are in services (``tarifs.tourist_tax``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hebergements.forms import CommuneField, CommuneWidget
from tarifs.models import TouristTaxCategory, TouristTaxRate


class OfficeCommuneWidget(CommuneWidget):
    options_url_name = "offices:commune_options"


class TouristTaxRateForm(forms.ModelForm):
    commune = CommuneField(
        widget=OfficeCommuneWidget,
        label=_("Commune"),
        error_messages={
            "required": _("Select the commune that voted this rate."),
            "invalid_choice": _("Select the commune that voted this rate."),
        },
    )
    category = forms.ChoiceField(label=_("Category"), choices=TouristTaxCategory.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Euros per adult and night; a percentage for unclassified lodgings."),
    )

    class Meta:
        model = TouristTaxRate
        fields = ["commune", "year", "category", "rate"]

    # The service validates the bounds and the uniqueness; the form only parses.
    def _post_clean(self):
        pass


class DepartmentalForm(forms.Form):
    department = forms.CharField(label=_("Département (code)"), max_length=3)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
