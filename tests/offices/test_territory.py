"""The office's territory: figures, commission (the issue's acceptance case), the tourist tax
rates screens and the declaration, isolation between offices."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from comptes.scoping import provider_scope
from offices.selectors import commission_report, season_bounds, territory_figures
from reservations.models import BookingOrigin
from tarifs.models import TouristTaxCategory, TouristTaxRate
from tarifs.tourist_tax import tourist_tax_rate_save
from tests import factories
from tests.offices.conftest import make_staff

pytestmark = pytest.mark.django_db

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
SEASON = {"debut": "2026-01-01", "fin": "2026-12-31"}


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def territory(office):
    """Two providers of the office; three online files (one cancelled) and one local file."""
    provider = factories.make_provider(office=office, last_name="Dupont")
    other = factories.make_provider(office=office, last_name="Martin")
    lodging = factories.make_lodging(provider, capacity_max=6)
    lodging_b = factories.make_lodging(other, capacity_max=6)
    created = datetime(2026, 3, 10, 12, tzinfo=PARIS)
    files = {
        "online_1": factories.make_file(
            lodging, date(2026, 7, 4), price="350.50", origin=BookingOrigin.INTERNET, created_at=created
        ),
        "online_2": factories.make_file(
            lodging_b, date(2026, 8, 1), price="333.33", origin=BookingOrigin.WIDGET, created_at=created
        ),
        "cancelled": factories.make_file(
            lodging, date(2026, 8, 15), price="500.00", origin=BookingOrigin.INTERNET, created_at=created
        ),
        "local": factories.make_file(lodging, date(2026, 9, 5), price="420.00", created_at=created),
    }
    factories.cancel(files["cancelled"])
    return {"provider": provider, "other": other, "lodging": lodging, **files}


def test_commission_on_the_two_active_online_files_rounded_per_file(office, territory):
    report = commission_report(office=office, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [line.booking.pk for line in report.lines] == [territory["online_1"].pk, territory["online_2"].pk]
    # 3 % of 350,50 = 10,515 → 10,52; 3 % of 333,33 = 9,9999 → 10,00 (rounded half-up per file).
    assert [line.commission for line in report.lines] == [D("10.52"), D("10.00")]
    assert report.commission == D("20.52")  # the sum of the lines (3 % of the sum would be 20,51)
    assert report.sales == D("683.83")
    assert [entry.commission for entry in report.providers] == [D("10.52"), D("10.00")]


def test_commission_uses_the_offices_rate_and_the_arrival_range(office, territory):
    office.commission_rate = D("5.00")
    office.save()
    report = commission_report(office=office, start=date(2026, 7, 1), end=date(2026, 7, 31))
    assert [(line.booking.pk, line.commission) for line in report.lines] == [
        (territory["online_1"].pk, D("17.53"))  # 5 % of 350,50 = 17,525 → 17,53
    ]


def test_test_files_never_count(office, territory):
    factories.make_file(
        territory["lodging"], date(2026, 10, 3), price="999.00", origin=BookingOrigin.INTERNET, is_test=True
    )
    report = commission_report(office=office, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert report.commission == D("20.52")


def test_the_season_is_the_calendar_year_by_default():
    assert season_bounds(date(2026, 12, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert season_bounds(date(2026, 12, 1), date(2026, 5, 1)) == (date(2026, 5, 1), date(2026, 12, 31))
    assert season_bounds(date(2026, 12, 1), date(2026, 9, 1), date(2026, 6, 1)) == (
        date(2026, 6, 1),
        date(2026, 9, 1),
    )


def test_commission_page_and_export(staff_client, territory, django_assert_max_num_queries):
    url = reverse("offices:commission")
    with django_assert_max_num_queries(12):
        response = staff_client.get(url, SEASON)
    assert response.status_code == 200
    assert response.context["report"].commission == D("20.52")
    assert "20,52" in response.text
    export = staff_client.get(reverse("offices:commission_export"), SEASON)
    rows = read_xlsx(export)
    header, body = rows[0], rows[1:]
    assert header[2] == "N° dossier" or header[2] == "File no."
    file_lines = [row for row in body if isinstance(row[2], int)]
    assert [(row[2], row[8]) for row in file_lines] == [
        (territory["online_1"].number, 10.52),
        (territory["online_2"].number, 10.0),
    ]
    provider_totals = [row for row in body if row[2] is None and row[0] != body[-1][0]]
    assert [row[8] for row in provider_totals] == [10.52, 10.0]
    assert body[-1][8] == 20.52


def test_territory_figures_per_provider_and_month(office, territory, staff_client):
    data = territory_figures(office=office, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert data.season.files == 3  # the cancelled file is not a sale
    assert data.season.revenue == D("1103.83")
    assert data.season.online_files == 2
    assert data.season.online_revenue == D("683.83")
    assert data.season.cancelled == 1
    assert data.season.online_share == D("62.0")  # 683,83 / 1 103,83 = 61,95 %
    march = date(2026, 3, 1)
    dupont = next(row for row in data.providers if row.provider == territory["provider"])
    assert (dupont.months[march].online_files, dupont.months[march].online_revenue) == (1, D("350.50"))
    assert data.by_month[march].online_revenue == D("683.83")
    response = staff_client.get(reverse("offices:figures"), SEASON)
    assert response.status_code == 200 and "62.0" in response.text.replace(",", ".")


# --- the tourist tax screens --------------------------------------------------------------------


def rate_data(**overrides):
    data = {"commune": str(factories.foix().pk), "year": "2026", "category": "3", "rate": "1.00"}
    data.update(overrides)
    return data


def test_staff_add_and_edit_a_rate(staff_client, office):
    response = staff_client.post(reverse("offices:tourist_tax_create"), rate_data())
    assert response.status_code == 302
    rate = TouristTaxRate.objects.get()
    assert (rate.office, rate.year, rate.category, rate.rate) == (office, 2026, "3", D("1.00"))
    response = staff_client.post(reverse("offices:tourist_tax_edit", args=[rate.pk]), rate_data(rate="1.20"))
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == D("1.20")
    page = staff_client.get(reverse("offices:tourist_tax_list"))
    assert "Foix" in page.text


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


def test_a_rate_outside_the_legal_bounds_is_refused_next_to_the_field(staff_client):
    response = staff_client.post(reverse("offices:tourist_tax_create"), rate_data(rate="2.00"))
    assert response.status_code == 422
    assert any("1,70" in error for error in field_errors(response, "rate"))
    assert 'id="id_rate_error"' in response.text
    assert not TouristTaxRate.objects.exists()


def test_a_second_rate_for_the_same_commune_year_and_category_is_refused(staff_client, office):
    tourist_tax_rate_save(office=office, commune=factories.foix(), year=2026, category="3", rate=D("1.00"))
    response = staff_client.post(reverse("offices:tourist_tax_create"), rate_data(rate="1.50"))
    assert response.status_code == 422
    assert field_errors(response, "category")
    assert list(TouristTaxRate.objects.values_list("rate", flat=True)) == [D("1.00")]


def test_bad_input_gives_messages_and_saves_nothing(staff_client):
    response = staff_client.post(
        reverse("offices:tourist_tax_create"), {"commune": "", "year": "abc", "category": "x", "rate": "-1"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert {"commune", "year", "category", "rate"} <= set(form.errors)
    assert not TouristTaxRate.objects.exists()


def test_departmental_vote(staff_client, office):
    url = reverse("offices:tourist_tax_departmental_add")
    assert staff_client.post(url, {"department": "09", "year": "2026"}).status_code == 302
    again = staff_client.post(url, {"department": "09", "year": "2026"})
    assert again.status_code == 422
    assert again.context["departmental_form"].errors["department"]
    unknown = staff_client.post(url, {"department": "ZZ", "year": "2026"})
    assert unknown.context["departmental_form"].errors["department"]


def test_the_declaration_per_commune_and_month(office, staff_client):
    provider = factories.make_provider(office=office)
    lodging = factories.make_lodging(provider, classification="3", capacity_max=6)
    tourist_tax_rate_save(office=office, commune=factories.foix(), year=2026, category="3", rate=D("1.00"))
    brackets = factories.age_brackets(provider)
    from reservations.services import OwnerPrice, booking_create

    with provider_scope(provider):
        booking = booking_create(
            provider=provider,
            lodging=lodging,
            arrival=date(2026, 7, 28),
            departure=date(2026, 8, 4),  # 4 nights in July, 3 in August
            occupants={brackets["Adulte"].pk: 2, brackets["Enfant"].pk: 1},
            owner_price=OwnerPrice(D("700.00")),
            client_data={"last_name": "Durand"},
        )
    # A file sold by a platform is left out.
    with provider_scope(provider):
        booking_create(
            provider=provider,
            lodging=lodging,
            arrival=date(2026, 8, 10),
            departure=date(2026, 8, 12),
            occupants={brackets["Adulte"].pk: 2},
            owner_price=OwnerPrice(D("200.00")),
            client_data={"last_name": "Airbnb"},
            origin=BookingOrigin.ICAL,
        )
    response = staff_client.get(reverse("offices:tourist_tax_report"), SEASON)
    rows = response.context["rows"]
    assert [
        (row.month, row.nights, row.people, row.exempt, row.taxable_nights, row.amount) for row in rows
    ] == [
        (date(2026, 7, 1), 4, 2, 1, 8, D("8.00")),
        (date(2026, 8, 1), 3, 2, 1, 6, D("6.00")),
    ]
    assert response.context["total"] == D("14.00")
    export = read_xlsx(staff_client.get(reverse("offices:tourist_tax_report_export"), SEASON))
    assert export[1][0] == "Foix" and export[1][1] == "09122"
    assert [row[-1] for row in export[1:]] == [8.0, 6.0, 14.0]
    # The file page shows the tax on top of the total.
    owner = factories.owner_of(provider)
    staff_client.force_login(owner)
    page = staff_client.get(reverse("reservations:booking_detail", args=[booking.pk]))
    assert 'data-testid="tourist-tax"' in page.text and "14,00" in page.text


def test_the_contract_sentence_is_computed(office):
    from reservations.documents.content import contract_html

    provider = factories.make_provider(office=office)
    lodging = factories.make_lodging(provider, classification="1")
    tourist_tax_rate_save(office=office, commune=factories.foix(), year=2026, category="1", rate=D("0.44"))
    booking = factories.make_file(lodging, date(2026, 7, 4), nights=7)
    with provider_scope(provider):
        html = contract_html(booking=booking)
    # 0,44 € × 2 adults × 7 nights = 6,16 €.
    assert "La taxe de séjour de 0,44" in html and "6,16" in html


# --- isolation ----------------------------------------------------------------------------------


def office_urls(rate_pk, departmental_pk):
    get_only = [
        reverse("offices:figures"),
        reverse("offices:commission"),
        reverse("offices:commission_export"),
        reverse("offices:tourist_tax_list"),
        reverse("offices:tourist_tax_create"),
        reverse("offices:tourist_tax_report"),
        reverse("offices:tourist_tax_report_export"),
        reverse("offices:commune_options") + "?q=foi",
    ]
    with_object = [
        reverse("offices:tourist_tax_edit", args=[rate_pk]),
        reverse("offices:tourist_tax_delete", args=[rate_pk]),
        reverse("offices:tourist_tax_departmental_delete", args=[departmental_pk]),
    ]
    return get_only, with_object


def test_another_offices_staff_and_owners_get_404(client, office, other_office, territory):
    from tarifs.tourist_tax import tourist_tax_departmental_add

    rate = tourist_tax_rate_save(
        office=office, commune=factories.foix(), year=2026, category="3", rate=D("1")
    )
    vote = tourist_tax_departmental_add(office=office, department="09", year=2026)
    get_only, with_object = office_urls(rate.pk, vote.pk)

    client.force_login(make_staff(other_office, "staff@autre.example"))
    for url in with_object:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, rate_data(rate="1.50")).status_code == 404, url
    # The other office sees none of this office's files or rates.
    report = client.get(reverse("offices:commission"), SEASON)
    assert report.context["report"].commission == D("0")
    assert "Foix" not in client.get(reverse("offices:tourist_tax_list")).text
    with scopes_disabled():
        rate.refresh_from_db()
    assert rate.rate == D("1.00")

    client.force_login(factories.owner_of(territory["provider"]))
    for url in get_only + with_object:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, rate_data()).status_code in (404, 405), url

    client.logout()
    for url in get_only:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_rate_category_enum_covers_the_scale():
    assert TouristTaxCategory.UNCLASSIFIED in TouristTaxCategory.values


def test_the_demo_shows_a_tourist_tax_line(db):
    import time_machine
    from django.core.management import call_command

    from reservations.models import Booking
    from reservations.tourist_tax import booking_tourist_tax

    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=PARIS), tick=False):
        call_command("demo")
        call_command("demo")  # idempotent: no second rate
        with scopes_disabled():
            rates = set(TouristTaxRate.objects.values_list("year", "category", "rate"))
            assert {
                (2026, "3", D("1.00")),
                (2026, "2", D("0.80")),
                (2026, "unclassified", D("4.00")),
            } <= rates
            booking = Booking.objects.filter(stays__lodging__name="Petit coin de paradis").first()
            provider = booking.provider
        with provider_scope(provider):
            assert booking_tourist_tax(booking) > 0


@pytest.mark.parametrize("count", [1, 6])
def test_list_pages_take_a_constant_number_of_queries(
    staff_client, office, count, django_assert_max_num_queries
):
    """Figures, commission, rates and declaration: the same queries for 1 provider as for 6."""
    communes = list(factories.foix().__class__.objects.filter(department="09").order_by("insee_code")[:count])
    for index in range(count):
        provider = factories.make_provider(office=office)
        lodging = factories.make_lodging(provider, classification="3", commune=communes[index])
        tourist_tax_rate_save(office=office, commune=communes[index], year=2026, category="3", rate=D("1.00"))
        factories.make_file(lodging, date(2026, 7, 4), origin=BookingOrigin.INTERNET)
    for name in (
        "offices:figures",
        "offices:commission",
        "offices:tourist_tax_list",
        "offices:tourist_tax_report",
    ):
        with django_assert_max_num_queries(14):
            response = staff_client.get(reverse(name), SEASON)
        assert response.status_code == 200, name
    assert (
        staff_client.get(reverse("offices:tourist_tax_report"), SEASON).context["total"] == D("14.00") * count
    )


@pytest.mark.parametrize(
    "params",
    [
        {"debut": "9999-99-99", "fin": "abc"},
        {"debut": "1900-01-01", "fin": "2199-12-31"},
        {"debut": "2026-12-31", "fin": "2026-01-01"},
        {"debut": "\x00", "fin": "2026-13-01"},
    ],
)
def test_hostile_dates_never_break_the_reports(staff_client, territory, params):
    for name in (
        "offices:figures",
        "offices:commission",
        "offices:commission_export",
        "offices:tourist_tax_report",
        "offices:tourist_tax_report_export",
    ):
        response = staff_client.get(reverse(name), params)
        assert response.status_code == 200, (name, params)
        if response.streaming:
            b"".join(response.streaming_content)
    figures = staff_client.get(reverse("offices:figures"), {"debut": "1900-01-01", "fin": "2199-12-31"})
    assert len(figures.context["data"].months) == 24


@pytest.mark.parametrize(
    "data",
    [
        {"year": "99999999999", "rate": "1"},
        {"rate": "1e400"},
        {"rate": "NaN"},
        {"rate": "0.123"},
        {"commune": "99999999999"},
        {"commune": "abc"},
        {"category": "\x00"},
    ],
)
def test_hostile_rate_input_is_refused_with_a_message(staff_client, data):
    response = staff_client.post(reverse("offices:tourist_tax_create"), rate_data(**data))
    assert response.status_code == 422
    assert response.context["form"].errors
    assert not TouristTaxRate.objects.exists()
