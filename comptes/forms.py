from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from comptes.models import (
    ContractSettings,
    DepositKind,
    DepositRule,
    MailSettings,
    Provider,
    ProviderSettings,
    User,
)
from comptes.services import SALES_TERMS_FIELDS


class LoginForm(AllauthLoginForm):
    """allauth's e-mail login, with the manual's words ("Rester connecté")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Stay signed in")
        self.fields["login"].label = _("E-mail")
        self.fields["password"].label = _("Password")


class ProviderContactForm(forms.ModelForm):
    """ "Vos coordonnées" (Modifier mes coordonnées, and the wizard's first tab)."""

    class Meta:
        model = Provider
        fields = [
            "company",
            "civility",
            "last_name",
            "first_name",
            "address",
            "postcode",
            "city",
            "country",
            "phone1",
            "phone2",
            "fax",
            "email",
            "website",
        ]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}


class AdvancedSettingsForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["min_stay_nights", "always_desktop"]
        help_texts = {
            "min_stay_nights": _("1 night (recommended value)"),
            "always_desktop": _("When ticked, the mobile version is never used, even on a small screen."),
        }


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label=_("Enter your current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is not correct."))
        return password


class ChangeEmailForm(CurrentPasswordMixin):
    new_email = forms.EmailField(label=_("Enter your new e-mail address"))

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("This e-mail address is already used by another account."))
        return email


class ChangePasswordForm(CurrentPasswordMixin):
    new_password1 = forms.CharField(
        label=_("Enter your new password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("Confirm your new password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


# --- PARAMÈTRES ---------------------------------------------------------------------------------

TEXTAREA = {"rows": 5}
LONG_TEXTAREA = {"rows": 12}
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _choice_bool(label, true_label, false_label):
    """A yes/no model field shown as two radio buttons (the manual's wording for each)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[(False, false_label), (True, true_label)],
        coerce=lambda value: value in (True, "True", "true", "1"),
        widget=forms.RadioSelect,
    )


def _localize_decimal(field: forms.DecimalField) -> None:
    """French decimals: "25,5" is accepted and "25,00" shown."""
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    field.widget.is_localized = True


class SalesTermsForm(forms.ModelForm):
    """Modalités de vente (the proximity rules are a formset next to it)."""

    use_proximity_rules = _choice_bool(
        _("Percentage depending on the stay"),
        _("apply a different percentage depending on how close the stay is"),
        _("always use the default percentage"),
    )

    class Meta:
        model = ProviderSettings
        fields = list(SALES_TERMS_FIELDS)
        widgets = {
            "deposit_kind": forms.RadioSelect,
            "booking_delay": forms.RadioSelect,
            "expired_options": forms.RadioSelect,
            "public_contact": forms.RadioSelect,
            "booking_delay_hour": TIME_INPUT,
            "terms_fr": forms.Textarea(attrs=LONG_TEXTAREA),
            "terms_en": forms.Textarea(attrs=LONG_TEXTAREA),
            "optin_text_fr": forms.Textarea(attrs=TEXTAREA),
            "optin_text_en": forms.Textarea(attrs=TEXTAREA),
            "privacy_text_fr": forms.Textarea(attrs=TEXTAREA),
            "privacy_text_en": forms.Textarea(attrs=TEXTAREA),
        }
        labels = {
            "deposit_kind": _("You ask for a payment of"),
            "deposit_percent": _("Default percentage (%)"),
            "booking_delay": _("Booking allowed for a stay starting"),
            "booking_delay_hour": _("Latest time"),
            "booking_delay_days": _("Minimum number of days"),
            "terms_fr": _("Terms of sale"),
            "terms_en": _("Terms of sale in English"),
            "optin_text_fr": _("Text the guest accepts"),
            "optin_text_en": _("Text the guest accepts, in English"),
            "optin_link": _("Link to a document"),
            "privacy_text_fr": _("Information shown to the guest"),
            "privacy_text_en": _("Information shown to the guest, in English"),
            "privacy_link": _("Link to a document"),
        }
        help_texts = {
            "online_booking": _("The terms of sale are mandatory for online booking."),
            "expired_options": _(
                "An online pre-booking holds its dates until its deposit is due (see your contract "
                "settings: deposit due N days after the option)."
            ),
            "terms_en": _("Left empty, the French terms are shown to English-speaking guests."),
            "optin_enabled": _("The guest must give their consent to continue their order."),
            "optin_text_fr": _(
                "Example: By ticking this box, I agree that my data may be used to receive commercial offers."
            ),
            "privacy_text_fr": _(
                "Your role in processing personal data, its purpose, your privacy policy… "
                "Shown before the guest completes their booking."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit_kind"].choices = [
            (DepositKind.ARRHES, _("arrhes (non-binding deposit)")),
            (DepositKind.ACOMPTE, _("acompte (binding down payment)")),
        ]
        self.fields["booking_delay_hour"].required = False
        self.fields["booking_delay_days"].required = False
        _localize_decimal(self.fields["deposit_percent"])


class DepositRuleForm(forms.ModelForm):
    """ "If the stay starts in less than N days, the percentage is X %"."""

    class Meta:
        model = DepositRule
        fields = ["days_before", "percent"]
        labels = {
            "days_before": _("If the stay starts in less than (days)"),
            "percent": _("the percentage is (%)"),
        }
        error_messages = {
            "days_before": {"min_value": _("Enter a number of days of at least 1.")},
            "percent": {
                "min_value": _("Enter a percentage between 0 and 100."),
                "max_value": _("Enter a percentage between 0 and 100."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days_before"].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        _localize_decimal(self.fields["percent"])


DepositRuleFormSet = forms.formset_factory(DepositRuleForm, extra=0, can_delete=True, max_num=50)


def rules_from_formset(formset) -> list[dict]:
    """The rules kept in a valid formset (rows ticked "Delete" or left blank are dropped)."""
    return [
        {"days_before": form.cleaned_data["days_before"], "percent": form.cleaned_data["percent"]}
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and form.cleaned_data.get("days_before") is not None
    ]


class ContractDeadlinesForm(forms.ModelForm):
    """ "Paramètres" of Personnalisation des contrats (stored with the sales terms)."""

    class Meta:
        model = ProviderSettings
        fields = ["option_days", "balance_rule", "balance_days_before"]
        labels = {
            "option_days": _("Deposit payment deadline for an option (days after the option is created)"),
            "balance_rule": _("Balance payment"),
            "balance_days_before": _("Number of days before arrival"),
        }
        widgets = {"balance_rule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["balance_days_before"].required = False
        self.fields["option_days"].widget.attrs["min"] = 1
        self.fields["balance_days_before"].widget.attrs["min"] = 1
        if self.instance.deposit_kind == DepositKind.ARRHES:
            self.fields["option_days"].label = _(
                "Arrhes payment deadline for an option (days after the option is created)"
            )


class ContractSettingsForm(forms.ModelForm):
    """Personnalisation des contrats, parts 1 to 4."""

    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text=_("PNG, JPEG, GIF or WebP image, 2 MB at most."),
        error_messages={"invalid_image": _("The logo must be an image (PNG, JPEG, GIF or WebP).")},
    )

    class Meta:
        model = ContractSettings
        fields = [
            "identity",
            "slogan",
            "logo",
            "show_price_detail",
            "pay_by_cheque",
            "cheque_payable_to",
            "pay_by_holiday_vouchers",
            "pay_by_transfer",
            "iban",
            "bic",
            "pay_by_card_phone",
            "pay_online",
            "arrival_from",
            "arrival_until",
            "arrival_details_fr",
            "arrival_details_en",
            "departure_before",
            "departure_details_fr",
            "departure_details_en",
            "additional_information_fr",
            "additional_information_en",
            "request_signature",
            "option_signature_text_fr",
            "option_signature_text_en",
            "contract_signature_text_fr",
            "contract_signature_text_en",
            "politeness_fr",
            "politeness_en",
            "company_information",
            "option_state_text_fr",
            "option_state_text_en",
            "confirmed_state_text_fr",
            "confirmed_state_text_en",
            "paid_state_text_fr",
            "paid_state_text_en",
            "show_structure_description",
            "show_structure_images",
            "show_lodging_images",
            "show_terms",
        ]
        widgets = {
            "arrival_from": TIME_INPUT,
            "arrival_until": TIME_INPUT,
            "departure_before": TIME_INPUT,
            **{
                name: forms.Textarea(attrs=TEXTAREA)
                for name in (
                    "arrival_details_fr",
                    "arrival_details_en",
                    "departure_details_fr",
                    "departure_details_en",
                    "additional_information_fr",
                    "additional_information_en",
                    "option_signature_text_fr",
                    "option_signature_text_en",
                    "contract_signature_text_fr",
                    "contract_signature_text_en",
                    "politeness_fr",
                    "politeness_en",
                    "company_information",
                    "option_state_text_fr",
                    "option_state_text_en",
                    "confirmed_state_text_fr",
                    "confirmed_state_text_en",
                    "paid_state_text_fr",
                    "paid_state_text_en",
                )
            },
        }
        labels = {
            "identity": _("Your identity"),
            "slogan": _("Your slogan"),
            "show_price_detail": _("Show the price detail"),
            "pay_by_cheque": _("Bank cheque"),
            "cheque_payable_to": _("Payable to"),
            "pay_by_holiday_vouchers": _("Holiday vouchers (ANCV)"),
            "pay_by_transfer": _("Bank transfer"),
            "pay_by_card_phone": _("Card number sent by phone"),
            "pay_online": _("Online payment"),
            "arrival_from": _("Arrival from"),
            "arrival_until": _("until"),
            "arrival_details_fr": _("Details"),
            "arrival_details_en": _("Arrival details in English"),
            "departure_before": _("Departure before"),
            "departure_details_fr": _("Details"),
            "departure_details_en": _("Departure details in English"),
            "additional_information_fr": _("Additional information"),
            "additional_information_en": _("Additional information in English"),
            "request_signature": _("Ask for the signed contract to be returned"),
            "option_signature_text_fr": _("Signature request of a file in option"),
            "option_signature_text_en": _("Signature request of a file in option, in English"),
            "contract_signature_text_fr": _("Signature request of the contract"),
            "contract_signature_text_en": _("Signature request of the contract, in English"),
            "politeness_fr": _("Politeness formula"),
            "politeness_en": _("Politeness formula in English"),
            "company_information": _("Information about your company"),
            "option_state_text_fr": _("For a file in option"),
            "option_state_text_en": _("For a file in option, in English"),
            "confirmed_state_text_fr": _("For a confirmed file not paid in full"),
            "confirmed_state_text_en": _("For a confirmed file not paid in full, in English"),
            "paid_state_text_fr": _("For a confirmed file paid in full"),
            "paid_state_text_en": _("For a confirmed file paid in full, in English"),
            "show_structure_description": _("Show the description of the structure in the booking file"),
            "show_structure_images": _("Show the images of the structure in the booking file"),
            "show_lodging_images": _("Show the images of the lodgings in the booking file"),
            "show_terms": _("Show the terms of sale in the booking file"),
        }
        help_texts = {
            "identity": _("e.g. PETIT COIN DE PARADIS. Left empty, your name is used."),
            "slogan": _("e.g. Un clic et le voyage est à vous"),
            "cheque_payable_to": _("Left empty, your name is used."),
            "pay_online": _("Available once online payment is active (Settings › Secure payment)."),
            "additional_information_fr": _(
                "Always shown on the booking documents, e.g. the tourist tax asked on arrival."
            ),
            "company_information": _("e.g. SIRET number, legal form."),
            "option_state_text_fr": _("A deposit is awaited."),
            "confirmed_state_text_fr": _("A deposit was received, the balance is still due."),
            "show_terms": _("Attaching your terms of sale to the booking file is mandatory."),
        }


class MailSettingsForm(forms.ModelForm):
    """Personnalisation des mails."""

    languages = forms.TypedMultipleChoiceField(
        label=_("Languages managed"),
        choices=MailSettings.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the languages in which you have customised (or will customise) your documents."),
        error_messages={"required": _("Choose at least one language.")},
    )

    class Meta:
        model = MailSettings
        fields = [
            "footer",
            "footer_custom",
            "copy_to",
            "internet_booking_mail",
            "languages",
            "booking_subject_fr",
            "booking_intro_fr",
            "booking_politeness_fr",
            "booking_subject_en",
            "booking_intro_en",
            "booking_politeness_en",
            "option_subject_fr",
            "option_intro_fr",
            "option_subject_en",
            "option_intro_en",
            "remind_clients_by_mail",
        ]
        widgets = {
            "footer": forms.RadioSelect,
            "internet_booking_mail": forms.RadioSelect,
            **{
                name: forms.Textarea(attrs=TEXTAREA)
                for name in (
                    "footer_custom",
                    "booking_intro_fr",
                    "booking_intro_en",
                    "booking_politeness_fr",
                    "booking_politeness_en",
                    "option_intro_fr",
                    "option_intro_en",
                )
            },
        }
        labels = {
            "footer": _("Mail footer"),
            "footer_custom": _("Custom footer"),
            "copy_to": _("Send a copy to"),
            "internet_booking_mail": _("Choose the type of mail to send"),
            "booking_subject_fr": _("Subject"),
            "booking_subject_en": _("Subject in English"),
            "booking_intro_fr": _("Introduction text"),
            "booking_intro_en": _("Introduction text in English"),
            "booking_politeness_fr": _("Politeness formula"),
            "booking_politeness_en": _("Politeness formula in English"),
            "option_subject_fr": _("Subject"),
            "option_subject_en": _("Subject in English"),
            "option_intro_fr": _("Introduction text"),
            "option_intro_en": _("Introduction text in English"),
            "remind_clients_by_mail": _("Also send the payment reminders to the client by e-mail"),
        }
        help_texts = {
            "copy_to": _("Each mail sent to a client is also sent to this address."),
            "remind_clients_by_mail": _(
                "Every day, the files whose deposit or balance is late appear in “My reminders” on "
                "your dashboard. Ticked, the client also receives one reminder mail per due date."
            ),
            "internet_booking_mail": _(
                "With a notification only, you send the booking file yourself from the file."
            ),
        }


class PaymentSettingsForm(forms.Form):
    """Paiement sécurisé: the online payment identifier."""

    online_account_id = forms.CharField(
        label=_("Your online payment identifier"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
