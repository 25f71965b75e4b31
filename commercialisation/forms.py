from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commercialisation.models import Platform
from common.http import FetchError, normalize_url


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
