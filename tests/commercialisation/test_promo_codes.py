"""COMMERCIALISATION > Codes promo: create, list with uses, change, delete — errors next to the
fields and nothing saved when one is wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.scoping import provider_scope
from tarifs.models import PromoCode
from tests import factories

pytestmark = pytest.mark.django_db


def form_data(lodging, **changes):
    data = {
        "code": "ete2030",
        "internal_label": "Été 2030",
        "label": "Code été",
        "label_en": "Summer code",
        "usage": "multiple",
        "valid_from": "2030-01-01",
        "valid_to": "2030-12-31",
        "kind": "percent",
        "value": "10",
        "all_stays": "False",
        "active": "on",
        "lodgings": [lodging.pk],
        "period_0_start": "2030-07-01",
        "period_0_end": "2030-08-31",
    }
    return {**data, **changes}


def test_an_owner_creates_lists_changes_and_deletes_a_promo_code(owner_client, provider, lodging):
    url = reverse("commercialisation:promo_code_create")
    response = owner_client.post(url, form_data(lodging))
    assert response.status_code == 302, response.content.decode()[:3000]
    with provider_scope(provider):
        promo = PromoCode.objects.get()
        assert promo.code == "ETE2030" and not promo.all_stays
        assert [(p.start.isoformat(), p.end.isoformat()) for p in promo.periods.all()] == [
            ("2030-07-01", "2030-08-31")
        ]
    page = owner_client.get(reverse("commercialisation:promo_code_list")).content.decode()
    assert "ETE2030" in page and "Petit coin de paradis" in page
    edit = reverse("commercialisation:promo_code_edit", kwargs={"promo_pk": promo.pk})
    assert owner_client.post(edit, form_data(lodging, value="15", all_stays="True")).status_code == 302
    with provider_scope(provider):
        promo.refresh_from_db()
        assert promo.value == Decimal("15") and promo.all_stays
    delete = reverse("commercialisation:promo_code_delete", kwargs={"promo_pk": promo.pk})
    assert owner_client.post(delete).status_code == 302
    assert owner_client.post(delete, follow=True).status_code == 200  # a double click: already done
    with provider_scope(provider):
        assert not PromoCode.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "ÉTÉ-30"}, "code"),
        ({"value": "120"}, "value"),
        ({"lodgings": []}, "lodgings"),
        ({"valid_to": "2029-01-01"}, None),
        ({"period_0_start": "", "period_0_end": ""}, None),
    ],
)
def test_a_wrong_promo_code_is_refused_next_to_its_field(owner_client, provider, lodging, changes, field):
    response = owner_client.post(
        reverse("commercialisation:promo_code_create"), form_data(lodging, **changes)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors and (field is None or field in form.errors), form.errors
    with provider_scope(provider):
        assert not PromoCode.objects.exists()


def test_a_code_is_unique_per_provider(owner_client, provider, lodging):
    factories.make_promo_code(lodging, code="ETE2030")
    response = owner_client.post(reverse("commercialisation:promo_code_create"), form_data(lodging))
    assert response.status_code == 200 and "ETE2030" in str(response.context["form"].errors)
