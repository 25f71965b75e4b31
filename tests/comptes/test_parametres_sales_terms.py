"""PARAMÈTRES > Modalités de vente: deposit, proximity rules, booking delay, CGV, opt-in, privacy."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.models import DepositRule, ProviderSettings
from comptes.scoping import provider_scope, scopes_disabled
from comptes.selectors import sales_terms_for
from tests.factories import make_provider, owner_of, settings_snapshot

pytestmark = pytest.mark.django_db

URL = reverse("comptes:sales_terms")

CGV = (
    "CONDITIONS GENERALES DE LOCATION DU MEUBLE SAISONNIER\n"
    "I. DISPOSITIONS GENERALES Le locataire ne pourra en aucune circonstance se prévaloir d’un "
    "quelconque droit de maintien dans les lieux."
)


def post_data(rules=(), initial=0, **overrides):
    """A valid "Modalités de vente" form: the manual's values (arrhes, 30 %, < 30 days → 100 %)."""
    data = {
        "deposit_kind": "arrhes",
        "deposit_percent": "30",
        "use_proximity_rules": "True" if rules else "False",
        "booking_delay": "same_day",
        "expired_options": "cancel",
        "public_contact": "phone_email",
        "booking_delay_hour": "",
        "booking_delay_days": "",
        "online_booking": "on",
        "terms_fr": CGV,
        "terms_en": "",
        "optin_text_fr": "",
        "optin_text_en": "",
        "optin_link": "",
        "privacy_text_fr": "",
        "privacy_text_en": "",
        "privacy_link": "",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "50",
    }
    for index, rule in enumerate(rules):
        days, percent = rule[:2]
        data[f"rules-{index}-days_before"] = str(days)
        data[f"rules-{index}-percent"] = str(percent)
        if len(rule) > 2 and rule[2]:
            data[f"rules-{index}-DELETE"] = "on"
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def stored(provider):
    with scopes_disabled():
        return ProviderSettings.objects.get(provider=provider)


def test_the_page_shows_the_manuals_defaults(owner_client):
    html = owner_client.get(URL).text
    assert "Modalités de vente" in html
    assert "d’arrhes" in html and "d’acompte" in html
    assert 'name="deposit_percent" value="25,00"' in html
    assert "toujours utiliser le pourcentage par défaut" in html
    assert "appliquer un pourcentage différent en fonction de la proximité du séjour" in html
    for choice in ("le jour-même", "le lendemain", "dans un nombre minimum de jours"):
        assert choice in html
    assert "Les conditions générales de vente sont obligatoires pour la réservation en ligne." in html
    # No rule yet: one empty row to fill.
    assert 'name="rules-0-days_before"' in html and 'name="rules-1-days_before"' not in html


def test_valid_input_is_saved_with_its_proximity_rules(owner_client, provider):
    data = post_data(
        rules=[(30, 100), (1, 100)],
        booking_delay="same_day_until",
        booking_delay_hour="18:00",
        optin_enabled="on",
        optin_text_fr=(
            "En cochant cette case, j’accepte que mes données soient utilisées pour recevoir des offres "
            "commerciales."
        ),
        optin_link="www.example.fr/donnees.pdf",
        privacy_enabled="on",
        privacy_text_fr="Les données personnelles sont collectées dans un fichier excel.",
        terms_en="GENERAL RENTAL CONDITIONS",
    )
    response = owner_client.post(URL, data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == URL

    settings = stored(provider)
    assert settings.deposit_kind == "arrhes"
    assert settings.deposit_percent == Decimal("30.00")
    assert settings.use_proximity_rules is True
    assert settings.booking_delay == "same_day_until"
    assert settings.booking_delay_hour == datetime.time(18, 0)
    assert settings.online_booking is True and settings.terms_fr == CGV
    assert settings.optin_link == "https://www.example.fr/donnees.pdf"
    with provider_scope(provider):
        assert list(DepositRule.objects.values_list("days_before", "percent")) == [
            (1, Decimal("100.00")),
            (30, Decimal("100.00")),
        ]
        terms = sales_terms_for(provider, "en")
    assert terms.rules == ((1, Decimal("100.00")), (30, Decimal("100.00")))
    assert terms.terms == "GENERAL RENTAL CONDITIONS"
    assert terms.online_booking_allowed
    assert terms.optin_text.startswith("En cochant cette case")  # no English text: the French one

    page = owner_client.get(URL).text
    assert "Vos modalités de vente sont enregistrées." in page
    assert 'name="rules-1-days_before" value="30"' in page


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ((0, 100), "days_before", "Saisissez un nombre de jours d’au moins 1."),
        ((-3, 100), "days_before", "Saisissez un nombre de jours d’au moins 1."),
        ((30, 150), "percent", "Saisissez un pourcentage entre 0 et 100."),
        ((30, -1), "percent", "Saisissez un pourcentage entre 0 et 100."),
    ],
)
def test_a_bad_proximity_rule_is_refused_next_to_its_field(owner_client, provider, rule, field, message):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(rules=[(1, 100), rule], deposit_percent="40"))
    assert response.status_code == 200
    html = response.text
    error_start = html.index(f'id="id_rules-1-{field}_error"')
    assert message in html[error_start : error_start + 300]
    assert settings_snapshot(provider) == before


def test_two_rules_with_the_same_number_of_days_are_refused(owner_client, provider):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(rules=[(30, 100), (30, 50)]))
    assert response.status_code == 200
    assert 'id="rules_error"' in response.text
    assert "Deux règles ont le même nombre de jours." in response.text
    assert settings_snapshot(provider) == before


def test_proximity_rules_chosen_without_any_rule_are_refused(owner_client, provider):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(rules=[("", "")], use_proximity_rules="True"))
    assert response.status_code == 200
    assert "Ajoutez au moins une règle" in response.text
    assert settings_snapshot(provider) == before


def test_empty_terms_of_sale_are_refused_when_online_booking_is_requested(owner_client, provider):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(terms_fr="  \n ", deposit_percent="40"))
    assert response.status_code == 200
    html = response.text
    error_start = html.index('id="id_terms_fr_error"')
    assert "Les conditions générales de vente sont obligatoires" in html[error_start : error_start + 300]
    assert settings_snapshot(provider) == before
    # Without online booking, no terms is allowed.
    response = owner_client.post(URL, post_data(terms_fr="", online_booking=None))
    assert response.status_code == 302
    assert stored(provider).online_booking is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"booking_delay": "next_day_until", "booking_delay_hour": ""}, "booking_delay_hour"),
        ({"booking_delay": "min_days", "booking_delay_days": ""}, "booking_delay_days"),
        ({"booking_delay": "min_days", "booking_delay_days": "0"}, "booking_delay_days"),
        ({"deposit_percent": "101"}, "deposit_percent"),
        ({"optin_enabled": "on", "optin_text_fr": ""}, "optin_text_fr"),
        ({"privacy_enabled": "on", "privacy_text_fr": ""}, "privacy_text_fr"),
        ({"optin_link": "pas une adresse"}, "optin_link"),
    ],
)
def test_other_bad_input_is_refused_next_to_its_field(owner_client, provider, overrides, field):
    before = settings_snapshot(provider)
    response = owner_client.post(URL, post_data(**overrides))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert "ne peut pas" not in response.text  # one clear message, not a technical one besides
    assert settings_snapshot(provider) == before


def test_booking_delay_keeps_only_what_its_choice_needs(owner_client, provider):
    owner_client.post(
        URL, post_data(booking_delay="min_days", booking_delay_days="3", booking_delay_hour="18:00")
    )
    settings = stored(provider)
    assert (settings.booking_delay, settings.booking_delay_days, settings.booking_delay_hour) == (
        "min_days",
        3,
        None,
    )


def test_a_rule_is_deleted_with_its_checkbox_and_blank_rows_are_ignored(owner_client, provider):
    owner_client.post(URL, post_data(rules=[(30, 100), (1, 100)]))
    response = owner_client.post(URL, post_data(rules=[(1, 100, True), (30, 80), ("", "")], initial=2))
    assert response.status_code == 302
    with provider_scope(provider):
        assert list(DepositRule.objects.values_list("days_before", "percent")) == [(30, Decimal("80.00"))]


def test_owner_text_is_stored_as_plain_text_and_escaped(owner_client, provider):
    response = owner_client.post(
        URL, post_data(terms_fr="<h1>CONDITIONS</h1>\r\nArticle 1 <script>alert('x')</script>\r\nArticle 2")
    )
    assert response.status_code == 302
    assert stored(provider).terms_fr == "CONDITIONS\nArticle 1 alert('x')\nArticle 2"
    html = owner_client.get(URL).text
    assert "<script>alert" not in html and "<h1>CONDITIONS" not in html


def test_add_a_rule_with_htmx_returns_one_row_and_the_new_count(owner_client):
    response = owner_client.get(URL, {"add_rule": "1", "rules-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.text
    assert 'name="rules-2-days_before"' in html and 'name="rules-2-percent"' in html
    assert 'name="rules-TOTAL_FORMS" value="3"' in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_add_a_rule_without_javascript_shows_more_empty_rows(owner_client, provider):
    owner_client.post(URL, post_data(rules=[(30, 100)]))
    html = owner_client.get(URL, {"regles": "2"}).text
    assert 'name="rules-0-days_before" value="30"' in html
    assert 'name="rules-2-days_before"' in html and 'name="rules-3-days_before"' not in html
    assert 'href="?regles=3"' in html


def test_each_provider_sees_and_changes_only_its_own_terms(client, provider, other_provider):
    client.force_login(owner_of(provider))
    client.post(URL, post_data(terms_fr="Conditions de Marie Dupont"))
    client.force_login(owner_of(other_provider))
    assert "Conditions de Marie Dupont" not in client.get(URL).text
    client.post(URL, post_data(terms_fr="Conditions de M. Martin", rules=[(7, 50)]))
    assert stored(provider).terms_fr == "Conditions de Marie Dupont"
    with scopes_disabled():
        assert not DepositRule.objects.filter(provider=provider).exists()


def test_a_new_provider_has_every_settings_row_with_defaults():
    provider = make_provider()
    snapshot = settings_snapshot(provider)
    assert snapshot["ProviderSettings"]["deposit_percent"] == Decimal("25.00")
    assert snapshot["MailSettings"]["languages"] == ["fr"]
    assert snapshot["PaymentSettings"]["online_payment_active"] is False


def test_percentages_are_typed_the_french_way(owner_client, provider):
    response = owner_client.post(URL, post_data(deposit_percent="27,5", rules=[(15, "50,5")]))
    assert response.status_code == 302
    assert stored(provider).deposit_percent == Decimal("27.50")
    with provider_scope(provider):
        assert DepositRule.objects.get().percent == Decimal("50.50")
    assert 'value="27,50"' in owner_client.get(URL).text


def test_the_page_query_count_does_not_grow_with_the_rules(owner_client, django_assert_max_num_queries):
    owner_client.post(URL, post_data(rules=[(1, 100)]))
    with django_assert_max_num_queries(12) as small:
        owner_client.get(URL)
    small_count = len(small.captured_queries)  # read now: the next request resets the query log
    owner_client.post(URL, post_data(rules=[(days, 50) for days in range(1, 41)]))
    with django_assert_max_num_queries(small_count):
        html = owner_client.get(URL).text
    assert 'name="rules-39-days_before" value="40"' in html
