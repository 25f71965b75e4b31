"""Browser flow: Modalités de vente — proximity rules added with htmx, bad input refused."""

import re

from playwright.sync_api import expect

from comptes.models import DepositRule
from comptes.scoping import scopes_disabled
from tests.factories import make_provider


def rules_of(provider):
    with scopes_disabled():
        return list(
            DepositRule.objects.filter(provider=provider)
            .order_by("days_before")
            .values_list("days_before", "percent")
        )


def test_add_proximity_rules_refuse_a_bad_one_then_save(page, live_server, signed_in, transactional_db):
    provider = make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/tableau-de-bord/")
    page.locator("#sidebar").get_by_role("link", name="Modalités de vente").click()
    expect(page).to_have_url(re.compile(r"/parametres/modalites-de-vente/$"))

    page.get_by_label("appliquer un pourcentage différent en fonction de la proximité du séjour").check()
    page.locator("#id_rules-0-days_before").fill("30")
    page.locator("#id_rules-0-percent").fill("100")
    page.get_by_role("link", name="Ajouter une règle").click()  # htmx: a second row, no page load
    expect(page.locator("#id_rules-1-days_before")).to_be_visible()
    expect(page.locator("#id_rules-TOTAL_FORMS")).to_have_value("2")
    page.locator("#id_rules-1-days_before").fill("0")
    page.locator("#id_rules-1-percent").fill("100")
    page.get_by_label("Conditions générales de vente", exact=True).fill("CONDITIONS GÉNÉRALES DE LOCATION")
    page.get_by_label("Je souhaite que mes hébergements soient réservables en ligne").check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator("#id_rules-1-days_before_error")).to_contain_text("au moins 1")
    assert rules_of(provider) == []

    page.locator("#id_rules-1-days_before").fill("1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos modalités de vente sont enregistrées.")).to_be_visible()
    assert [days for days, _ in rules_of(provider)] == [1, 30]

    # Online booking without terms of sale: refused next to the field.
    page.get_by_label("Conditions générales de vente", exact=True).fill("")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_terms_fr_error")).to_contain_text("obligatoires pour la réservation en ligne")


def test_settings_pages_fit_a_phone_screen(page, live_server, signed_in, transactional_db):
    make_provider(number=92750, email="dupont.marie@test.com", last_name="Dupont")
    signed_in("dupont.marie@test.com")
    page.set_viewport_size({"width": 375, "height": 740})
    for path in ("modalites-de-vente", "contrats", "mails", "paiement-securise"):
        page.goto(f"{live_server.url}/parametres/{path}/")
        expect(page.get_by_role("button", name=re.compile("Enregistrer|Activer"))).not_to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
