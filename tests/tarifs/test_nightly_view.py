""" "Créer des tarifs" by the night: form → the stays summed up by length (a length's stays on
demand) → "Confirmer"; every bad value gets its message next to its field and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.models import AuditEntry
from comptes.scoping import scopes_disabled
from tarifs.models import StayPrice
from tests import factories

URL = reverse("tarifs:create_nightly")


def form_data(lodging, **overrides) -> dict:
    data = {
        "lodging": lodging.pk,
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "1",
        "periods-MAX_NUM_FORMS": "12",
        "periods-0-start": "2030-07-01",
        "periods-0-end": "2030-07-31",
        "min_nights": "2",
        "max_nights": "30",
        "all_weekdays": "on",
        "nightly_price": "90,00",
        "weekly_percent": "10",
        "monthly_percent": "",
        "action": "generate",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_flat_entry_links_to_the_nightly_one(owner_client, lodging):
    html = owner_client.get(reverse("tarifs:create"), {"lodging": lodging.pk}).content.decode()
    assert f'href="{URL}?lodging={lodging.pk}"' in html
    page = owner_client.get(URL, {"lodging": lodging.pk}).content.decode()
    assert f'<option value="{lodging.pk}" selected>' in page
    for words in (
        "Prix par nuit",
        "Séjour minimum (nuits)",
        "Séjour maximum (nuits)",
        "Remise à la semaine (%)",
    ):
        assert words in page
    assert "à partir de 7 nuits" in page and "à partir de 28 nuits" in page


def test_preview_sums_up_by_length_then_confirm_writes_every_stay(owner_client, provider, lodging):
    response = owner_client.post(URL, form_data(lodging))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmer la création des 435 tarifs ci-dessous" in html
    assert 'data-testid="length-summary"' in html
    assert 'data-testid="generated-stays"' not in html  # the 435 rows wait to be asked for
    seven = html[html.index('<tr data-nights="7">') :][:600]
    assert "24" in seven and "630,00" in seven and "63,00" in seven and "567,00" in seven
    with scopes_disabled():
        assert StayPrice.objects.count() == 0

    details = owner_client.post(URL, form_data(lodging, action="details", length="7"), HTTP_HX_REQUEST="true")
    rows = details.content.decode()
    assert rows.count("<tr>") == 1 + 24  # header + 1–24 July
    assert "lun. 01/07/2030" in rows and "lun. 08/07/2030" in rows and "567,00" in rows

    response = owner_client.post(URL, form_data(lodging, action="confirm"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tarifs:list"))
    with scopes_disabled():
        assert StayPrice.objects.filter(lodging=lodging).count() == 435
        assert set(StayPrice.objects.filter(nights=7).values_list("sale_price", flat=True)) == {
            Decimal("567.00")
        }
        assert AuditEntry.objects.get(action="stay_prices.generated").user == factories.owner_of(provider)


def test_edit_goes_back_to_the_form_with_the_values(owner_client, lodging):
    html = owner_client.post(URL, form_data(lodging, action="edit")).content.decode()
    assert 'name="nightly_price" value="90,00"' in html
    assert 'name="max_nights" value="30"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"min_nights": "10", "max_nights": "5"},
            "max_nights",
            "Le séjour maximum est plus court que le séjour minimum.",
        ),
        ({"max_nights": "91"}, "max_nights", "Un séjour dure de 1 à 90 nuits."),
        ({"min_nights": ""}, "min_nights", "Saisissez un nombre de nuits."),
        (
            {"weekly_percent": "100"},
            "weekly_percent",
            "Un pourcentage de remise est d’au moins 0 et inférieur à 100.",
        ),
        (
            {"monthly_percent": "-5"},
            "monthly_percent",
            "Un pourcentage de remise est d’au moins 0 et inférieur à 100.",
        ),
        ({"weekly_percent": "dix"}, "weekly_percent", "Saisissez un pourcentage, par exemple 10."),
        ({"nightly_price": ""}, "nightly_price", "Saisissez le prix par nuit."),
        ({"nightly_price": "0"}, "nightly_price", "Le prix doit être supérieur à 0."),
        ({"all_weekdays": None}, "weekdays", "Cochez au moins un jour d’arrivée."),
        ({"periods-0-end": "2030-06-01"}, "periods-0-end", "La fin de la période est avant son début."),
    ],
)
def test_bad_input_shows_the_message_next_to_the_field_and_writes_nothing(
    owner_client, lodging, overrides, field, message
):
    response = owner_client.post(URL, form_data(lodging, action="confirm", **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    error_block = html[html.index(f'id="id_{field}_error"') :][:300]
    assert message in error_block
    with scopes_disabled():
        assert StayPrice.objects.count() == 0
        assert AuditEntry.objects.count() == 0


def test_too_many_stays_for_one_entry_is_said_on_the_maximum_stay(owner_client, lodging):
    response = owner_client.post(
        URL,
        form_data(
            lodging,
            action="confirm",
            max_nights="90",
            **{"periods-0-start": "2030-01-01", "periods-0-end": "2030-12-31"},
        ),
    )
    html = response.content.decode()
    error_block = html[html.index('id="id_max_nights_error"') :][:400]
    assert "plus de 12000" in error_block
    with scopes_disabled():
        assert StayPrice.objects.count() == 0


def test_another_providers_lodging_is_not_offered(owner_client, lodging, other_provider):
    other = factories.make_lodging(other_provider, name="Chez le voisin")
    response = owner_client.post(URL, form_data(other, action="confirm"))
    assert 'id="id_lodging_error"' in response.content.decode()
    with scopes_disabled():
        assert StayPrice.objects.count() == 0


def test_a_seven_night_file_is_priced_567(owner_client, lodging):
    """ "Créer un dossier", step 1 → 2: the engine proposes 567,00 € (before: "Aucun tarif pour un
    séjour de 7 nuits" although the planning showed a nightly price)."""
    owner_client.post(URL, form_data(lodging, action="confirm"))
    response = owner_client.post(
        reverse("reservations:booking_create"),
        {"step": "1", "lodging": lodging.pk, "arrival": "2030-07-06", "departure": "2030-07-13"},
    )
    html = response.content.decode()
    assert "Étape 2" in html
    price = html[html.index('name="price"') - 200 :][:400]
    discount = html[html.index('name="discount"') - 200 :][:400]
    assert 'value="630,00"' in price and 'value="63,00"' in discount  # 630,00 − 63,00 = 567,00
    assert "Aucun tarif" not in html


def test_initialise_with_the_last_nightly_entry_beside_the_whole_stay_one(owner_client, provider, lodging):
    from datetime import date

    from comptes.scoping import provider_scope
    from tarifs import services
    from tarifs.models import LastPriceEntry

    assert "Initialiser avec la dernière saisie" not in owner_client.get(URL).content.decode()
    with provider_scope(provider):  # a row written before the nightly entry existed: a whole stay
        LastPriceEntry.objects.create(provider=provider, data={"lodging": lodging.pk, "nights": 7})
    assert "Initialiser avec la dernière saisie" not in owner_client.get(URL).content.decode()

    data = form_data(
        lodging,
        all_weekdays=None,
        weekdays=["5", "6"],
        nightly_price="85,50",
        max_nights="14",
        action="confirm",
    )
    assert owner_client.post(URL, data).status_code == 302
    html = owner_client.get(URL).content.decode()
    assert "Initialiser avec la dernière saisie" in html and f"{URL}?init=last" in html
    response = owner_client.get(URL, {"init": "last"})
    form, periods = response.context["form"], response.context["periods"]
    assert form["lodging"].value() == lodging.pk
    assert form["nightly_price"].value() == Decimal("85.50")
    assert (form["min_nights"].value(), form["max_nights"].value()) == (2, 14)
    assert [int(day) for day in form["weekdays"].value()] == [5, 6]
    assert form["weekly_percent"].value() == Decimal("10")
    assert periods.forms[0]["start"].value() == date(2030, 7, 1)
    assert 'value="85,50"' in response.content.decode()
    with provider_scope(provider):  # the whole-stay entry is kept beside it
        assert services.price_entry_last(provider=provider)["nights"] == 7
        assert services.price_entry_last(provider=provider, kind=services.NIGHTLY_ENTRY)["max_nights"] == 14
