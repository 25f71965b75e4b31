"""Browser flows of the price pages: create prices in two steps, see them, export them, promotions."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from comptes.scoping import scopes_disabled
from tarifs.models import Promotion, StayPrice
from tests.factories import make_lodging, make_provider


def owner_with_lodging():
    provider = make_provider(number=68288, email="meuble68288@example.com", last_name="Martin")
    return provider, make_lodging(provider, name="Grande Villa")


def test_create_prices_in_two_steps_and_see_them(page, live_server, signed_in, transactional_db):
    _provider, lodging = owner_with_lodging()
    signed_in("meuble68288@example.com")
    page.goto(f"{live_server.url}{reverse('tarifs:create')}?lodging={lodging.pk}")
    expect(page.get_by_label("Hébergement", exact=True)).to_have_value(str(lodging.pk))

    page.locator("#id_periods-0-start").fill("2020-03-07")
    page.locator("#id_periods-0-end").fill("2020-03-28")
    page.get_by_label("Durée des séjours").select_option("2")
    page.get_by_label("Prix initial").fill("60,00")

    # No arrival day ticked: the message is next to the days, nothing is generated.
    page.get_by_role("button", name="Générer les tarifs").first.click()
    expect(page.locator("#id_weekdays_error")).to_have_text("Cochez au moins un jour d’arrivée.")

    page.get_by_label("Tout sélectionner").check()
    for day in ("Samedi", "Dimanche", "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi"):
        expect(page.get_by_label(day, exact=True)).to_be_checked()

    # The discount shows the sale price (computed by the server's rule), then is removed again.
    page.get_by_label("Saisir une remise ?").check()
    page.get_by_label("Remise", exact=True).fill("15")
    expect(page.get_by_test_id("sale-price")).to_have_text("45,00\xa0€")
    page.get_by_label("Saisir une remise ?").uncheck()
    expect(page.get_by_label("Remise", exact=True)).to_be_hidden()

    # "Ajouter une période" adds a row; left empty, it is ignored.
    page.get_by_role("button", name="Ajouter une période").click()
    expect(page.locator("#id_periods-1-start")).to_be_visible()

    page.get_by_role("button", name="Générer les tarifs").first.click()
    confirm = page.get_by_role("button", name="Confirmer la création des 20 tarifs ci-dessous")
    expect(confirm).to_be_visible()
    stays = page.get_by_test_id("generated-stays").locator("tbody tr")
    expect(stays).to_have_count(20)
    expect(stays.first).to_contain_text("sam. 07/03/2020")
    expect(stays.first).to_contain_text("lun. 09/03/2020")
    expect(stays.last).to_contain_text("jeu. 26/03/2020")
    expect(stays.last).to_contain_text("sam. 28/03/2020")
    with scopes_disabled():
        assert StayPrice.objects.count() == 0

    confirm.click()
    expect(page).to_have_url(re.compile(r"/tarifs/\?"))
    expect(page.get_by_text("20 tarifs enregistrés")).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_have_text("20 tarifs")
    table = page.locator("table.stay-prices tbody tr")
    expect(table).to_have_count(20)
    expect(table.first).to_contain_text("sam. 07/03/20")
    expect(table.first).to_contain_text("60,00\xa0€")
    with scopes_disabled():
        assert StayPrice.objects.filter(lodging=lodging, nights=2).count() == 20

    # "Initialiser avec la dernière saisie" brings the same values back.
    page.goto(f"{live_server.url}{reverse('tarifs:create')}")
    page.get_by_role("link", name="Initialiser avec la dernière saisie").click()
    expect(page.locator("#id_periods-0-start")).to_have_value("2020-03-07")
    expect(page.get_by_label("Prix initial")).to_have_value("60,00")
    expect(page.get_by_label("Durée des séjours")).to_have_value("2")


def test_export_the_prices_to_excel(page, live_server, signed_in, transactional_db, tmp_path):
    _provider, lodging = owner_with_lodging()
    from tests.factories import make_stay_prices

    make_stay_prices(lodging, start=date(2020, 3, 7), end=date(2020, 3, 28), nights=2, price="60")
    signed_in("meuble68288@example.com")
    page.goto(f"{live_server.url}{reverse('tarifs:list')}?lodging={lodging.pk}")
    page.get_by_label("Durée", exact=True).select_option("2")
    page.get_by_label("Samedi").uncheck()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("result-count")).to_have_text("17 tarifs")  # Saturdays 07, 14, 21 left out

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en fichier Excel").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.name == f"tarifs-{lodging.reference}.xlsx"
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Durée (en nuits)",
        "Date de début",
        "Date de fin",
        "Prix initial",
        "Remise",
        "Prix de vente",
    )
    data = [row for row in rows[1:] if row and isinstance(row[0], int)]
    assert len(data) == 17
    assert data[0] == (2, datetime(2020, 3, 8), datetime(2020, 3, 10), 60, 0, 60)
    assert rows[-1][:2] == ("Nombre de tarifs", 17)


def test_select_and_delete_prices(page, live_server, signed_in, transactional_db):
    _provider, lodging = owner_with_lodging()
    from tests.factories import make_stay_prices

    make_stay_prices(lodging, start=date(2020, 3, 7), end=date(2020, 3, 28), nights=7, price="450")
    signed_in("meuble68288@example.com")
    page.goto(f"{live_server.url}{reverse('tarifs:list')}?lodging={lodging.pk}")
    expect(page.get_by_test_id("result-count")).to_have_text("15 tarifs")
    page.get_by_label("Sélectionner le séjour de 7 nuits du 07/03/2020").check()
    page.get_by_label("Sélectionner le séjour de 7 nuits du 08/03/2020").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Supprimer les tarifs cochés").click()
    expect(page.get_by_text("2 tarifs supprimés.")).to_be_visible()
    expect(page.get_by_test_id("result-count")).to_have_text("13 tarifs")

    page.locator("table.stay-prices tbody tr").first.get_by_role("link", name="Modifier").click()
    page.get_by_label("Prix initial").fill("500")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le tarif est enregistré.")).to_be_visible()
    expect(page.locator("table.stay-prices tbody tr").first).to_contain_text("500,00\xa0€")


def test_create_edit_and_delete_a_promotion(page, live_server, signed_in, transactional_db):
    _provider, lodging = owner_with_lodging()
    signed_in("meuble68288@example.com")
    page.goto(f"{live_server.url}{reverse('tarifs:list')}?lodging={lodging.pk}")
    page.get_by_role("navigation", name="Tarifs et promotions").get_by_role("link", name="Promotions").click()
    page.get_by_role("link", name="Ajouter une promotion").click()
    expect(page.get_by_label("Hébergement", exact=True)).to_have_value(str(lodging.pk))
    page.get_by_label("Pour les réservations de dernière minute").check()
    page.get_by_label("Remise à appliquer (%)").fill("10")
    page.get_by_label("Nombre de jours").fill("7")
    page.get_by_label("Valable du").fill("2025-01-01")
    page.get_by_label("Valable jusqu’au").fill("2024-12-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_valid_to_error")).to_contain_text("avant son début")
    page.get_by_label("Valable jusqu’au").fill("2025-12-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("10 % de remise pour un séjour qui débute dans moins de 7 jours")).to_be_visible()

    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Pour les réservations de séjours éloignés").check()
    page.get_by_label("Nombre de jours").fill("90")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("10 % de remise pour un séjour qui débute dans plus de 90 jours")).to_be_visible()
    with scopes_disabled():
        assert Promotion.objects.get().kind == Promotion.Kind.EARLY_BOOKING

    page.get_by_role("link", name="Supprimer").click()
    page.get_by_role("button", name="Supprimer").click()
    expect(page.get_by_text("Aucune promotion pour l’instant.")).to_be_visible()


def test_price_pages_fit_a_phone_screen(page, live_server, signed_in, transactional_db):
    _provider, lodging = owner_with_lodging()
    from tests.factories import make_stay_prices

    make_stay_prices(lodging, nights=7)
    signed_in("meuble68288@example.com")
    page.set_viewport_size({"width": 375, "height": 740})
    for name in ("tarifs:create", "tarifs:list", "tarifs:promotion_list", "tarifs:promotion_create"):
        page.goto(f"{live_server.url}{reverse(name)}?lodging={lodging.pk}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
