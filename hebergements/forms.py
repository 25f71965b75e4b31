from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hebergements.models import Commune, Lodging


class CommuneWidget(forms.Select):
    """A commune picker: a search box (name or postcode, htmx) and a select holding only the choice.

    The catalogue has tens of thousands of communes: only the selected one is rendered.
    """

    template_name = "hebergements/widgets/commune_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
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


class LodgingSetupForm(forms.ModelForm):
    """The lodging tab of the first-connection wizard (the manual's "Général" block)."""

    commune = CommuneField(required=True)

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
        ]
        widgets = {
            "has_stock": forms.RadioSelect(choices=[(False, _("No")), (True, _("Yes"))]),
            "description_fr": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"description_fr": _("Description")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["description_fr"].required = True

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("capacity_min"), cleaned.get("capacity_max")
        if low is not None and high is not None and low > high:
            self.add_error("capacity_max", _("The maximum number of people must be at least the minimum."))
        return cleaned
