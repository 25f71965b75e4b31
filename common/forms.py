"""Forms: project-wide rendering, and the one helper that puts a service's errors on a form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


def has_control_characters(value: str) -> bool:
    """Control characters other than tab, newline and carriage return (NUL, \x01, \x0b…)."""
    return any((ord(ch) < 32 and ch not in "\t\n\r") or ch == "\x7f" for ch in value)


def refuse_control_characters(value) -> None:
    """Validator of every text field (``CommonConfig.ready``)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(
            _("Remove the control characters (invisible characters pasted with the text) from this field."),
            code="control_characters",
        )


def refuse_dates_out_of_range(value) -> None:
    """Validator of every date field (``CommonConfig.ready``)."""
    from common.params import EARLIEST, LATEST

    if isinstance(value, date) and not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": EARLIEST.strftime("%d/%m/%Y"), "last": LATEST.strftime("%d/%m/%Y")},
            code="date_out_of_range",
        )


class FormRenderer(TemplatesSetting):
    """Every field shows its label, help and errors next to it."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


FieldTarget = tuple[forms.BaseForm, str | None]


def add_service_errors(
    error: ValidationError,
    *forms_: forms.BaseForm,
    fields: Mapping[str, FieldTarget] | None = None,
    return_unknown: bool = False,
) -> list[str]:
    """Show a service's ``ValidationError`` next to the fields it names.

    A name is looked up in ``fields`` first ({service name: (form, field name, or None for the top
    of that form)}), then among the fields of ``forms_`` in order. Errors naming no field go on top
    of the first form, and so do errors naming a field found nowhere — unless ``return_unknown``:
    those are then returned for the caller to show where they belong (e.g. under a formset).
    """
    targets = dict(fields or {})
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    first = forms_[0] if forms_ else next(iter(targets.values()))[0]
    unknown: list[str] = []
    for name, messages in errors.items():
        if name in targets:
            form, field = targets[name]
            form.add_error(field, messages)
            continue
        form = next((form for form in forms_ if name in form.fields), None)
        if form is not None:
            form.add_error(name, messages)
        elif name != NON_FIELD_ERRORS and return_unknown:
            unknown.extend(messages)
        else:
            first.add_error(None, messages)
    return unknown


class MoneyField(forms.DecimalField):
    """Every amount field of the app: accepts what the app itself shows ("1 100,00" with normal,
    no-break or narrow no-break spaces) and what owners type ("1100.00", "1100", "1100,5"); one
    parser, ``common.money.parse_amount``. Shown the French way ("1100,00")."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        from common.money import parse_amount

        if value in self.empty_values:
            return None
        try:
            return parse_amount(str(value).strip())
        except (ValueError, ArithmeticError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
