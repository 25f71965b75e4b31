"""PARAMÈTRES > Personnalisation des mails and Paiement sécurisé."""

import pytest
from django.urls import reverse

from comptes.models import MailSettings, PaymentSettings
from comptes.scoping import scopes_disabled
from tests.factories import settings_snapshot

pytestmark = pytest.mark.django_db

MAILS = reverse("comptes:mail_settings")
PAYMENT = reverse("comptes:payment_settings")


def mail_data(**overrides):
    data = {
        "footer": "generated",
        "footer_custom": "",
        "copy_to": "copie@test.com",
        "internet_booking_mail": "notification",
        "languages": ["fr", "en"],
        "booking_subject_fr": "Votre réservation au Petit coin de paradis",
        "booking_intro_fr": "Bonjour,\nJe vous remercie pour votre réservation.",
        "booking_politeness_fr": "Cordialement,\nMarie",
        "booking_subject_en": "Your booking",
        "booking_intro_en": "Hello,\nThank you for your booking.",
        "booking_politeness_en": "",
        "option_subject_fr": "Votre proposition de réservation",
        "option_intro_fr": "Bonjour,\nVoici votre proposition.",
        "option_subject_en": "",
        "option_intro_en": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def mail(provider):
    with scopes_disabled():
        return MailSettings.objects.get(provider=provider)


def payment(provider):
    with scopes_disabled():
        return PaymentSettings.objects.get(provider=provider)


def test_mail_page_shows_the_defaults_and_the_generated_footer(client, provider):
    from comptes.services import provider_update
    from tests.factories import owner_of

    provider_update(
        provider=provider,
        data={"address": "2 Boulevard du Sud", "postcode": "09000", "city": "FOIX", "phone1": "0500000000"},
    )
    client.force_login(owner_of(provider))
    html = client.get(MAILS).text
    for text in (
        "Personnalisation des mails",
        "Pied de page des mails",
        "Généré automatiquement avec vos coordonnées",
        "Envoyer une copie à",
        "Un mail avec le dossier de réservation complet sous forme de PDF",
        "Un mail de notification",
        "Mail de notification d’option",
        "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations.",
        "Dupont Marie<br>2 Boulevard du Sud - 09000 FOIX - France<br>Tél. : 0500000000",
    ):
        assert text in html, text


def test_valid_mail_settings_are_saved(owner_client, provider):
    response = owner_client.post(MAILS, mail_data())
    assert response.status_code == 302, response.context["form"].errors
    saved = mail(provider)
    assert saved.copy_to == "copie@test.com"
    assert saved.internet_booking_mail == "notification"
    assert saved.languages == ["fr", "en"]
    assert saved.booking_intro_fr == "Bonjour,\nJe vous remercie pour votre réservation."
    assert saved.booking_politeness_en == ""
    assert "Votre personnalisation des mails est enregistrée." in owner_client.get(MAILS).text

    response = owner_client.post(MAILS, mail_data(footer="custom", footer_custom="Gîte du Moulin\nFoix"))
    assert response.status_code == 302
    assert mail(provider).footer_custom == "Gîte du Moulin\nFoix"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"footer": "custom", "footer_custom": " "},
            "footer_custom",
            "Saisissez le texte de votre pied de page.",
        ),
        ({"languages": None}, "languages", "Choisissez au moins une langue."),
        ({"languages": ["de"]}, "languages", ""),
        ({"copy_to": "pas-une-adresse"}, "copy_to", ""),
        ({"internet_booking_mail": "fax"}, "internet_booking_mail", ""),
        ({"booking_subject_fr": "x" * 201}, "booking_subject_fr", ""),
    ],
)
def test_bad_mail_settings_are_refused_next_to_the_field(owner_client, provider, overrides, field, message):
    before = settings_snapshot(provider)
    response = owner_client.post(MAILS, mail_data(**overrides))
    assert response.status_code == 200
    html = response.text
    error_start = html.index(f'id="id_{field}_error"')
    assert message in html[error_start : error_start + 300]
    assert settings_snapshot(provider) == before


def test_payment_page_says_online_payment_is_not_active(owner_client):
    html = owner_client.get(PAYMENT).text
    assert "Paiement sécurisé lors d’une réservation internet" in html
    assert "Le paiement en ligne n’est pas actif." in html
    assert "Activer le paiement en ligne" in html


def test_activate_then_deactivate_online_payment(owner_client, provider):
    response = owner_client.post(PAYMENT, {"online_account_id": " osp-92750 ", "action": "activate"})
    assert response.status_code == 302
    saved = payment(provider)
    assert saved.online_account_id == "osp-92750" and saved.is_active and saved.activated_at is not None
    html = owner_client.get(PAYMENT).text
    assert "Le paiement en ligne est activé." in html
    assert "Le paiement en ligne est actif : les internautes règlent leur acompte en ligne" in html

    response = owner_client.post(PAYMENT, {"online_account_id": "osp-92750", "action": "deactivate"})
    assert response.status_code == 302
    assert not payment(provider).is_active
    assert payment(provider).online_account_id == "osp-92750"


@pytest.mark.parametrize(
    ("account_id", "action", "message"),
    [
        ("", "activate", "Saisissez votre identifiant pour activer le paiement en ligne."),
        ("mon identifiant!", "activate", "Saisissez l’identifiant donné par le service de paiement"),
        ("ab", "save", "Saisissez l’identifiant donné par le service de paiement"),
    ],
)
def test_bad_payment_identifier_is_refused(owner_client, provider, account_id, action, message):
    before = settings_snapshot(provider)
    response = owner_client.post(PAYMENT, {"online_account_id": account_id, "action": action})
    assert response.status_code == 200
    html = response.text
    error_start = html.index('id="id_online_account_id_error"')
    assert message in html[error_start : error_start + 300]
    assert settings_snapshot(provider) == before


def test_the_database_refuses_an_active_payment_without_identifier(provider):
    from django.db import IntegrityError, transaction

    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        PaymentSettings.objects.filter(provider=provider).update(online_payment_active=True)
