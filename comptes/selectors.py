"""Read side of the PARAMÈTRES pages, for the booking flows, the contract PDF and the mails.

Every function runs inside the provider's scope (a back-office request, or ``provider_scope`` in a
task) and takes the document language (``"fr"`` or ``"en"``). A text the owner left empty in
English falls back to the French one. Settings rows are created with the provider
(``comptes.services.provider_create``); a missing row is created here with the defaults.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.masking import mask_reference, masking_active
from comptes.models import (
    ContractSettings,
    DepositRule,
    MailSettings,
    PaymentSettings,
    Provider,
    ProviderSettings,
)

LANGUAGES = ("fr", "en")
FILE_STATES = ("option", "confirmed", "paid")


def _language(language: str | None) -> str:
    code = (language or "fr")[:2].lower()
    return code if code in LANGUAGES else "fr"


def _row(model, provider: Provider):
    """The provider's settings row, created with its defaults when missing (in assist mode, which
    writes nothing: an unsaved row with the defaults)."""
    from comptes.assist import is_read_only

    if is_read_only():
        return model.objects.filter(provider=provider).first() or model(provider=provider)
    row, _created = model.objects.get_or_create(provider=provider)
    return row


def _text(row, name: str, language: str) -> str:
    """``row.<name>_<language>``, or the French text when that one is empty."""
    value = getattr(row, f"{name}_{language}", "")
    return value or getattr(row, f"{name}_fr", "")


def provider_settings(provider: Provider) -> ProviderSettings:
    return _row(ProviderSettings, provider)


def contract_settings(provider: Provider) -> ContractSettings:
    return _row(ContractSettings, provider)


def mail_settings(provider: Provider) -> MailSettings:
    return _row(MailSettings, provider)


def payment_settings(provider: Provider) -> PaymentSettings:
    return _row(PaymentSettings, provider)


def deposit_rules(provider: Provider) -> list[DepositRule]:
    """The proximity rules, nearest stays first ("less than 1 day → 100 %")."""
    return list(DepositRule.objects.filter(provider=provider).order_by("days_before"))


# --- Modalités de vente -------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesTerms:
    deposit_kind: str
    deposit_percent: Decimal
    use_proximity_rules: bool
    rules: tuple[tuple[int, Decimal], ...]
    booking_delay: str
    booking_delay_hour: datetime.time | None
    booking_delay_days: int
    online_booking: bool
    terms: str
    optin_enabled: bool
    optin_text: str
    optin_link: str
    privacy_enabled: bool
    privacy_text: str
    privacy_link: str

    @property
    def online_booking_allowed(self) -> bool:
        """Online booking needs the owner's request and terms of sale."""
        return self.online_booking and bool(self.terms)


def sales_terms_for(provider: Provider, language: str = "fr") -> SalesTerms:
    language = _language(language)
    settings = provider_settings(provider)
    return SalesTerms(
        deposit_kind=settings.deposit_kind,
        deposit_percent=settings.deposit_percent,
        use_proximity_rules=settings.use_proximity_rules,
        rules=tuple((rule.days_before, rule.percent) for rule in deposit_rules(provider)),
        booking_delay=settings.booking_delay,
        booking_delay_hour=settings.booking_delay_hour,
        booking_delay_days=settings.booking_delay_days,
        online_booking=settings.online_booking,
        terms=_text(settings, "terms", language),
        optin_enabled=settings.optin_enabled,
        optin_text=_text(settings, "optin_text", language) if settings.optin_enabled else "",
        optin_link=settings.optin_link if settings.optin_enabled else "",
        privacy_enabled=settings.privacy_enabled,
        privacy_text=_text(settings, "privacy_text", language) if settings.privacy_enabled else "",
        privacy_link=settings.privacy_link if settings.privacy_enabled else "",
    )


# --- Paiement sécurisé --------------------------------------------------------------------------


def online_payment_active(provider: Provider) -> bool:
    return payment_settings(provider).is_active


# --- Personnalisation des contrats --------------------------------------------------------------


@dataclass(frozen=True)
class PaymentMode:
    code: str  # cheque, holiday_vouchers, transfer, card_phone, online
    label: str
    detail: str = ""


def _format_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _payment_modes(provider: Provider, contract: ContractSettings, language: str) -> tuple[PaymentMode, ...]:
    modes = []
    with translation.override(language):
        if contract.pay_by_cheque:
            payee = contract.cheque_payable_to or provider.company or provider.display_name
            modes.append(
                PaymentMode("cheque", _("Bank or postal cheque"), _("payable to: %(name)s") % {"name": payee})
            )
        if contract.pay_by_holiday_vouchers:
            modes.append(PaymentMode("holiday_vouchers", _("ANCV holiday vouchers")))
        if contract.pay_by_transfer and contract.iban:
            iban = mask_reference(contract.iban) if masking_active() else _format_iban(contract.iban)
            detail = _("IBAN: %(iban)s") % {"iban": iban}
            if contract.bic:
                detail += " – " + _("BIC: %(bic)s") % {"bic": contract.bic}
            modes.append(PaymentMode("transfer", pgettext("payment mode", "Bank transfer"), detail))
        if contract.pay_by_card_phone:
            modes.append(PaymentMode("card_phone", _("Card number sent by phone")))
        if contract.pay_online and online_payment_active(provider):
            modes.append(PaymentMode("online", _("Online payment")))
    return tuple(modes)


def payment_modes_offered(provider: Provider, language: str = "fr") -> tuple[PaymentMode, ...]:
    """The payment modes ticked on "Personnalisation des contrats", in the contract's order; online
    payment only while it is active on "Paiement sécurisé"."""
    return _payment_modes(provider, contract_settings(provider), _language(language))


def format_time(value: datetime.time | None, language: str = "fr") -> str:
    """16h00 in French (the manual's contract), 16:00 in English."""
    if value is None:
        return ""
    return f"{value.hour}h{value.minute:02d}" if _language(language) == "fr" else f"{value:%H:%M}"


def _arrival_sentence(contract: ContractSettings, language: str) -> str:
    start, end = format_time(contract.arrival_from, language), format_time(contract.arrival_until, language)
    with translation.override(language):
        if start and end:
            return _("Your arrival: between %(start)s and %(end)s.") % {"start": start, "end": end}
        if start:
            return _("Your arrival: from %(start)s.") % {"start": start}
        if end:
            return _("Your arrival: before %(end)s.") % {"end": end}
    return ""


def _departure_sentence(contract: ContractSettings, language: str) -> str:
    if contract.departure_before is None:
        return ""
    with translation.override(language):
        return _("Your departure: before %(time)s.") % {
            "time": format_time(contract.departure_before, language)
        }


@dataclass(frozen=True)
class ContractView:
    """Everything the booking documents need from the PARAMÈTRES pages, in one language."""

    language: str
    # Paramètres (ProviderSettings)
    deposit_kind: str
    option_days: int
    balance_rule: str
    balance_days_before: int
    # Partie 1
    identity: str
    slogan: str
    logo: FieldFile | None
    # Partie 2
    show_price_detail: bool
    payment_modes: tuple[PaymentMode, ...]
    arrival_from: datetime.time | None
    arrival_until: datetime.time | None
    departure_before: datetime.time | None
    arrival_sentence: str
    departure_sentence: str
    arrival_details: str
    departure_details: str
    additional_information: str
    request_signature: bool
    option_signature_text: str
    contract_signature_text: str
    politeness: str
    company_information: str
    state_texts: dict[str, str] = field(default_factory=dict)
    # Parties 3 et 4
    show_structure_description: bool = True
    show_structure_images: bool = False
    show_lodging_images: bool = False
    show_terms: bool = True
    terms: str = ""

    def state_text(self, state: str) -> str:
        """The owner's text for a file in option, confirmed (not paid in full) or paid."""
        if state not in FILE_STATES:
            raise ValueError(f"Unknown file state {state!r}; expected one of {FILE_STATES}.")
        return self.state_texts.get(state, "")

    def signature_text(self, *, option: bool) -> str:
        """The signature request block, or "" when the owner does not ask for the signed contract."""
        if not self.request_signature:
            return ""
        return self.option_signature_text if option else self.contract_signature_text


def contract_settings_for(provider: Provider, language: str = "fr") -> ContractView:
    """The contract / option proposal settings with their defaults, in ``language``."""
    language = _language(language)
    settings = provider_settings(provider)
    contract = contract_settings(provider)
    return ContractView(
        language=language,
        deposit_kind=settings.deposit_kind,
        option_days=settings.option_days,
        balance_rule=settings.balance_rule,
        balance_days_before=settings.balance_days_before,
        identity=contract.identity or provider.company or provider.display_name,
        slogan=contract.slogan,
        logo=contract.logo if contract.logo else None,
        show_price_detail=contract.show_price_detail,
        payment_modes=_payment_modes(provider, contract, language),
        arrival_from=contract.arrival_from,
        arrival_until=contract.arrival_until,
        departure_before=contract.departure_before,
        arrival_sentence=_arrival_sentence(contract, language),
        departure_sentence=_departure_sentence(contract, language),
        arrival_details=_text(contract, "arrival_details", language),
        departure_details=_text(contract, "departure_details", language),
        additional_information=_text(contract, "additional_information", language),
        request_signature=contract.request_signature,
        option_signature_text=_text(contract, "option_signature_text", language),
        contract_signature_text=_text(contract, "contract_signature_text", language),
        politeness=_text(contract, "politeness", language),
        company_information=contract.company_information,
        state_texts={
            "option": _text(contract, "option_state_text", language),
            "confirmed": _text(contract, "confirmed_state_text", language),
            "paid": _text(contract, "paid_state_text", language),
        },
        show_structure_description=contract.show_structure_description,
        show_structure_images=contract.show_structure_images,
        show_lodging_images=contract.show_lodging_images,
        show_terms=contract.show_terms,
        terms=_text(settings, "terms", language) if contract.show_terms else "",
    )


def file_state_text(provider: Provider, state: str, language: str = "fr") -> str:
    """ "Informations en fonction de l'état du dossier": ``state`` is option, confirmed or paid."""
    return contract_settings_for(provider, language).state_text(state)


# --- Personnalisation des mails -----------------------------------------------------------------


@dataclass(frozen=True)
class MailTexts:
    language: str
    footer: str
    copy_to: str
    sends_full_pdf: bool  # internet booking: the full file as a PDF (else a notification only)
    booking_subject: str
    booking_intro: str
    booking_politeness: str
    option_subject: str
    option_intro: str


def mail_footer_generated(provider: Provider, language: str = "fr") -> str:
    """The footer built from "Modifier mes coordonnées" (the manual's example footer)."""
    language = _language(language)
    place = " ".join(part for part in (provider.postcode, provider.city) if part)
    address = " - ".join(part for part in (provider.address, place, provider.country) if part)
    with translation.override(language):
        lines = [provider.company, provider.display_name, address]
        if provider.phone1:
            lines.append(_("Phone: %(phone)s") % {"phone": provider.phone1})
        if provider.email:
            lines.append(_("Mail: %(email)s") % {"email": provider.email})
        if provider.website:
            lines.append(_("Website: %(url)s") % {"url": provider.website})
    return "\n".join(line for line in lines if line)


def mail_texts(provider: Provider, language: str = "fr") -> MailTexts:
    """The texts of outgoing mails in ``language`` (intro, politeness, subjects, footer, copy)."""
    language = _language(language)
    mail = mail_settings(provider)
    footer = (
        mail.footer_custom
        if mail.footer == MailSettings.Footer.CUSTOM and mail.footer_custom
        else mail_footer_generated(provider, language)
    )
    return MailTexts(
        language=language,
        footer=footer,
        copy_to=mail.copy_to,
        sends_full_pdf=mail.internet_booking_mail == MailSettings.InternetBookingMail.FULL_PDF,
        booking_subject=_text(mail, "booking_subject", language),
        booking_intro=_text(mail, "booking_intro", language),
        booking_politeness=_text(mail, "booking_politeness", language),
        option_subject=_text(mail, "option_subject", language),
        option_intro=_text(mail, "option_intro", language),
    )


def edition_languages(provider: Provider) -> list[str]:
    """ "Langues gérées": the languages the owner's documents are customised in."""
    return list(mail_settings(provider).languages or ["fr"])


def assist_accesses(provider: Provider):
    """ "Journal des accès": the office staff's read-only consultations of the account, newest
    first (``comptes.assist``; inside the provider's scope)."""
    from comptes.assist import STARTED
    from comptes.models import AuditEntry

    return (
        AuditEntry.objects.filter(provider=provider, action=STARTED)
        .select_related("user")
        .order_by("-created_at", "-id")
    )
