"""COMMERCIALISATION > Codes promo: create, list with uses, change, delete — errors next to the
fields and nothing saved when one is wrong."""

from __future__ import annotations

import re
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


def test_the_list_counts_each_codes_uses_in_a_constant_number_of_queries(
    owner_client, provider, lodging, django_assert_max_num_queries
):
    used = factories.make_promo_code(lodging, code="ETE")
    factories.make_promo_code(lodging, code="NOEL")
    with provider_scope(provider):
        PromoCode.objects.filter(pk=used.pk).update(times_used=3)  # three files booked with it
    url = reverse("commercialisation:promo_code_list")
    owner_client.get(url)  # the session and the menu's cache, warm
    with django_assert_max_num_queries(12):
        page = owner_client.get(url).content.decode()
    uses = dict(re.findall(r"<strong>([A-Z0-9]+)</strong>.*?<td class=\"num\">(\d+)</td>", page, re.S))
    assert uses == {"ETE": "3", "NOEL": "0"}
    for code in ("A", "B", "C", "D"):
        factories.make_promo_code(lodging, code=code)
    with django_assert_max_num_queries(12):
        assert owner_client.get(url).status_code == 200
