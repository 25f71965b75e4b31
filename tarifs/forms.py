"""Forms of the price pages. They parse input and put each rule's message next to its field; the
rules themselves are the functions of ``tarifs.services``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from common.forms import MoneyField as CommonMoneyField
from common.forms import add_service_errors
from hebergements.models import AgeBracket, Lodging
from tarifs import services
from tarifs.models import MAX_GROUP_PERSONS, MAX_STAY_NIGHTS, Promotion, StayPrice
from tarifs.selectors import DEFAULT_SORT, SORTS, StayPriceFilters

# The manual lists the arrival days from Saturday (the usual changeover day) to Friday.
WEEKDAY_CHOICES = [(day, capfirst(WEEKDAYS[day])) for day in (5, 6, 0, 1, 2, 3, 4)]
ALL_WEEKDAYS = [day for day, _label in WEEKDAY_CHOICES]


def nights_choices() -> list[tuple[int, str]]:
    return [
        (n, ngettext("%(count)s night", "%(count)s nights", n) % {"count": n})
        for n in range(1, MAX_STAY_NIGHTS + 1)
    ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MoneyField(CommonMoneyField):
    """Euros as the app shows them ("1 100,00") or as owners type them ("90.00", "90")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "money"}))
        super().__init__(**kwargs)


def _lodging_queryset():
    return Lodging.objects.active()


class LodgingChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Lodging.objects.none())
        kwargs.setdefault("label", _("Lodging"))
        kwargs.setdefault(
            "error_messages",
            {"required": _("Choose the lodging."), "invalid_choice": _("Choose the lodging.")},
        )
        super().__init__(**kwargs)


# ---------------------------------------------------------------------------------------------
# Pricing block, shared by "Créer des tarifs" and "Modifier" a row


class PricingForm(forms.Form):
    """Saisissez vos tarifs: a price for the whole lodging, a price by number of people, or a price
    per occupant by age bracket, with an optional discount in euros or in percent."""

    mode = forms.ChoiceField(
        label=_("Pricing"),
        choices=StayPrice.Mode.choices,
        initial=StayPrice.Mode.LODGING,
        widget=forms.RadioSelect,
    )
    initial_price = MoneyField(
        label=_("Initial price"),
        required=False,
        help_text=_("The price of the whole stay, for the length chosen above."),
    )
    has_discount = forms.BooleanField(label=_("Enter a discount?"), required=False)
    discount = MoneyField(
        label=_("Discount"),
        required=False,
        help_text=_(
            "In euros, or in percent when the box below is ticked. With a price per occupant, it "
            "applies to each paying occupant."
        ),
    )
    discount_is_percent = forms.BooleanField(label=_("Apply a discount percentage"), required=False)

    def __init__(self, *args, brackets: list[AgeBracket], max_persons: int = 0, lodging=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.brackets = brackets
        self.lodging = lodging  # the lodging priced, when the form has no lodging field
        self.max_persons = min(max_persons, MAX_GROUP_PERSONS)
        for persons in range(1, self.max_persons + 1):
            self.fields[self.group_field(persons)] = MoneyField(
                label=ngettext("%(count)s person", "%(count)s people", persons) % {"count": persons},
                required=False,
            )
        for bracket in brackets:
            self.fields[self.bracket_field(bracket)] = MoneyField(
                label=_("%(bracket)s (%(low)s to %(high)s years)")
                % {"bracket": bracket.label_fr, "low": bracket.age_min, "high": bracket.age_max},
                required=False,
                help_text=_("Price of the stay per occupant; 0 if free."),
            )
        self.amounts: services.Amounts | None = None
        self.bracket_results: dict[AgeBracket, services.Amounts] = {}
        self.group_results: dict[int, services.Amounts] = {}

    @staticmethod
    def bracket_field(bracket: AgeBracket) -> str:
        return f"bracket_{bracket.pk}"

    @staticmethod
    def group_field(persons: int) -> str:
        return f"group_{persons}"

    def group_fields(self):
        return [self[self.group_field(persons)] for persons in range(1, self.max_persons + 1)]

    def priced_lodging(self):
        return self.cleaned_data.get("lodging") or self.lodging

    def bracket_fields(self):
        return [self[self.bracket_field(bracket)] for bracket in self.brackets]

    @property
    def discount_value(self) -> services.Discount:
        data = self.cleaned_data
        if not data.get("has_discount") or data.get("discount") is None:
            return services.NO_DISCOUNT
        return services.Discount(value=data["discount"], percent=bool(data.get("discount_is_percent")))

    def clean(self):
        cleaned = super().clean()
        if "discount" in self.errors:
            return cleaned
        discount = self.discount_value
        if cleaned.get("mode") == StayPrice.Mode.PER_PERSON:
            self._clean_brackets(discount)
        elif cleaned.get("mode") == StayPrice.Mode.PER_GROUP:
            self._clean_groups(discount)
        elif cleaned.get("mode") == StayPrice.Mode.LODGING:
            price = cleaned.get("initial_price")
            if price is None:
                if "initial_price" not in self.errors:
                    self.add_error("initial_price", _("Enter the price."))
                return cleaned
            try:
                self.amounts = services.stay_amounts(initial_price=price, discount=discount)
            except ValidationError as error:
                add_service_errors(error, self)
        return cleaned

    def _clean_brackets(self, discount: services.Discount) -> None:
        if not self.brackets:
            self.add_error("mode", _("Define your age brackets before pricing per occupant."))
            return
        prices: dict[AgeBracket, Decimal] = {}
        for bracket in self.brackets:
            name = self.bracket_field(bracket)
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if value is None:
                self.add_error(name, _("Enter the price for this age bracket (0 if free)."))
                continue
            try:
                price = services.price_check(value, allow_zero=True)
                if price:
                    services.discount_amount(price=price, discount=discount)
            except ValidationError as error:
                self.add_error("discount" if (error.code or "").startswith("discount") else name, error)
                continue
            prices[bracket] = value
        if self.errors or len(prices) != len(self.brackets):
            return
        try:
            self.bracket_results = services.bracket_amounts(prices=prices, discount=discount)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                target = name if name in self.fields else self.bracket_field(self.brackets[0])
                self.add_error(target, errors)

    def _clean_groups(self, discount: services.Discount) -> None:
        """A price for each number of people the lodging sleeps (its minimum to its maximum)."""
        lodging = self.priced_lodging()
        if lodging is None:
            return  # "Choose the lodging." is already next to its field
        high = min(lodging.capacity_max, self.max_persons)
        prices: dict[int, Decimal] = {}
        for persons in range(lodging.capacity_min, high + 1):
            name = self.group_field(persons)
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if value is None:
                self.add_error(
                    name,
                    ngettext(
                        "Enter the price for %(count)s person.",
                        "Enter the price for %(count)s people.",
                        persons,
                    )
                    % {"count": persons},
                )
                continue
            try:
                price = services.price_check(value)
                services.discount_amount(price=price, discount=discount)
            except ValidationError as error:
                self.add_error("discount" if (error.code or "").startswith("discount") else name, error)
                continue
            prices[persons] = value
        if self.errors:
            return
        try:
            self.group_results = services.group_amounts(prices=prices, lodging=lodging, discount=discount)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                target = name if name in self.fields else self.group_field(lodging.capacity_min)
                self.add_error(target if target in self.fields else None, errors)

    def pricing_kwargs(self) -> dict:
        """The pricing arguments of ``stay_prices_generate`` / ``stay_price_update``."""
        discount = self.discount_value
        if self.cleaned_data["mode"] == StayPrice.Mode.PER_GROUP:
            return {
                "group_prices": {
                    persons: amounts.initial_price for persons, amounts in self.group_results.items()
                },
                "discount": discount,
            }
        if self.cleaned_data["mode"] == StayPrice.Mode.PER_PERSON:
            return {
                "bracket_prices": {b: self.cleaned_data[self.bracket_field(b)] for b in self.brackets},
                "discount": discount,
            }
        return {"initial_price": self.cleaned_data["initial_price"], "discount": discount}


class StayPriceGenerateForm(PricingForm):
    """ "Créer pour plusieurs séjours" (the periods are a formset next to it)."""

    lodging = LodgingChoiceField()
    nights = forms.IntegerField(
        label=_("Length of the stays"),
        initial=7,
        error_messages={
            "required": _("Choose the length of the stays."),
            "invalid": _("Choose the length of the stays."),
        },
    )
    all_weekdays = forms.BooleanField(label=_("Select all"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Possible arrival days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["lodging", "nights", "all_weekdays", "weekdays"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = _lodging_queryset()
        self.fields["nights"].widget = forms.Select(choices=nights_choices())

    def clean_nights(self) -> int:
        nights = self.cleaned_data["nights"]
        services.nights_check(nights)
        return nights

    def clean_weekdays(self) -> list[int]:
        if self.cleaned_data.get("all_weekdays"):
            return list(ALL_WEEKDAYS)
        days = self.cleaned_data.get("weekdays") or []
        if not days:
            raise ValidationError(_("Tick at least one arrival day."))
        return days


class PeriodForm(forms.Form):
    """One "Période d'application du prix": from the first arrival day to the last departure day."""

    start = forms.DateField(
        label=pgettext_lazy("period", "from"),
        widget=DateInput,
        error_messages={"required": _("Enter the first day.")},
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "to"),
        widget=DateInput,
        error_messages={"required": _("Enter the last day.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                services.period_check(start=start, end=end)
            except ValidationError as error:
                self.add_error("end", error)
        return cleaned


class BasePeriodFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.periods:
            raise ValidationError(_("Enter at least one period."))

    @property
    def periods(self) -> list[tuple[date, date]]:
        return [
            (form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.cleaned_data.get("start") and form.cleaned_data.get("end")
        ]


PeriodFormSet = forms.formset_factory(
    PeriodForm,
    formset=BasePeriodFormSet,
    extra=0,
    min_num=1,
    max_num=services.MAX_PERIODS,
    validate_max=True,
)


class PercentField(forms.DecimalField):
    """A percentage as owners type it ("10", "10,5"); empty is 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "percent"}))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Enter a percentage, for example 10."),
                "max_digits": _("Enter a percentage, for example 10."),
                "max_decimal_places": _("Enter a percentage with at most two decimals."),
                "max_whole_digits": _("A discount percentage is at least 0 and less than 100."),
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return Decimal(0) if value is None else value


def nights_field(label, initial: int, help_text=""):
    return forms.IntegerField(
        label=label,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_STAY_NIGHTS, "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter a number of nights."),
            "invalid": _("Enter a number of nights."),
        },
    )


class NightlyPriceForm(forms.Form):
    """ "Créer des tarifs" by the night: a price per night over periods, for every length from the
    minimum to the maximum stay, with optional weekly and monthly discounts; the stays are the
    same stored prices as the other entry (``services.stay_prices_generate(nightly=…)``)."""

    lodging = LodgingChoiceField()
    nightly_price = MoneyField(
        label=_("Price per night"),
        error_messages={"required": _("Enter the price per night.")},
    )
    min_nights = nights_field(_("Minimum stay (nights)"), 2)
    max_nights = nights_field(
        _("Maximum stay (nights)"),
        30,
        help_text=_("Every length from the minimum to the maximum gets a price (at most %(max)s nights).")
        % {"max": MAX_STAY_NIGHTS},
    )
    all_weekdays = forms.BooleanField(label=_("Select all"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Possible arrival days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekly_percent = PercentField(
        label=_("Weekly discount (%)"),
        help_text=_("Off stays of %(from)s nights or more. Leave empty for none.")
        % {"from": services.WEEKLY_FROM},
    )
    monthly_percent = PercentField(
        label=_("Monthly discount (%)"),
        help_text=_(
            "Off stays of %(from)s nights or more, instead of the weekly discount. Leave empty for none."
        )
        % {"from": services.MONTHLY_FROM},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = _lodging_queryset()
        self.rule: services.NightlyRule | None = None

    def clean_weekdays(self) -> list[int]:
        if self.cleaned_data.get("all_weekdays"):
            return list(ALL_WEEKDAYS)
        days = self.cleaned_data.get("weekdays") or []
        if not days:
            raise ValidationError(_("Tick at least one arrival day."))
        return days

    def clean(self):
        cleaned = super().clean()
        names = ("nightly_price", "min_nights", "max_nights", "weekly_percent", "monthly_percent")
        if any(name in self.errors or cleaned.get(name) is None for name in names):
            return cleaned
        rule = services.NightlyRule(**{name: cleaned[name] for name in names})
        try:
            services.nightly_rule_check(rule)
        except ValidationError as error:
            add_service_errors(error, self)
        else:
            self.rule = rule
        return cleaned


class StayPriceUpdateForm(PricingForm):
    """ "Modifier" one row of "Voir les tarifs"."""

    @classmethod
    def initial_for(cls, stay_price: StayPrice) -> dict:
        initial: dict = {"mode": stay_price.mode}
        if stay_price.mode == StayPrice.Mode.PER_GROUP:
            rows = list(stay_price.group_prices.all())
            for row in rows:
                initial[f"group_{row.persons}"] = row.initial_price
            amounts = {row.discount for row in rows}
            if amounts and amounts != {Decimal("0")}:
                percents = {
                    (row.discount * 100 / row.initial_price).quantize(Decimal("0.01")) for row in rows
                }
                if len(amounts) == 1:
                    initial.update(has_discount=True, discount=amounts.pop())
                elif len(percents) == 1:
                    initial.update(has_discount=True, discount=percents.pop(), discount_is_percent=True)
                else:
                    initial.update(has_discount=True, discount=max(amounts))
        elif stay_price.mode == StayPrice.Mode.LODGING:
            initial["initial_price"] = stay_price.initial_price
            if stay_price.discount:
                initial.update(has_discount=True, discount=stay_price.discount)
        else:
            rows = list(stay_price.bracket_prices.all())
            for row in rows:
                initial[f"bracket_{row.age_bracket_id}"] = row.initial_price
            paying = [row for row in rows if row.initial_price]
            amounts = {row.discount for row in paying}
            percents = {(row.discount * 100 / row.initial_price).quantize(Decimal("0.01")) for row in paying}
            if amounts and amounts != {Decimal("0")}:
                if len(amounts) == 1:  # the same amount off per paying occupant
                    initial.update(has_discount=True, discount=amounts.pop())
                elif len(percents) == 1:  # the same percentage off every bracket
                    initial.update(has_discount=True, discount=percents.pop(), discount_is_percent=True)
                else:
                    initial.update(has_discount=True, discount=max(amounts))
        return initial


# ---------------------------------------------------------------------------------------------
# "Voir les tarifs" filters


class StayPriceFilterForm(forms.Form):
    lodging = LodgingChoiceField(required=False, empty_label=None)
    date_from = forms.DateField(label=_("Viewing period: from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=pgettext_lazy("period", "to"), required=False, widget=DateInput)
    all_weekdays = forms.BooleanField(label=_("Select all"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Start days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nights = forms.TypedChoiceField(
        label=pgettext_lazy("stay", "Length"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = _lodging_queryset()
        self.fields["nights"].choices = [("", pgettext_lazy("stay length", "Any"))] + nights_choices()
        self.fields["sort"].choices = [(key, key) for name in SORTS for key in (name, f"-{name}")]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self, default_lodging: Lodging | None) -> StayPriceFilters:
        """The filters to apply: the valid ones typed, the defaults for the rest."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        weekdays = data.get("weekdays") or []
        if data.get("all_weekdays") or not weekdays:
            weekdays = ALL_WEEKDAYS
        return StayPriceFilters(
            lodging=data.get("lodging") or default_lodging,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            weekdays=weekdays,
            nights=data.get("nights"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


# ---------------------------------------------------------------------------------------------
# "Créer des promos"


class PromotionForm(forms.ModelForm):
    lodging = LodgingChoiceField()

    class Meta:
        model = Promotion
        fields = ["lodging", "kind", "percent", "days", "valid_from", "valid_to", "active"]
        widgets = {
            "kind": forms.RadioSelect,
            "valid_from": DateInput,
            "valid_to": DateInput,
        }
        labels = {
            "kind": _("I want to add a promotion"),
            "percent": _("Discount to apply (%)"),
            "days": _("Number of days"),
            "valid_from": _("Valid from"),
            "valid_to": _("Valid until"),
            "active": pgettext_lazy("promotion", "Active"),
        }
        help_texts = {
            "days": _(
                "Last minute: the stay starts in less than this number of days. Early booking: it "
                "starts in more than this number of days."
            ),
            "valid_from": _(
                "The promotion is offered during this period. Leave the dates empty for a promotion "
                "offered at any time."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lodging"].queryset = _lodging_queryset()
        self.fields["kind"].choices = [
            (Promotion.Kind.LAST_MINUTE, _("For last-minute bookings")),
            (Promotion.Kind.EARLY_BOOKING, _("For bookings of stays far ahead")),
        ]
        self.fields["percent"].localize = True
        self.fields["percent"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["percent"].error_messages.update(
            {
                "min_value": _("The discount must be greater than 0 %%."),
                "max_value": _("The discount cannot be more than 100 %%."),
            }
        )
        self.fields["days"].error_messages.update(
            {"min_value": _("Enter at least 1 day."), "max_value": _("Enter at most 730 days.")}
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end:
            try:
                services.promotion_period_check(valid_from=start, valid_to=end)
            except ValidationError as error:
                self.add_error("valid_to", error)
        return cleaned
