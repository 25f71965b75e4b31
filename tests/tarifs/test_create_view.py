""" "Créer des tarifs": form → "Générer les tarifs" (the list) → "Confirmer la création des N tarifs"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.models import AuditEntry
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import AgeBracket
from tarifs.models import LastPriceEntry, StayPrice, StayPriceBracket
from tests import factories

URL = reverse("tarifs:create")


def form_data(lodging, **overrides) -> dict:
    data = {
        "lodging": lodging.pk,
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "1",
        "periods-MAX_NUM_FORMS": "12",
        "periods-0-start": "2020-03-07",
        "periods-0-end": "2020-03-28",
        "nights": "2",
        "all_weekdays": "on",
        "mode": "lodging",
        "initial_price": "60,00",
        "action": "generate",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_preselects_the_lodging_of_the_planning_button(owner_client, provider, lodging):
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    response = owner_client.get(URL, {"lodging": other.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{other.pk}" selected>Gîte La Colline Verte</option>' in html
    for words in (
        "Période d’application du prix",
        "Ajouter une période",
        "Durée des séjours",
        "Tout sélectionner",
    ):
        assert words in html
    assert "Samedi" in html and "Vendredi" in html


def test_the_lodgings_offered_are_the_providers_own(owner_client, lodging, other_provider):
    factories.make_lodging(other_provider, name="Chez le voisin")
    html = owner_client.get(URL).content.decode()
    assert "Petit coin de paradis" in html and "Chez le voisin" not in html


def test_generate_lists_the_20_stays_then_confirm_writes_them(owner_client, provider, lodging):
    response = owner_client.post(URL, form_data(lodging))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmer la création des 20 tarifs ci-dessous" in html
    assert "sam. 07/03/2020" in html and "lun. 09/03/2020" in html
    assert "jeu. 26/03/2020" in html and "sam. 28/03/2020" in html
    with scopes_disabled():
        assert StayPrice.objects.count() == 0

    response = owner_client.post(URL, form_data(lodging, action="confirm"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tarifs:list"))
    with scopes_disabled():
        assert StayPrice.objects.filter(lodging=lodging, nights=2, sale_price=Decimal("60.00")).count() == 20
        entry = AuditEntry.objects.get(action="stay_prices.generated")
    assert entry.data["count"] == 20 and entry.user == factories.owner_of(provider)
    listing = owner_client.get(response["Location"]).content.decode()
    assert "20 tarifs" in listing


def test_one_stay_has_the_singular_button(owner_client, lodging):
    response = owner_client.post(
        URL,
        form_data(lodging, **{"periods-0-start": "13/02/2021", "periods-0-end": "20/02/2021", "nights": "7"}),
    )
    html = response.content.decode()
    assert "Confirmer la création du tarif ci-dessous" in html
    assert "sam. 13/02/2021" in html and "sam. 20/02/2021" in html


def test_edit_goes_back_to_the_filled_form(owner_client, lodging):
    response = owner_client.post(URL, form_data(lodging, action="edit", initial_price="75,50"))
    html = response.content.decode()
    assert 'value="75,50"' in html and "Générer les tarifs" in html


def test_several_periods_and_ticked_days(owner_client, lodging):
    data = form_data(
        lodging,
        all_weekdays=None,
        weekdays=["5"],
        nights="7",
        **{
            "periods-TOTAL_FORMS": "3",
            "periods-1-start": "2020-10-03",
            "periods-1-end": "2020-10-31",
            "periods-2-start": "",  # an added period left empty is ignored
            "periods-2-end": "",
            "action": "confirm",
        },
    )
    assert owner_client.post(URL, data).status_code == 302
    with scopes_disabled():
        arrivals = list(StayPrice.objects.order_by("arrival").values_list("arrival", flat=True))
    assert arrivals == [
        date(2020, 3, 7),
        date(2020, 3, 14),
        date(2020, 3, 21),
        date(2020, 10, 3),
        date(2020, 10, 10),
        date(2020, 10, 17),
        date(2020, 10, 24),
    ]


def test_discount_in_percent_gives_the_sale_price(owner_client, lodging):
    data = form_data(
        lodging,
        initial_price="90",
        has_discount="on",
        discount="15",
        discount_is_percent="on",
        action="confirm",
    )
    assert owner_client.post(URL, data).status_code == 302
    with scopes_disabled():
        assert set(StayPrice.objects.values_list("initial_price", "discount", "sale_price")) == {
            (Decimal("90.00"), Decimal("13.50"), Decimal("76.50"))
        }


def test_sale_price_partial_uses_the_same_rule(owner_client, lodging):
    response = owner_client.post(
        URL,
        form_data(lodging, initial_price="90,00", has_discount="on", discount="15,00", action="sale_price"),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "75,00\xa0€" in html and "-16 %" in html


def test_price_per_occupant_by_age_bracket(owner_client, provider, lodging):
    with provider_scope(provider):
        adult, child, baby = AgeBracket.objects.order_by("-age_max")
    data = form_data(
        lodging,
        mode="per_person",
        initial_price="",
        action="confirm",
        **{f"bracket_{adult.pk}": "40", f"bracket_{child.pk}": "20,50", f"bracket_{baby.pk}": "0"},
    )
    assert owner_client.post(URL, data).status_code == 302
    with scopes_disabled():
        assert StayPrice.objects.filter(mode="per_person").count() == 20
        assert set(StayPriceBracket.objects.values_list("age_bracket_id", "sale_price")) == {
            (adult.pk, Decimal("40.00")),
            (child.pk, Decimal("20.50")),
            (baby.pk, Decimal("0.00")),
        }


def test_per_occupant_needs_a_price_for_each_bracket(owner_client, provider, lodging):
    with provider_scope(provider):
        adult, child, baby = AgeBracket.objects.order_by("-age_max")
    data = form_data(lodging, mode="per_person", initial_price="", **{f"bracket_{adult.pk}": "40"})
    response = owner_client.post(URL, data)
    form = response.context["form"]
    assert set(form.errors) == {f"bracket_{child.pk}", f"bracket_{baby.pk}"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"periods-0-start": "2020-03-28", "periods-0-end": "2020-03-07"},
            "periods-0-end",
            "La fin de la période est avant son début.",
        ),
        ({"all_weekdays": None}, "weekdays", "Cochez au moins un jour d’arrivée."),
        ({"initial_price": "0"}, "initial_price", "Le prix doit être supérieur à 0."),
        ({"initial_price": "-5"}, "initial_price", "Le prix doit être supérieur à 0."),
        ({"initial_price": ""}, "initial_price", "Saisissez le prix."),
        (
            {"has_discount": "on", "discount": "60"},
            "discount",
            "La remise doit être inférieure au prix initial.",
        ),
        (
            {"has_discount": "on", "discount": "100", "discount_is_percent": "on"},
            "discount",
            "Un pourcentage de remise doit être inférieur à 100 %.",
        ),
        ({"nights": "0"}, "nights", "Un séjour dure de 1 à 90 nuits."),
        ({"nights": ""}, "nights", "Choisissez la durée des séjours."),
        ({"periods-0-start": ""}, "periods-0-start", "Saisissez le premier jour."),
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


def test_a_period_too_short_for_the_stays_says_so(owner_client, lodging):
    response = owner_client.post(URL, form_data(lodging, action="confirm", **{"periods-0-end": "2020-03-08"}))
    assert "Aucun séjour ne correspond" in response.content.decode()
    with scopes_disabled():
        assert StayPrice.objects.count() == 0


def test_initialise_with_the_last_entry(owner_client, provider, lodging):
    html = owner_client.get(URL).content.decode()
    assert "Initialiser avec la dernière saisie" not in html  # nothing entered yet

    data = form_data(
        lodging,
        all_weekdays=None,
        weekdays=["5", "6"],
        nights="3",
        has_discount="on",
        discount="10",
        action="confirm",
    )
    owner_client.post(URL, data)
    with scopes_disabled():
        assert LastPriceEntry.objects.get(provider=provider).data["stay"]["nights"] == 3

    html = owner_client.get(URL).content.decode()
    assert "Initialiser avec la dernière saisie" in html
    response = owner_client.get(URL, {"init": "last"})
    form, periods = response.context["form"], response.context["periods"]
    assert form["lodging"].value() == lodging.pk
    assert form["nights"].value() == 3
    assert [int(day) for day in form["weekdays"].value()] == [5, 6]
    assert form["initial_price"].value() == Decimal("60.00")
    assert form["discount"].value() == Decimal("10")
    assert periods.forms[0]["start"].value() == date(2020, 3, 7)
    html = response.content.decode()
    assert 'value="2020-03-07"' in html and 'value="2020-03-28"' in html and 'value="60,00"' in html
