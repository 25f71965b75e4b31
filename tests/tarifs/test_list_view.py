""" "Voir les tarifs": filters, sorting, pages, edit one row, delete, Excel export."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from comptes.audit import history
from comptes.models import AuditEntry
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import AgeBracket
from tarifs.models import StayPrice, StayPriceBracket
from tarifs.services import Discount, stay_prices_generate
from tests import factories

LIST = reverse("tarifs:list")
EXPORT = reverse("tarifs:export")
DELETE = reverse("tarifs:delete")


def generate(provider, lodging, start, end, nights, price, weekdays=range(7), **kwargs):
    with provider_scope(provider):
        return stay_prices_generate(
            provider=provider,
            lodging=lodging,
            periods=[(start, end)],
            nights=nights,
            weekdays=weekdays,
            initial_price=Decimal(price) if price is not None else None,
            commit=True,
            **kwargs,
        )


@pytest.fixture
def grid(provider, lodging):
    """The manual's screen: 7-night stays at 450,00 from 12/03/2019, plus 2-night stays."""
    generate(provider, lodging, date(2019, 3, 12), date(2019, 6, 30), 7, "450")
    generate(
        provider, lodging, date(2019, 3, 1), date(2019, 3, 31), 2, "120", discount=Discount(Decimal("20"))
    )
    return lodging


def rows(response):
    return list(response.context["page"].object_list)


def test_the_lodging_button_opens_its_prices_only(owner_client, provider, grid):
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    generate(provider, other, date(2019, 3, 1), date(2019, 3, 31), 7, "300")
    response = owner_client.get(LIST, {"lodging": grid.pk})
    assert response.status_code == 200
    assert {row.lodging_id for row in rows(response)} == {grid.pk}
    html = response.content.decode()
    assert "Durée (en nuits)" in html and "Date de début" in html and "Prix de vente" in html
    assert "mar. 12/03/19" in html and "mar. 19/03/19" in html and "450,00\xa0€" in html


def test_period_filter_keeps_the_stays_that_overlap_it(owner_client, grid):
    # The manual: period from 18/03/2019 shows the stay of 12/03/19 → 19/03/19.
    response = owner_client.get(
        LIST, {"lodging": grid.pk, "date_from": "2019-03-18", "date_to": "2019-05-31", "nights": "7"}
    )
    arrivals = [row.arrival for row in rows(response)]
    assert arrivals[0] == date(2019, 3, 12)
    assert min(arrivals) == date(2019, 3, 12) and max(arrivals) <= date(2019, 5, 31)
    assert response.context["count"] == (date(2019, 5, 31) - date(2019, 3, 12)).days + 1


def test_start_days_and_length_filters(owner_client, grid):
    response = owner_client.get(LIST, {"lodging": grid.pk, "weekdays": ["5"], "nights": "7"})
    found = rows(response)
    assert found and all(row.arrival.weekday() == 5 and row.nights == 7 for row in found)
    response = owner_client.get(LIST, {"lodging": grid.pk, "nights": ""})  # "Indifférente"
    assert {row.nights for row in response.context["page"].paginator.object_list} == {2, 7}


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("nights", lambda r: r.nights, False),
        ("-nights", lambda r: r.nights, True),
        ("arrival", lambda r: r.arrival, False),
        ("-departure", lambda r: r.departure, True),
        ("sale_price", lambda r: r.sale_price, False),
        ("-discount", lambda r: r.discount, True),
    ],
)
def test_sortable_columns(owner_client, grid, sort, key, reverse):
    found = rows(owner_client.get(LIST, {"lodging": grid.pk, "sort": sort}))
    assert [key(row) for row in found] == sorted((key(row) for row in found), reverse=reverse)


def test_a_click_on_the_sorted_column_reverses_it(owner_client, grid):
    response = owner_client.get(LIST, {"lodging": grid.pk, "sort": "arrival"})
    assert "sort=-arrival" in response.context["sort_links"]["arrival"]["url"]
    assert response.context["sort_links"]["arrival"]["state"] == "ascending"


def test_pages_of_50(owner_client, grid):
    response = owner_client.get(LIST, {"lodging": grid.pk})
    total = response.context["count"]
    assert total > 100 and len(rows(response)) == 50
    last = owner_client.get(LIST, {"lodging": grid.pk, "page": response.context["page"].paginator.num_pages})
    assert len(rows(last)) == total - 50 * (last.context["page"].number - 1)
    assert f"{total} tarifs" in response.content.decode()


def test_query_count_does_not_grow_with_the_rows(
    owner_client, provider, lodging, django_assert_max_num_queries
):
    generate(provider, lodging, date(2024, 6, 1), date(2024, 6, 6), 2, "100")
    with provider_scope(provider):
        adult, child, baby = AgeBracket.objects.order_by("-age_max")
    generate(
        provider,
        lodging,
        date(2024, 7, 1),
        date(2024, 7, 5),
        3,
        None,
        bracket_prices={adult: Decimal("40"), child: Decimal("20"), baby: Decimal("0")},
    )
    with django_assert_max_num_queries(12) as small:
        owner_client.get(LIST, {"lodging": lodging.pk})
    generate(provider, lodging, date(2024, 1, 1), date(2024, 12, 31), [1, 2, 3, 4, 5, 6, 7], "100")
    generate(
        provider,
        lodging,
        date(2025, 1, 1),
        date(2025, 12, 31),
        [8, 9],
        None,
        bracket_prices={adult: Decimal("40"), child: Decimal("20"), baby: Decimal("0")},
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = owner_client.get(LIST, {"lodging": lodging.pk, "sort": "-nights"})
    assert response.context["count"] > 3000
    assert "Adulte 40,00\xa0€" in response.content.decode()


def test_edit_one_row(owner_client, provider, grid):
    with provider_scope(provider):
        stay = StayPrice.objects.get(lodging=grid, arrival=date(2019, 3, 12), nights=7)
    url = reverse("tarifs:stay_price_update", kwargs={"stay_price_pk": stay.pk})
    page = owner_client.get(url)
    assert page.status_code == 200 and 'value="450,00"' in page.content.decode()

    back = f"{LIST}?lodging={grid.pk}&sort=-arrival"
    response = owner_client.post(
        url, {"mode": "lodging", "initial_price": "480", "has_discount": "on", "discount": "30", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    with provider_scope(provider):
        stay.refresh_from_db()
        assert (stay.initial_price, stay.discount, stay.sale_price) == (
            Decimal("480.00"),
            Decimal("30.00"),
            Decimal("450.00"),
        )
        entry = history(stay).first()
    assert entry.action == "stay_price.updated"
    assert entry.data["before"]["sale_price"] == "450.00" and entry.data["after"]["sale_price"] == "450.00"
    assert entry.data["after"]["discount"] == "30.00"


def test_edit_a_row_to_a_price_per_occupant_and_bad_input(owner_client, provider, grid):
    with provider_scope(provider):
        stay = StayPrice.objects.get(lodging=grid, arrival=date(2019, 3, 12), nights=7)
        adult, child, baby = AgeBracket.objects.order_by("-age_max")
    url = reverse("tarifs:stay_price_update", kwargs={"stay_price_pk": stay.pk})
    response = owner_client.post(url, {"mode": "lodging", "initial_price": "0"})
    assert response.status_code == 200
    assert "Le prix doit être supérieur à 0." in response.content.decode()

    response = owner_client.post(
        url,
        {
            "mode": "per_person",
            f"bracket_{adult.pk}": "100",
            f"bracket_{child.pk}": "50",
            f"bracket_{baby.pk}": "0",
            "has_discount": "on",
            "discount": "10",
            "discount_is_percent": "on",
        },
    )
    assert response.status_code == 302
    with provider_scope(provider):
        stay.refresh_from_db()
        assert stay.mode == "per_person" and stay.initial_price is None
        assert dict(
            StayPriceBracket.objects.filter(stay_price=stay).values_list("age_bracket_id", "sale_price")
        ) == {
            adult.pk: Decimal("90.00"),
            child.pk: Decimal("45.00"),
            baby.pk: Decimal("0.00"),
        }
    # Edited again, the form shows the same percentage (not an amount that would differ per bracket).
    form = owner_client.get(url).context["form"]
    assert form["discount_is_percent"].value() is True and form["discount"].value() == Decimal("10.00")


def test_delete_ticked_rows_and_one_row(owner_client, provider, grid):
    with provider_scope(provider):
        first, second, third = StayPrice.objects.filter(lodging=grid).order_by("arrival", "nights")[:3]
        total = StayPrice.objects.count()
    query = f"lodging={grid.pk}"
    response = owner_client.post(DELETE, {"ids": [first.pk, second.pk], "query": query})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?{query}"
    response = owner_client.post(DELETE, {"one": third.pk, "ids": [], "query": query})
    with provider_scope(provider):
        assert StayPrice.objects.count() == total - 3
        assert not StayPrice.objects.filter(pk__in=[first.pk, second.pk, third.pk]).exists()
        entries = [e for e in history(grid) if e.action == "stay_prices.deleted"]
    assert [e.data["count"] for e in entries] == [1, 2]


def test_delete_every_row_of_the_table(owner_client, provider, grid):
    query = f"lodging={grid.pk}&nights=2"
    owner_client.post(DELETE, {"scope": "all", "query": query})
    with provider_scope(provider):
        assert not StayPrice.objects.filter(nights=2).exists()
        assert StayPrice.objects.filter(nights=7).exists()
        assert AuditEntry.objects.filter(action="stay_prices.deleted").count() == 1


def test_another_providers_rows_cannot_be_deleted(owner_client, other_provider):
    other_lodging = factories.make_lodging(other_provider)
    generate(other_provider, other_lodging, date(2019, 3, 1), date(2019, 3, 31), 7, "300")
    with scopes_disabled():
        ids = list(StayPrice.objects.values_list("pk", flat=True))
    owner_client.post(DELETE, {"ids": ids})
    with scopes_disabled():
        assert StayPrice.objects.count() == len(ids)


def test_excel_export_has_the_rows_of_the_table(owner_client, provider, grid):
    params = {"lodging": grid.pk, "date_from": "2019-03-18", "date_to": "2019-03-31", "sort": "arrival"}
    screen = owner_client.get(LIST, params)
    response = owner_client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(BytesIO(response.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (
        "Durée (en nuits)",
        "Date de début",
        "Date de fin",
        "Prix initial",
        "Remise",
        "Prix de vente",
    )
    data = [row for row in values[1:] if row and isinstance(row[0], int)]
    assert len(data) == screen.context["count"]
    assert values[-1] == ("Nombre de tarifs", screen.context["count"], None, None, None, None)
    on_screen = screen.context["page"].paginator.object_list
    expected = [
        (r.nights, r.arrival, r.departure, r.initial_price, r.discount, r.sale_price) for r in on_screen
    ]
    got = [(n, a.date(), d.date(), i, disc, s) for n, a, d, i, disc, s in data]
    assert got == expected
    nights, arrival, _departure, initial, _discount, sale = data[0]
    assert (
        isinstance(arrival, datetime) and isinstance(initial, (int, float)) and isinstance(sale, (int, float))
    )
    assert sheet.cell(2, 2).number_format == "DD/MM/YYYY"


def test_excel_export_of_prices_per_occupant(owner_client, provider, lodging):
    with provider_scope(provider):
        adult, child, baby = AgeBracket.objects.order_by("-age_max")
    generate(
        provider,
        lodging,
        date(2024, 7, 6),
        date(2024, 7, 13),
        7,
        None,
        bracket_prices={adult: Decimal("40"), child: Decimal("20.5"), baby: Decimal("0")},
    )
    sheet = load_workbook(BytesIO(owner_client.get(EXPORT, {"lodging": lodging.pk}).getvalue())).active
    header, row = next(sheet.iter_rows(min_row=1, max_row=2, values_only=True)), None
    row = list(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert header[6:] == (
        "Prix de vente par occupant – Adulte",
        "Prix de vente par occupant – Enfant",
        "Prix de vente par occupant – Bébé",
    )
    assert row[3:6] == (None, None, None) and row[6:] == (40, 20.5, 0)


def test_another_providers_lodging_in_the_address_shows_nothing_of_theirs(
    owner_client, provider, grid, other_provider
):
    other_lodging = factories.make_lodging(other_provider, name="Chez le voisin")
    generate(other_provider, other_lodging, date(2019, 3, 1), date(2019, 3, 31), 7, "999")
    response = owner_client.get(LIST, {"lodging": other_lodging.pk})
    assert response.status_code == 404  # not one of ours: not found, rather than a page of ours
    assert "999,00" not in response.content.decode()
    assert owner_client.get(EXPORT, {"lodging": other_lodging.pk}).status_code == 404

    # "Delete every row of the table" with a forged filter deletes nothing.
    owner_client.post(DELETE, {"scope": "all", "query": f"lodging={other_lodging.pk}"})
    with scopes_disabled():
        assert StayPrice.objects.filter(lodging=other_lodging).count() == 24  # arrivals 1 … 24 March
        assert StayPrice.objects.filter(lodging=grid).exists()
