"""Browser flow of "Créer des tarifs" by the night (issue #17 item 2): 90 € / night, 2 to 30 nights,
every day of July, −10 % from 7 nights → the preview summed up by length (a length's stays on
demand) → confirm → a 7-night file priced 567,00 €; at 1366 px and at 375 px, with axe-core."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comptes.scoping import scopes_disabled
from tarifs.models import StayPrice
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import day
from tests.factories import make_lodging, make_provider

FIRST = day(16)  # 1 July 2030 (TODAY is Saturday 15 June 2030)
LAST = day(46)  # 31 July 2030
SATURDAY = day(21)  # 6 July 2030


@pytest.mark.parametrize("width", [1366, 375])
def test_nightly_prices_preview_confirm_and_a_seven_night_file(
    page, live_server, signed_in, transactional_db, width
):
    provider = make_provider(number=68300, email="nuitee68300@example.com", last_name="Bernard")
    lodging = make_lodging(provider, name="Maison des Tilleuls")
    size = {"width": width, "height": 900 if width > 400 else 740}
    page.set_viewport_size(size)
    signed_in("nuitee68300@example.com")

    def check(where: str) -> None:
        accessible(page, where, widths=((size["width"], size["height"]),))
        page.set_viewport_size(size)  # ``accessible`` puts the page back at 1366 px

    # The second way in, from "Créer des tarifs".
    page.goto(f"{live_server.url}{reverse('tarifs:create')}?lodging={lodging.pk}")
    page.get_by_role("link", name=re.compile("Ou saisir un prix par nuit")).click()
    expect(page.get_by_role("heading", name="Créer des tarifs à la nuitée")).to_be_visible()
    expect(page.get_by_label("Hébergement", exact=True)).to_have_value(str(lodging.pk))

    page.locator("#id_periods-0-start").fill(FIRST.isoformat())
    page.locator("#id_periods-0-end").fill(LAST.isoformat())
    page.get_by_label("Prix par nuit").fill("90,00")
    page.get_by_label("Séjour minimum (nuits)").fill("10")
    page.get_by_label("Séjour maximum (nuits)").fill("5")
    page.get_by_label("Remise à la semaine (%)").fill("100")

    # Bad values: each message next to its field, nothing generated.
    page.get_by_role("button", name="Générer les tarifs").first.click()
    expect(page.locator("#id_max_nights_error")).to_have_text(
        "Le séjour maximum est plus court que le séjour minimum."
    )
    expect(page.locator("#id_weekly_percent_error")).to_have_text(
        "Un pourcentage de remise est d’au moins 0 et inférieur à 100."
    )
    expect(page.locator("#id_weekdays_error")).to_have_text("Cochez au moins un jour d’arrivée.")
    check("nightly price form with errors")

    page.get_by_label("Séjour minimum (nuits)").fill("2")
    page.get_by_label("Séjour maximum (nuits)").fill("30")
    page.get_by_label("Remise à la semaine (%)").fill("10")
    page.get_by_label("Tout sélectionner").check()
    page.get_by_role("button", name="Générer les tarifs").first.click()

    # The preview: one line per length, the stays of a length when asked for.
    confirm = page.get_by_role("button", name="Confirmer la création des 435 tarifs ci-dessous")
    expect(confirm).to_be_visible()
    summary = page.get_by_test_id("length-summary").locator("tbody tr")
    expect(summary).to_have_count(29)  # 2 … 30 nights
    seven = page.locator('[data-testid="length-summary"] tr[data-nights="7"]')
    expect(seven).to_contain_text("24")
    expect(seven).to_contain_text("630,00\xa0€")
    expect(seven).to_contain_text("567,00\xa0€")
    expect(page.locator('[data-testid="length-summary"] tr[data-nights="6"]')).to_contain_text("540,00\xa0€")
    details = page.get_by_test_id("length-details-7")
    details.locator("summary").click()
    stays = details.get_by_test_id("generated-stays").locator("tbody tr")
    expect(stays).to_have_count(24)
    expect(stays.first).to_contain_text("lun. 01/07/2030")
    expect(stays.first).to_contain_text("lun. 08/07/2030")
    expect(stays.first).to_contain_text("567,00\xa0€")
    check("nightly price preview")
    with scopes_disabled():
        assert StayPrice.objects.count() == 0

    confirm.click()
    expect(page).to_have_url(re.compile(r"/tarifs/\?"))
    expect(page.get_by_text("435 tarifs enregistrés")).to_be_visible()
    with scopes_disabled():
        assert StayPrice.objects.filter(lodging=lodging).count() == 435

    # A 7-night file: the engine proposes 630,00 less 63,00; the file costs 567,00 €.
    page.goto(
        f"{live_server.url}{reverse('reservations:booking_create')}?lodging={lodging.pk}"
        f"&arrival={SATURDAY.isoformat()}&departure={day(28).isoformat()}"
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Étape 2 : Choix du prix de l’hébergement")).to_be_visible()
    expect(page.get_by_label("Prix", exact=True)).to_have_value("630,00")
    expect(page.get_by_label("Remise", exact=True)).to_have_value("63,00")
    page.get_by_role("button", name="Valider").click()
    page.get_by_label("Nom", exact=True).fill("Durand")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("heading", name=re.compile(r"Dossier de réservation n°1"))).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("567,00\xa0€")


def test_prices_by_number_of_people_and_a_file_for_three(page, live_server, signed_in, transactional_db):
    """Issue #17 item 3: "Prix en fonction du nombre de personnes", a price of the stay for 1 … 4
    people; a file for 3 people is priced at the 3-people price whatever their ages."""
    provider = make_provider(number=68301, email="groupe68301@example.com", last_name="Petit")
    lodging = make_lodging(provider, name="Maison des Tilleuls")
    signed_in("groupe68301@example.com")
    page.goto(f"{live_server.url}{reverse('tarifs:create')}?lodging={lodging.pk}")
    page.locator("#id_periods-0-start").fill(FIRST.isoformat())
    page.locator("#id_periods-0-end").fill(LAST.isoformat())
    page.get_by_label("Durée des séjours").select_option("7")
    page.get_by_label("Samedi", exact=True).check()
    page.get_by_label("Prix en fonction du nombre de personnes").check()
    expect(page.get_by_label("Prix initial")).to_be_hidden()
    for persons, price in ((1, "200"), (2, "240"), (4, "300")):
        page.locator(f"#id_group_{persons}").fill(price)

    page.get_by_role("button", name="Générer les tarifs").first.click()
    expect(page.locator("#id_group_3_error")).to_have_text("Saisissez le prix pour 3 personnes.")
    page.locator("#id_group_3").fill("280")
    sale = page.locator("#sale-price")  # the server's rule, as the owner types
    expect(sale).to_contain_text("Prix de vente selon le nombre de personnes")
    expect(sale).to_contain_text("280,00")
    page.get_by_role("button", name="Générer les tarifs").first.click()

    confirm = page.get_by_role("button", name="Confirmer la création des 3 tarifs ci-dessous")
    expect(confirm).to_be_visible()
    expect(page.get_by_text("3 personnes 280,00\xa0€")).to_be_visible()
    accessible(page, "preview of prices by number of people")
    confirm.click()
    expect(page.get_by_text("3 tarifs enregistrés")).to_be_visible()
    expect(page.locator("table.stay-prices tbody tr").first).to_contain_text("3 pers. 280,00\xa0€")

    page.goto(
        f"{live_server.url}{reverse('reservations:booking_create')}?lodging={lodging.pk}"
        f"&arrival={SATURDAY.isoformat()}&departure={day(28).isoformat()}"
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_label("Prix", exact=True)).to_have_value("200,00")  # 1 adult by default
    page.get_by_label("Adulte").fill("2")
    page.get_by_label("Adulte").press("Tab")
    expect(page.get_by_label("Prix", exact=True)).to_have_value("240,00")
    page.get_by_label("Enfant").fill("1")
    page.get_by_label("Enfant").press("Tab")
    expect(page.get_by_label("Prix", exact=True)).to_have_value("280,00")  # 3 people, whatever their ages
