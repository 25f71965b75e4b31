"""The read API the contract PDF, the mails and the booking flows use (``comptes.selectors``)."""

import datetime
from decimal import Decimal

import pytest
from django_scopes.exceptions import ScopeError

from comptes import selectors
from comptes.models import ContractSettings, MailSettings, PaymentSettings
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import (
    contract_settings_update,
    mail_settings_update,
    payment_settings_update,
    provider_update,
    sales_terms_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(provider):
    provider_update(
        provider=provider,
        data={
            "civility": "mme",
            "address": "2 Boulevard du Sud",
            "postcode": "09000",
            "city": "FOIX",
            "phone1": "0500000000",
            "website": "https://www.ariegepyrenees.com/",
        },
    )
    with provider_scope(provider):
        yield provider


def test_contract_defaults_are_the_manuals(scoped):
    view = selectors.contract_settings_for(scoped, "fr")
    assert view.identity == "Dupont Marie"
    assert (view.option_days, view.balance_rule, view.deposit_kind) == (10, "arrival", "acompte")
    assert view.arrival_sentence == "Votre arrivée : entre 16h00 et 18h00."
    assert view.departure_sentence == "Votre départ : avant 10h00."
    assert view.politeness == (
        "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations."
    )
    assert view.request_signature
    assert view.signature_text(option=True).startswith("Je soussigné(e) (Nom)..... (Prénom).....")
    assert "termes de ce contrat" in view.signature_text(option=False)
    assert [(mode.code, mode.label, mode.detail) for mode in view.payment_modes] == [
        ("cheque", "Chèque bancaire ou postal", "libellé à l’ordre de : Dupont Marie"),
        ("holiday_vouchers", "Chèque vacances ANCV", ""),
    ]
    assert view.logo is None
    assert (view.show_structure_description, view.show_terms) == (True, True)
    assert view.state_text("option") == ""

    english = selectors.contract_settings_for(scoped, "en")
    assert english.arrival_sentence == "Your arrival: between 16:00 and 18:00."
    assert english.departure_sentence == "Your departure: before 10:00."
    assert english.politeness == "We look forward to welcoming you soon. Kind regards."
    assert english.payment_modes[0].label == "Bank or postal cheque"
    assert english.payment_modes[0].detail == "payable to: Dupont Marie"


def test_contract_view_follows_the_owners_settings(scoped):
    sales_terms_update(
        provider=scoped,
        data={"terms_fr": "CGV en français", "terms_en": "", "online_booking": True},
        rules=[],
    )
    payment_settings_update(provider=scoped, online_account_id="osp-92750", active=True)
    contract_settings_update(
        provider=scoped,
        deadlines={"option_days": 8, "balance_rule": "days_before", "balance_days_before": 30},
        data={
            "identity": "PETIT COIN DE PARADIS",
            "pay_by_cheque": False,
            "pay_by_transfer": True,
            "iban": "FR7630006000011234567890189",
            "bic": "BNPAFRPP",
            "pay_by_card_phone": True,
            "pay_online": True,
            "arrival_from": datetime.time(17, 30),
            "arrival_until": None,
            "departure_before": None,
            "request_signature": False,
            "option_state_text_fr": "En attente de votre acompte.",
            "confirmed_state_text_fr": "Acompte reçu.",
            "confirmed_state_text_en": "Deposit received.",
            "paid_state_text_fr": "Séjour soldé.",
        },
    )
    view = selectors.contract_settings_for(scoped, "en")
    assert view.identity == "PETIT COIN DE PARADIS"
    assert (view.option_days, view.balance_rule, view.balance_days_before) == (8, "days_before", 30)
    assert [mode.code for mode in view.payment_modes] == [
        "holiday_vouchers",
        "transfer",
        "card_phone",
        "online",
    ]
    assert view.payment_modes[1].detail == "IBAN: FR76 3000 6000 0112 3456 7890 189 – BIC: BNPAFRPP"
    assert view.arrival_sentence == "Your arrival: from 17:30."
    assert view.departure_sentence == ""
    assert view.signature_text(option=True) == ""
    assert view.terms == "CGV en français"  # no English terms: the French ones
    assert view.state_text("confirmed") == "Deposit received."
    assert view.state_text("option") == "En attente de votre acompte."
    assert selectors.file_state_text(scoped, "paid", "fr") == "Séjour soldé."
    with pytest.raises(ValueError):
        view.state_text("cancelled")

    # Online payment switched off: no longer offered, even though the contract box stays ticked.
    payment_settings_update(provider=scoped, online_account_id="osp-92750", active=False)
    assert "online" not in [mode.code for mode in selectors.payment_modes_offered(scoped)]


def test_terms_are_left_out_when_part_4_is_off(scoped):
    sales_terms_update(provider=scoped, data={"terms_fr": "CGV"}, rules=[])
    contract_settings_update(provider=scoped, deadlines={}, data={"show_terms": False})
    assert selectors.contract_settings_for(scoped).terms == ""
    assert selectors.sales_terms_for(scoped).terms == "CGV"


def test_sales_terms_for_the_booking_flows(scoped):
    sales_terms_update(
        provider=scoped,
        data={
            "deposit_kind": "arrhes",
            "deposit_percent": Decimal("30"),
            "use_proximity_rules": True,
            "online_booking": False,
            "terms_fr": "CGV",
            "privacy_enabled": False,
            "privacy_text_fr": "Ignoré tant que désactivé",
        },
        rules=[{"days_before": 30, "percent": Decimal("100")}],
    )
    terms = selectors.sales_terms_for(scoped)
    assert (terms.deposit_kind, terms.deposit_percent, terms.rules) == (
        "arrhes",
        Decimal("30.00"),
        ((30, Decimal("100.00")),),
    )
    assert not terms.online_booking_allowed
    assert terms.privacy_text == ""


def test_mail_texts_with_the_generated_footer(scoped):
    texts = selectors.mail_texts(scoped, "fr")
    assert texts.footer == (
        "Dupont Marie\n2 Boulevard du Sud - 09000 FOIX - France\nTél. : 0500000000\n"
        "Mail : dupont.marie@test.com\nSite internet : https://www.ariegepyrenees.com/"
    )
    assert texts.sends_full_pdf
    assert texts.booking_intro == "Bonjour,\nNous vous remercions pour votre réservation."
    assert texts.booking_politeness.startswith("Dans l’attente de vous accueillir prochainement")
    assert texts.option_subject == "Votre proposition de réservation"
    english = selectors.mail_texts(scoped, "en")
    assert english.footer.splitlines()[2] == "Phone: 0500000000"
    assert english.booking_subject == "Your booking"
    assert selectors.edition_languages(scoped) == ["fr"]


def test_mail_texts_with_a_custom_footer_and_french_fallback(scoped):
    mail_settings_update(
        provider=scoped,
        data={
            "footer": "custom",
            "footer_custom": "Gîte du Moulin – Foix",
            "copy_to": "copie@test.com",
            "internet_booking_mail": "notification",
            "languages": ["en", "fr"],
            "booking_politeness_fr": "Cordialement, Marie",
            "booking_politeness_en": "",
        },
    )
    texts = selectors.mail_texts(scoped, "en")
    assert texts.footer == "Gîte du Moulin – Foix"
    assert texts.copy_to == "copie@test.com"
    assert not texts.sends_full_pdf
    assert texts.booking_politeness == "Cordialement, Marie"
    assert selectors.edition_languages(scoped) == ["fr", "en"]
    assert selectors.mail_texts(scoped, "de").language == "fr"


def test_missing_settings_rows_are_created_with_defaults(scoped):
    with scopes_disabled():
        for model in (ContractSettings, MailSettings, PaymentSettings):
            model.objects.filter(provider=scoped).delete()
    assert selectors.contract_settings_for(scoped).politeness.startswith("Dans l’attente")
    assert selectors.mail_texts(scoped).booking_subject == "Votre réservation"
    assert selectors.online_payment_active(scoped) is False


def test_selectors_refuse_to_run_without_a_provider_scope(provider):
    with pytest.raises(ScopeError):
        selectors.contract_settings_for(provider)
