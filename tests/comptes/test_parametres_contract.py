"""PARAMÈTRES > Personnalisation des contrats: deadlines, parts 1 to 4, logo upload."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from comptes.models import ContractSettings, ProviderSettings
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import payment_settings_update
from tests.factories import settings_snapshot

pytestmark = pytest.mark.django_db

URL = reverse("comptes:contract_settings")
POLITENESS = "Nous espérons vous accueillir bientôt et restons avec nos meilleures salutations."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(name="logo.png", size=(120, 60), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def stored_files(root):
    return sorted(path.name for path in root.rglob("*") if path.is_file())


def post_data(**overrides):
    """A valid form: the manual's example (Petit coin de paradis, 16h00–18h00, avant 10h00)."""
    data = {
        "option_days": "10",
        "balance_rule": "arrival",
        "balance_days_before": "30",
        "identity": "PETIT COIN DE PARADIS",
        "slogan": "Un clic et le voyage est à vous",
        "show_price_detail": "on",
        "pay_by_cheque": "on",
        "cheque_payable_to": "Mme. Dupont",
        "pay_by_holiday_vouchers": "on",
        "iban": "",
        "bic": "",
        "arrival_from": "16:00",
        "arrival_until": "18:00",
        "arrival_details_fr": "Merci de nous appeler avant votre arrivée.",
        "arrival_details_en": "",
        "departure_before": "10:00",
        "departure_details_fr": "",
        "departure_details_en": "",
        "additional_information_fr": (
            "La taxe de séjour de 0,44 € par jour et par personne adulte vous sera demandée sur place à "
            "votre arrivée."
        ),
        "additional_information_en": "",
        "request_signature": "on",
        "option_signature_text_fr": "Je soussigné(e)… proposition",
        "option_signature_text_en": "",
        "contract_signature_text_fr": "Je soussigné(e)… contrat",
        "contract_signature_text_en": "",
        "politeness_fr": POLITENESS,
        "politeness_en": "Kind regards.",
        "company_information": "SIRET 123 456 789 00012",
        "option_state_text_fr": "Votre acompte est attendu.",
        "option_state_text_en": "",
        "confirmed_state_text_fr": "Nous avons bien reçu votre acompte.",
        "confirmed_state_text_en": "We received your deposit.",
        "paid_state_text_fr": "Votre séjour est soldé.",
        "paid_state_text_en": "",
        "show_structure_description": "on",
        "show_lodging_images": "on",
        "show_terms": "on",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def contract(provider):
    with scopes_disabled():
        return ContractSettings.objects.get(provider=provider)


def test_the_page_shows_the_manuals_defaults(owner_client):
    html = owner_client.get(URL).text
    for text in (
        "Personnalisation des contrats",
        "Délai de règlement de l’acompte pour une option",
        "Partie 1 – En-tête des documents PDF à destination de vos clients",
        "Partie 2 – Récapitulatif de la réservation",
        "Partie 3 – Descriptif des hébergements",
        "Partie 4 – Conditions de vente",
        "Modes de règlement à proposer",
        "Demander le retour signé du contrat",
        "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations.",
        "déclare être d’accord sur les termes de ce contrat",
        "Pour un dossier confirmé non soldé",
    ):
        assert text in html, text
    assert 'name="option_days" value="10"' in html
    assert 'name="arrival_from" value="16:00"' in html and 'name="departure_before" value="10:00"' in html


def test_valid_input_is_saved_with_the_logo(owner_client, provider, media_root):
    response = owner_client.post(
        URL, post_data(option_days="7", balance_rule="days_before", balance_days_before="30", logo=png())
    )
    assert response.status_code == 302, response.context["form"].errors
    saved = contract(provider)
    assert saved.identity == "PETIT COIN DE PARADIS"
    assert saved.politeness_fr == POLITENESS
    assert saved.arrival_from == datetime.time(16) and saved.departure_before == datetime.time(10)
    assert (saved.show_structure_description, saved.show_structure_images, saved.show_lodging_images) == (
        True,
        False,
        True,
    )
    assert saved.logo.name.startswith("providers/92750/logo/") and saved.logo.name.endswith(".png")
    assert (media_root / saved.logo.name).exists()
    with scopes_disabled():
        settings = ProviderSettings.objects.get(provider=provider)
    assert (settings.option_days, settings.balance_rule, settings.balance_days_before) == (
        7,
        "days_before",
        30,
    )

    page = owner_client.get(URL).text
    assert "Votre personnalisation des contrats est enregistrée." in page
    assert POLITENESS in page and saved.logo.url in page


def test_a_logo_that_is_not_an_image_is_refused_and_nothing_is_saved(owner_client, provider, media_root):
    before = settings_snapshot(provider)
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image at all", content_type="image/png")
    response = owner_client.post(URL, post_data(logo=fake))
    assert response.status_code == 200
    html = response.text
    error_start = html.index('id="id_logo_error"')
    assert "Le logo doit être une image" in html[error_start : error_start + 300]
    assert settings_snapshot(provider) == before
    assert stored_files(media_root) == []


def test_an_svg_or_oversized_logo_is_refused(owner_client, provider, media_root):
    svg = SimpleUploadedFile(
        "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"
    )
    assert 'id="id_logo_error"' in owner_client.post(URL, post_data(logo=svg)).text
    huge = png(size=(4100, 10))
    response = owner_client.post(URL, post_data(logo=huge))
    assert "4000 × 4000 pixels au plus" in response.text
    assert contract(provider).logo.name == ""
    assert stored_files(media_root) == []


def test_replacing_or_clearing_the_logo_deletes_the_old_file(
    owner_client, provider, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, post_data(logo=png("first.png")))
    first = contract(provider).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, post_data(logo=png("second.jpg", image_format="JPEG")))
    second = contract(provider).logo.name
    assert second != first and second.endswith(".jpg")
    assert not (media_root / first).exists() and (media_root / second).exists()
    # Saving again without a file keeps the logo.
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, post_data())
    assert contract(provider).logo.name == second
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, post_data(**{"logo-clear": "on"}))
    assert contract(provider).logo.name == ""
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"pay_by_cheque": None, "pay_by_holiday_vouchers": None},
            "pay_by_cheque",
            "Choisissez au moins un mode de règlement.",
        ),
        ({"pay_by_transfer": "on", "iban": ""}, "iban", "Saisissez votre IBAN"),
        ({"pay_by_transfer": "on", "iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban", "n’est pas valide"),
        ({"pay_by_transfer": "on", "iban": "123"}, "iban", "Saisissez un IBAN valide"),
        ({"bic": "BNP!"}, "bic", "Saisissez un BIC valide"),
        ({"pay_online": "on"}, "pay_online", "Activez d’abord le paiement en ligne"),
        ({"arrival_from": "18:00", "arrival_until": "16:00"}, "arrival_until", "après son début"),
        ({"arrival_from": "25:00"}, "arrival_from", ""),
        ({"option_days": "0"}, "option_days", ""),
        ({"balance_rule": "days_before", "balance_days_before": "0"}, "balance_days_before", "au moins 1"),
        ({"balance_rule": "days_before", "balance_days_before": ""}, "balance_days_before", "au moins 1"),
        ({"identity": "x" * 151}, "identity", ""),
    ],
)
def test_bad_input_is_refused_next_to_its_field(
    owner_client, provider, media_root, overrides, field, message
):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(politeness_fr="Changé", logo=png(), **overrides))
    assert response.status_code == 200
    html = response.text
    error_start = html.index(f'id="id_{field}_error"')
    assert message in html[error_start : error_start + 400]
    assert settings_snapshot(provider) == before
    assert stored_files(media_root) == []


def test_bank_transfer_with_a_valid_iban_is_stored_normalised(owner_client, provider):
    response = owner_client.post(
        URL, post_data(pay_by_transfer="on", iban="fr76 3000 6000 0112 3456 7890 189", bic="bnpafrpp")
    )
    assert response.status_code == 302
    saved = contract(provider)
    assert (saved.iban, saved.bic) == ("FR7630006000011234567890189", "BNPAFRPP")


def test_online_payment_can_be_offered_once_it_is_active(owner_client, provider):
    with provider_scope(provider):
        payment_settings_update(provider=provider, online_account_id="osp-92750", active=True)
    response = owner_client.post(URL, post_data(pay_online="on"))
    assert response.status_code == 302
    assert contract(provider).pay_online is True


def test_owner_texts_are_stored_as_plain_text(owner_client, provider):
    owner_client.post(URL, post_data(politeness_fr="<b>Merci</b>\r\n<img src=x onerror=alert(1)>À bientôt"))
    assert contract(provider).politeness_fr == "Merci\nÀ bientôt"
    assert "<b>Merci" not in owner_client.get(URL).text


def test_the_arrhes_wording_follows_the_sales_terms(owner_client, provider):
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=provider).update(deposit_kind="arrhes")
    assert "Délai de règlement des arrhes pour une option" in owner_client.get(URL).text


def test_the_balance_days_may_stay_empty_when_the_balance_is_due_at_arrival(owner_client, provider):
    response = owner_client.post(URL, post_data(balance_rule="arrival", balance_days_before=""))
    assert response.status_code == 302
    with scopes_disabled():
        settings = ProviderSettings.objects.get(provider=provider)
    assert (settings.balance_rule, settings.balance_days_before) == ("arrival", 30)
