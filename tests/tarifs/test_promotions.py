""" "Créer des promos": last-minute and early-booking promotions per lodging; list, edit, delete."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes.audit import history
from comptes.models import AuditEntry
from comptes.scoping import provider_scope, scopes_disabled
from tarifs.models import Promotion
from tarifs.services import promotion_create, promotion_update
from tests import factories

CREATE = reverse("tarifs:promotion_create")
LIST = reverse("tarifs:promotion_list")


def promotion_data(target, **overrides):
    data = {
        "lodging": target.pk,
        "kind": "last_minute",
        "percent": "10",
        "days": "7",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_create_a_last_minute_promotion_from_the_lodging_button(owner_client, provider, lodging):
    page = owner_client.get(CREATE, {"lodging": lodging.pk})
    html = page.content.decode()
    assert f'<option value="{lodging.pk}" selected>' in html
    assert (
        "Pour les réservations de dernière minute" in html
        and "Pour les réservations de séjours éloignés" in html
    )

    response = owner_client.post(CREATE, promotion_data(lodging, percent="12,5"))
    assert response.status_code == 302 and response["Location"] == f"{LIST}?lodging={lodging.pk}"
    with provider_scope(provider):
        promotion = Promotion.objects.get()
        assert (promotion.kind, promotion.percent, promotion.days) == ("last_minute", Decimal("12.50"), 7)
        assert history(promotion).first().action == "promotion.created"
    listing = owner_client.get(response["Location"]).content.decode()
    assert "12,5 % de remise pour un séjour qui débute dans moins de 7 jours" in listing
    assert "du 01/01/2025 au 31/12/2025" in listing


def test_early_booking_promotion_reads_more_than(owner_client, lodging):
    owner_client.post(CREATE, promotion_data(lodging, kind="early_booking", percent="5", days="90"))
    listing = owner_client.get(LIST).content.decode()
    assert "5 % de remise pour un séjour qui débute dans plus de 90 jours" in listing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_to": "2024-12-31"}, "valid_to", "La fin de la période de validité est avant son début."),
        ({"percent": "0"}, "percent", "La remise doit être supérieure à 0 %."),
        ({"percent": "120"}, "percent", "La remise ne peut pas dépasser 100 %."),
        ({"days": "0"}, "days", "Saisissez au moins 1 jour."),
        ({"kind": None}, "kind", "obligatoire"),
        ({"lodging": ""}, "lodging", "Choisissez l’hébergement."),
    ],
)
def test_bad_input_is_shown_next_to_the_field(owner_client, lodging, overrides, field, message):
    response = owner_client.post(CREATE, promotion_data(lodging, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html[html.index(f'id="id_{field}_error"') :][:300]
    with scopes_disabled():
        assert not Promotion.objects.exists()
        assert not AuditEntry.objects.exists()


def make_promotion(provider, lodging, **fields):
    arguments = {
        "provider": provider,
        "lodging": lodging,
        "kind": Promotion.Kind.LAST_MINUTE,
        "percent": Decimal("10"),
        "days": 7,
        "valid_from": date(2025, 1, 1),
        "valid_to": date(2025, 12, 31),
    }
    arguments.update(fields)
    with provider_scope(provider):
        return promotion_create(**arguments)


def test_edit_and_delete(owner_client, provider, lodging):
    promotion = make_promotion(provider, lodging)
    url = reverse("tarifs:promotion_update", kwargs={"promotion_pk": promotion.pk})
    assert 'value="10,00"' in owner_client.get(url).content.decode()
    response = owner_client.post(url, promotion_data(lodging, percent="15", days="3", active=None))
    assert response.status_code == 302
    with provider_scope(provider):
        promotion.refresh_from_db()
        assert (promotion.percent, promotion.days, promotion.active) == (Decimal("15"), 3, False)
        entry = history(promotion).first()
    assert entry.action == "promotion.updated"
    assert entry.data["before"]["percent"] == "10.00" and entry.data["after"]["percent"] == "15.00"

    bad = owner_client.post(url, promotion_data(lodging, valid_to="2020-01-01"))
    assert bad.status_code == 200
    with provider_scope(provider):
        promotion.refresh_from_db()
        assert promotion.valid_to == date(2025, 12, 31)

    delete_url = reverse("tarifs:promotion_delete", kwargs={"promotion_pk": promotion.pk})
    assert "Supprimer la promotion" in owner_client.get(delete_url).content.decode()
    assert owner_client.post(delete_url).status_code == 302
    with provider_scope(provider):
        assert not Promotion.objects.exists()
        assert [e.action for e in history(lodging)] == ["promotion.deleted"]


def test_list_filters_by_lodging_with_a_constant_number_of_queries(
    owner_client, provider, lodging, django_assert_max_num_queries
):
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    make_promotion(provider, lodging)
    make_promotion(provider, other, kind=Promotion.Kind.EARLY_BOOKING, days=60)
    response = owner_client.get(LIST, {"lodging": other.pk})
    assert [p.lodging_id for p in response.context["promotions"]] == [other.pk]
    with django_assert_max_num_queries(10) as small:
        owner_client.get(LIST)
    for days in [days for days in range(1, 41) if days != 7]:  # 7 days: the first one already
        make_promotion(provider, lodging if days % 2 else other, days=days)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = owner_client.get(LIST)
    assert len(response.context["promotions"]) == 41


def test_service_refuses_a_reversed_validity_period(provider, lodging):
    promotion = make_promotion(provider, lodging)
    with provider_scope(provider), pytest.raises(ValidationError) as raised:
        promotion_update(promotion=promotion, valid_from=date(2025, 6, 1), valid_to=date(2025, 5, 1))
    assert "valid_to" in raised.value.error_dict


def test_service_refuses_another_providers_lodging(provider, other_provider):
    other_lodging = factories.make_lodging(other_provider)
    with provider_scope(provider), pytest.raises(ValidationError):
        make_promotion(provider, other_lodging)


# --- issue #17 "No silent traps": no validity dates, no identical promotion twice -----------------


@pytest.mark.django_db
def test_a_promotion_may_have_no_validity_dates(owner_client, provider, lodging):
    response = owner_client.post(CREATE, promotion_data(lodging, valid_from="", valid_to=""))
    assert response.status_code == 302
    with provider_scope(provider):
        promotion = Promotion.objects.get()
    assert promotion.valid_from is None and promotion.valid_to is None
    assert "Toujours" in owner_client.get(LIST).content.decode()
    # Offered on any booking day: the engine applies it.
    from tarifs.engine import quote_stay

    arrival = date(2031, 6, 7)
    factories.price_for_stay(lodging, arrival, 7, "350.00")
    with provider_scope(provider):
        quote = quote_stay(lodging=lodging, arrival=arrival, nights=7, booking_date=date(2031, 6, 3))
    assert quote.promotion == promotion and quote.lodging_price == Decimal("315.00")


@pytest.mark.django_db
def test_an_identical_promotion_twice_is_refused(owner_client, provider, lodging):
    assert owner_client.post(CREATE, promotion_data(lodging)).status_code == 302
    response = owner_client.post(CREATE, promotion_data(lodging))
    assert response.status_code == 200
    assert "Cet hébergement a déjà exactement cette promotion." in response.content.decode()
    with provider_scope(provider):
        assert Promotion.objects.count() == 1
    # Another discount is another promotion.
    assert owner_client.post(CREATE, promotion_data(lodging, percent="15")).status_code == 302
    with provider_scope(provider), pytest.raises(ValidationError):
        promotion_create(
            provider=provider,
            lodging=lodging,
            kind="last_minute",
            percent=Decimal("15"),
            days=7,
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
        )
