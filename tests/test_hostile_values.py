"""What the hostile-input fuzzing found, pinned down: spreadsheets never evaluate a guest's name,
control characters never break an export and are refused by the forms, query parameters out of
range answer the page, deleting twice says it is done."""

from __future__ import annotations

import threading
from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from comptes.scoping import provider_scope, scopes_disabled
from reservations.models import Booking, Client
from tests import factories

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("x")'


def sheet_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(content)).active


def cells(response):
    return [cell for row in sheet_of(response).iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("reservations:booking_export", {"status": "", "coordonnees": "1"}),
        ("reservations:client_export", {}),
        ("tarifs:export", {}),
    ],
)
def test_every_export_writes_formulas_as_text_and_drops_control_characters(owner_client, lodging, url, query):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13), last_name="Dupont")
    factories.price_for_stay(lodging, date(2030, 7, 6), 7, "350.00")
    with provider_scope(lodging.provider):
        # As typed elsewhere than in our forms (an import, an older version): the export must cope.
        Client.objects.filter(pk=booking.client_id).update(last_name=FORMULA, first_name="Ma\x01rie\x0b")
        lodging.__class__.objects.filter(pk=lodging.pk).update(name=f"{FORMULA} \x01gîte")
    sheet = sheet_of(owner_client.get(reverse(url), query))
    found = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "\x01" not in sheet.title
    assert not any("\x01" in str(cell.value) or "\x0b" in str(cell.value) for cell in found)
    if url == "tarifs:export":  # the lodging's name is the sheet's title only
        assert sheet.title.startswith("=HYPERLINK")
        return
    texts = [cell for cell in found if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert texts, "the export should hold the hostile name"
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in texts)
    assert any("Marie" in str(cell.value) for cell in found)


def test_a_phone_number_stays_readable_and_is_not_a_formula(owner_client, lodging):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    with provider_scope(lodging.provider):
        Client.objects.filter(pk=booking.client_id).update(phone1="+33 6 00 00 00 00")
    found = cells(owner_client.get(reverse("reservations:client_export")))
    phone = next(cell for cell in found if cell.value == "+33 6 00 00 00 00")
    assert phone.data_type == "s"


def test_forms_refuse_control_characters_with_a_message_next_to_the_field(owner_client, lodging):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    url = reverse("reservations:booking_client", kwargs={"booking_pk": booking.pk})
    response = owner_client.post(
        url, {"last_name": "Du\x01pont", "country": "France", "address": "1 \x0brue"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Retirez les caractères de contrôle") == 2  # next to each field at fault
    with provider_scope(lodging.provider):
        assert Client.objects.get(pk=booking.client_id).last_name == "Dupont"  # nothing saved
    # Newlines and tabs are text.
    note = reverse("reservations:booking_note", kwargs={"booking_pk": booking.pk})
    assert owner_client.post(note, {"text": "Ligne 1\r\nLigne\t2"}).status_code == 302


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("reservations:planning", {"debut": "9999-12-31"}),
        ("reservations:planning", {"debut": "0001-01-01"}),
        ("reservations:arrivals", {"jour": "0001-01-01"}),
        ("reservations:departures", {"jour": "9999-12-31"}),
        ("reservations:search", {"q": "dup\x00ont"}),
        ("reservations:client_options", {"q": "\x00\x00"}),
        ("hebergements:commune_options", {"commune_search": "fo\x00"}),
        ("reservations:booking_list", {"arrival_from": "9999-12-31", "page": "abc"}),
    ],
)
def test_parameters_out_of_range_answer_the_page(owner_client, url, query):
    assert owner_client.get(reverse(url), query).status_code in (200, 302)


def test_a_date_out_of_range_says_so_next_to_the_field(owner_client):
    response = owner_client.get(reverse("reservations:arrivals"), {"jour": "0001-01-01"})
    assert "Indiquez une date entre le 01/01/1900 et le 31/12/2199." in response.content.decode()


def test_ids_that_are_not_numbers_are_not_found(owner_client, lodging):
    assert owner_client.get(reverse("tarifs:list"), {"lodging": "abc"}).status_code == 404
    assert (
        owner_client.post(reverse("commercialisation:ical"), {"sync": "1", "lodging": "abc"}).status_code
        == 404
    )


def test_next_is_a_local_path_only(owner_client, lodging):
    factories.make_stay_prices(lodging, end=date(2024, 6, 8))
    from tarifs.models import StayPrice

    with provider_scope(lodging.provider):
        stay_price = StayPrice.objects.first()
    url = reverse("tarifs:stay_price_update", kwargs={"stay_price_pk": stay_price.pk})
    for target in ("NaN", "https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = owner_client.get(url, {"next": target})
        assert response.status_code == 200
        assert "evil.example" not in response.content.decode()
        assert "NaN" not in response.content.decode().split("<main", 1)[-1]


def test_deleting_a_file_twice_says_it_is_already_deleted(owner_client, lodging):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    url = reverse("reservations:booking_delete", kwargs={"booking_pk": booking.pk})
    assert owner_client.post(url).status_code == 302
    response = owner_client.post(url, follow=True)
    assert response.status_code == 200
    assert f"Le dossier n°{booking.number} est déjà supprimé." in response.content.decode()


def test_cancelling_twice_says_it_is_already_cancelled(owner_client, lodging):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    url = reverse("reservations:booking_cancel", kwargs={"booking_pk": booking.pk})
    owner_client.post(url)
    response = owner_client.post(url, follow=True)
    html = response.content.decode()
    assert "Ce dossier est déjà annulé." in html and 'class="message error"' not in html


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_delete_answers_twice_without_an_error():
    provider = factories.make_provider(number=92790)
    lodging = factories.make_lodging(provider)
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    url = reverse("reservations:booking_delete", kwargs={"booking_pk": booking.pk})
    owner = factories.owner_of(provider)
    start = threading.Barrier(2)
    codes: list[int] = []

    def click():
        client = HttpClient(raise_request_exception=False)
        client.force_login(owner)
        start.wait()
        codes.append(client.post(url).status_code)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [302, 302]
    with scopes_disabled():
        assert not Booking.objects.filter(pk=booking.pk).exists()
