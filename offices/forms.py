"""Forms of the staff space: they read the input; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptes.models import Office, Provider


class ProviderCreateForm(forms.Form):
    """ "Créer un prestataire": name, kind, contact, the owner's e-mail, its office."""

    company = forms.CharField(label=_("Name of the establishment"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Provider.Kind.choices, initial=Provider.Kind.MEUBLE)
    last_name = forms.CharField(label=_("Contact's last name"), max_length=100)
    first_name = forms.CharField(label=_("Contact's first name"), max_length=100, required=False)
    phone1 = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Owner's e-mail"),
        help_text=_("Their login: the invitation to choose a password is sent there."),
    )
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=pgettext_lazy("office", "None"),
    )

    def __init__(self, *args, choose_office: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_office:
            self.fields["office"].queryset = Office.objects.order_by("name")
        else:
            del self.fields["office"]


class DecisionForm(forms.Form):
    """Approve or refuse a production request."""

    DECISIONS = (("approve", _("Approve")), ("refuse", _("Refuse")))

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason of the refusal (sent to the owner)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_incomplete = forms.BooleanField(
        label=_("I approve although the checklist is incomplete"), required=False
    )


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Address of the marketplace"),
        max_length=50,
        help_text=_("Letters, digits and dashes: /fr/marche/<address>/"),
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Production requests are sent there.")
    )
    commission_rate = forms.DecimalField(
        label=_("Commission rate (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, initial=3
    )


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
