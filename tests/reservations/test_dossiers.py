"""SUIVI DES RÉSERVATIONS > Dossiers: the search form, the list, the Excel export (with the
"Règlements" column of the NOUVEAUTE 2022), the top-bar search, "Arrivées" and "Départs".

The manual's example file: n°129, created 22/02/2024, confirmed, Dupont, "Petit coin de paradis",
27/04/2024 → 04/05/2024, 400,00 (350,00 + cleaning 50,00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from comptes.scoping import provider_scope
from reservations import services
from reservations.models import Booking, Payment
from tests import factories
from tests.factories import paris

pytestmark = pytest.mark.django_db

LIST = reverse("reservations:booking_list")
EXPORT = reverse("reservations:booking_export")
SEARCH = reverse("reservations:search")
ARRIVALS = reverse("reservations:arrivals")
DEPARTURES = reverse("reservations:departures")


def numbers(response) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [booking.number for booking in response.context["page"].object_list]


@pytest.fixture
def files(provider, lodging):
    """Five files on two lodgings; n°2 is cancelled, n°3 paid in full, n°4 has a promo code."""
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    factories.make_supplement(provider, lodgings=[lodging])  # Frais de ménage 50,00, mandatory
    made = {
        1: factories.make_file(
            lodging,
            date(2024, 4, 27),
            7,
            price="350.00",
            created_at=paris(2024, 2, 22, 10),
            last_name="Dupont",
            first_name="Marie",
            email="marie.dupont@example.com",
            optin=True,
        ),
        2: factories.make_file(other, date(2024, 4, 27), 3, price="200.00", last_name="Martin"),
        3: factories.make_file(
            other, date(2024, 5, 4), 2, price="150.00", last_name="Kiourtzidou", origin="internet"
        ),
        4: factories.make_file(
            lodging,
            date(2024, 5, 4),
            7,
            price="300.00",
            last_name="Ossipian",
            promo_code="ETE24",
            origin="widget",
        ),
        5: factories.make_file(other, date(2024, 6, 1), 7, price="500.00", last_name="Élodie Dupré"),
    }
    factories.record_payment(made[1], "100.00", on=date(2024, 3, 4))
    factories.record_payment(made[1], "-20.00", mode="virement", on=date(2024, 3, 6))
    with provider_scope(provider):
        services.payment_record(
            booking=made[1],
            date=date(2024, 4, 27),
            mode="carte",
            amount=Decimal("120.00"),
            reference="TX-42",
        )
        services.booking_contract_received(booking=made[1])
    factories.cancel(made[2])
    factories.record_payment(made[3], "150.00", on=date(2024, 4, 1))
    return made


# --- the list and its filters --------------------------------------------------------------------------


def test_the_page_opens_on_option_and_confirmed_files(owner_client, files):
    response = owner_client.get(LIST)
    assert numbers(response) == [5, 4, 3, 1]  # n°2 is cancelled
    html = response.text
    assert "Rechercher des dossiers" in html and "Exporter en fichier Excel" in html
    assert '<option value="open" selected>Option / Confirmé</option>' in html
    for label in ("Arrivée entre le", "et le", "Nom/E-mail du client", "Hébergement", "Numéro du dossier"):
        assert label in html
    for label in ("Opt-in", "Statut du dossier", "Solde du dossier", "Origine du dossier", "Code promo"):
        assert label in html
    assert "4 dossiers" in html
    assert numbers(owner_client.get(LIST, {"status": ""})) == [5, 4, 3, 2, 1]
    assert numbers(owner_client.get(LIST, {"status": "cancelled"})) == [2]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"arrival_from": "2024-04-27", "arrival_to": "2024-04-27"}, [2, 1]),
        ({"arrival_from": "2024-05-01"}, [5, 4, 3]),
        ({"arrival_to": "2024-05-04"}, [4, 3, 2, 1]),
        ({"client": "dupont"}, [1]),
        ({"client": "marie.dupont@"}, [1]),
        ({"client": "elodie"}, [5]),  # accents ignored
        ({"client": "DUPONT MARIE"}, [1]),
        ({"number": "4"}, [4]),
        ({"optin": "1"}, [1]),
        ({"optin": "0"}, [5, 4, 3, 2]),
        ({"balance": "paid"}, [3, 2]),  # n°2 is cancelled: nothing left to pay
        ({"balance": "due"}, [5, 4, 1]),
        ({"origin": "internet"}, [3]),
        ({"promo_code": "*"}, [4]),
        ({"promo_code": "-"}, [5, 3, 2, 1]),
        ({"promo_code": "ETE24"}, [4]),
        ({"tri": "arrival"}, [1, 2, 3, 4, 5]),
    ],
)
def test_search_filters(owner_client, files, params, expected):
    assert numbers(owner_client.get(LIST, {"status": "", **params})) == expected


def test_lodging_filter_and_status(owner_client, files, lodging):
    assert numbers(owner_client.get(LIST, {"lodging": lodging.pk})) == [4, 1]
    assert numbers(owner_client.get(LIST, {"status": "option"})) == [5, 4]
    # As in the manual, "Confirmé" includes the files paid in full; "Soldé" is the balance criterion.
    assert numbers(owner_client.get(LIST, {"status": "confirmed"})) == [3, 1]
    assert numbers(owner_client.get(LIST, {"status": "confirmed", "balance": "paid"})) == [3]
    html = owner_client.get(LIST).text
    status_select = html[html.index('name="status"') : html.index("</select>", html.index('name="status"'))]
    assert "Soldé" not in status_select


def test_the_table_shows_the_manual_columns(owner_client, files):
    html = owner_client.get(LIST, {"number": "1"}).text
    row = html[html.index('<tr data-number="1">') :]
    row = row[: row.index("</tr>")]
    for text in (
        "22/02/2024",
        "Confirmé",
        "DUPONT Marie",
        "Petit coin de paradis",
        "27/04/2024",
        "04/05/2024",
    ):
        assert text in row, text
    assert "400,00\xa0€" in row and "200,00\xa0€" in row  # total, balance
    assert f'href="{reverse("reservations:booking_detail", kwargs={"booking_pk": files[1].pk})}"' in row


def test_bad_input_gives_a_clear_message(owner_client, files):
    response = owner_client.get(LIST, {"arrival_from": "2024-05-10", "arrival_to": "2024-05-01"})
    assert response.status_code == 200
    assert 'id="id_arrival_to_error"' in response.text
    assert "La fin de la période doit être après son début." in response.text
    assert "Corrigez les critères de recherche" in response.text and response.context["page"] is None
    for params in ({"arrival_from": "32/13/2024"}, {"number": "abc"}, {"lodging": "999999"}, {"origin": "x"}):
        response = owner_client.get(LIST, params)
        assert response.status_code == 200 and response.context["page"] is None, params
        assert "errorlist" in response.text, params
    response = owner_client.get(EXPORT, {"arrival_from": "2024-05-10", "arrival_to": "2024-05-01"})
    assert response.status_code == 302 and response["Location"].startswith(LIST)


def test_another_providers_lodging_is_not_a_choice(owner_client, files, other_provider):
    foreign = factories.make_lodging(other_provider, name="Chez le voisin")
    factories.make_file(foreign, date(2024, 4, 27), 3, last_name="Voisin")
    response = owner_client.get(LIST, {"lodging": foreign.pk})
    assert response.context["page"] is None and "Chez le voisin" not in response.text
    assert "Voisin" not in owner_client.get(LIST, {"status": ""}).text


def test_pages_of_fifty(owner_client, provider, lodging):
    for index in range(55):
        factories.make_file(lodging, date(2025, 1, 1) + timedelta(days=2 * index), 1, last_name=f"C{index}")
    first = owner_client.get(LIST)
    assert len(numbers(first)) == 50 and "Page 1 sur 2" in first.text
    assert numbers(owner_client.get(LIST, {"status": "open", "page": "2"})) == [5, 4, 3, 2, 1]


# --- the Excel export ----------------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="dossiers-')
    sheet = load_workbook(BytesIO(response.getvalue())).active
    return list(sheet.iter_rows(values_only=True)), sheet


HEADERS = (
    "N° dossier",
    "Date de création",
    "Statut",
    "Contrat signé",
    "Date de relance du paiement des arrhes/acompte",
    "Hébergements",
    "Suppléments",
    "Règlements",
    "Occupants",
    "Date de relance du paiement du solde",
    "Arrivée",
    "Départ",
    "Origine",
    "Code promo",
    "Montant total",
    "Total des règlements",
    "Solde",
)


def test_export_rows_amounts_and_payments_match_the_files(owner_client, provider, files):
    rows, sheet = workbook_rows(owner_client.get(EXPORT, {"status": ""}))
    assert rows[0] == HEADERS
    data = {row[0]: row for row in rows[1:] if row and isinstance(row[0], int)}
    assert sorted(data) == [1, 2, 3, 4, 5]
    assert rows[-1][:2] == ("Nombre de dossiers", 5)
    with provider_scope(provider):
        for booking in Booking.objects.all():
            row = data[booking.number]
            # amounts as numbers, equal to the file's
            assert row[14:17] == (booking.total_amount, booking.paid_amount, booking.balance)
            assert all(isinstance(value, int | float) for value in row[14:17])
            payments = Payment.objects.filter(booking=booking).order_by("date", "id")
            assert (row[7] or "").count("\n") + bool(row[7]) == payments.count()

    one = data[1]
    assert one[1] == datetime(2024, 2, 22, 10, 0)  # Paris time, as on screen
    assert (one[2], one[3], one[4]) == ("Confirmé", "Reçu", None)  # no deposit reminder once confirmed
    assert one[5] == "Petit coin de paradis (27/04/2024 - 04/05/2024)"
    assert one[6] == "Petit coin de paradis : Frais de ménage x 1 = 50,00\xa0€"
    assert one[7].split("\n") == [
        "- 04/03/2024 : 100,00\xa0€ (Chèque)",
        "- 06/03/2024 : -20,00\xa0€ (Remboursement, Virement)",
        "- 27/04/2024 : 120,00\xa0€ (Carte bancaire) réf. TX-42",
    ]
    assert one[8] == "Petit coin de paradis : Adulte x 2"
    assert (one[9], one[10], one[11]) == (datetime(2024, 4, 27), datetime(2024, 4, 27), datetime(2024, 5, 4))
    assert (one[14], one[15], one[16]) == (400, 200, 200)
    assert data[2][2] == "Annulé" and data[2][14] == 0 and data[2][7] is None
    assert (data[4][12], data[4][13]) == ("Widget", "ETE24")
    assert data[5][4] is not None and data[5][3] == "Non reçu"  # an option: its deposit reminder date
    # formats: dates as dates, amounts in euros
    second = 2 + sorted(data, reverse=True).index(1)
    assert sheet.cell(second, 2).number_format == "DD/MM/YYYY HH:MM"
    assert sheet.cell(second, 11).number_format == "DD/MM/YYYY"
    assert sheet.cell(second, 15).number_format == '#,##0.00 "€"'
    assert "Dupont" not in str(rows)  # no personal data unless asked


def test_export_follows_the_search_and_adds_contact_details_on_request(owner_client, files):
    rows, _sheet = workbook_rows(
        owner_client.get(EXPORT, {"status": "", "origin": "widget", "coordonnees": "1"})
    )
    assert [row[0] for row in rows[1:] if row and isinstance(row[0], int)] == [4]
    assert rows[0][-6:] == ("Client", "E-mail", "Téléphone", "Code postal", "Ville", "Opt-in")
    assert rows[1][-6] == "Ossipian Marie"
    rows, _sheet = workbook_rows(owner_client.get(EXPORT))  # the page's default: option / confirmed
    assert sorted(row[0] for row in rows[1:] if row and isinstance(row[0], int)) == [1, 3, 4, 5]


def test_export_reads_files_in_chunks(
    owner_client, provider, lodging, django_assert_max_num_queries, monkeypatch
):
    """The export's queries grow with the number of chunks, never with the number of files."""
    from reservations import exports

    monkeypatch.setattr(exports, "EXPORT_CHUNK", 10)
    for index in range(25):
        factories.make_file(lodging, date(2025, 1, 1) + timedelta(days=2 * index), 1, last_name=f"C{index}")
    with django_assert_max_num_queries(40) as captured:
        rows, _sheet = workbook_rows(owner_client.get(EXPORT))
    assert len([row for row in rows[1:] if row and isinstance(row[0], int)]) == 25
    fetches = [q["sql"] for q in captured.captured_queries if 'FROM "reservations_payment"' in q["sql"]]
    assert len(fetches) == 3  # 25 files in chunks of 10: 3 prefetches of the payments


# --- the top bar ----------------------------------------------------------------------------------------


def test_top_bar_search_by_number(owner_client, files):
    detail = reverse("reservations:booking_detail", kwargs={"booking_pk": files[4].pk})
    for query in ("4", "n°4", " N° 4 ", "#4"):
        response = owner_client.get(SEARCH, {"q": query})
        assert response.status_code == 302 and response["Location"] == detail, query


def test_top_bar_unknown_number_or_name_gives_a_message(owner_client, files, other_provider):
    foreign = factories.make_lodging(other_provider, name="Chez le voisin")
    factories.make_file(foreign, date(2024, 4, 27), 3, last_name="Voisin")  # their n°1… and n°6 is not ours
    response = owner_client.get(SEARCH, {"q": "999"})
    assert response.status_code == 200
    assert "Il n’y a pas de dossier n°999." in response.text
    response = owner_client.get(SEARCH, {"q": "Voisin"})
    assert response.status_code == 200 and "Aucun dossier ne correspond à « Voisin »." in response.text
    response = owner_client.get(SEARCH, {"q": "x"})
    assert "au moins deux lettres" in response.text
    assert owner_client.get(SEARCH, {"q": ""})["Location"] == LIST


def test_top_bar_search_by_name(owner_client, files, lodging):
    response = owner_client.get(SEARCH, {"q": "ossipian"})
    assert response["Location"] == reverse("reservations:booking_detail", kwargs={"booking_pk": files[4].pk})
    factories.make_file(lodging, date(2024, 8, 1), 3, last_name="Ossipian", first_name="Anne")
    response = owner_client.get(SEARCH, {"q": "Ossipian"})
    assert response.status_code == 200 and "2 dossiers correspondent." in response.text
    assert [b.number for b in response.context["bookings"]] == [6, 4]
    assert owner_client.get(SEARCH, {"q": "Ossipian Anne"}).status_code == 302


def test_the_top_bar_search_box_is_enabled(owner_client):
    html = owner_client.get(reverse("reservations:dashboard")).text
    assert f'<form class="topbar-search" role="search" method="get" action="{SEARCH}">' in html


# --- "Arrivées" and "Départs" ---------------------------------------------------------------------------


def test_arrivals_and_departures_of_a_day(owner_client, files):
    response = owner_client.get(ARRIVALS, {"jour": "2024-04-27"})
    assert [b.number for b in response.context["bookings"]] == [1]  # n°2 is cancelled
    html = response.text
    assert "Rechercher des arrivées" in html and "Arrivées du" in html
    for header in ("N°", "Créé le", "Statut", "Client", "Hébergements", "Arrivée", "Départ", "Total"):
        assert f">{header}<" in html, header
    assert "Visualiser" in html and "400,00\xa0€" in html
    response = owner_client.get(DEPARTURES, {"jour": "2024-05-04"})
    assert [b.number for b in response.context["bookings"]] == [1]
    assert "Rechercher des départs" in response.text
    response = owner_client.get(DEPARTURES, {"jour": "2024-05-11"})
    assert [b.number for b in response.context["bookings"]] == [4]


def test_arrivals_default_to_today(owner_client, files):
    with time_machine.travel(paris(2024, 5, 4, 9), tick=False):
        response = owner_client.get(ARRIVALS)
    assert response.context["day"] == date(2024, 5, 4)
    assert sorted(b.number for b in response.context["bookings"]) == [3, 4]
    assert 'value="2024-05-04"' in response.text


def test_arrivals_bad_date(owner_client, files):
    response = owner_client.get(ARRIVALS, {"jour": "2024-02-31"})
    assert response.status_code == 200 and 'id="id_jour_error"' in response.text
    assert response.context["bookings"] == []


# --- a constant number of queries, 5 files or 500 -------------------------------------------------------


def test_pages_run_a_constant_number_of_queries(
    owner_client, provider, lodging, django_assert_max_num_queries
):
    """Measured with 5 files, then 500: every page runs the same number of queries."""
    other = factories.make_lodging(provider, name="Gîte La Colline Verte")
    regular = factories.make_file(lodging, date(2023, 12, 1), 2, last_name="Fidèle").client
    day = date(2024, 1, 1)

    def add(count, offset):
        for index in range(offset, offset + count):
            booking = factories.make_file(
                (lodging, other)[index % 2],
                day + timedelta(days=3 * (index // 2)),
                2,
                client=regular if index % 5 == 0 else None,
                last_name="Dupont" if index % 3 else f"Martin{index}",
                email=f"client{index % 40}@example.com",
                origin=("local", "internet", "phone")[index % 3],
            )
            if index % 4 == 0:
                factories.record_payment(booking, "50.00")

    pages = [
        (LIST, {}),
        (LIST, {"status": "", "client": "dupont", "arrival_from": "2024-01-01"}),
        (SEARCH, {"q": "Dupont"}),
        (ARRIVALS, {"jour": "2024-01-04"}),
        (DEPARTURES, {"jour": "2024-01-06"}),
        (reverse("reservations:dashboard"), {}),
        (reverse("reservations:client_list"), {}),
        (reverse("reservations:client_list"), {"q": "dupont"}),
        (reverse("reservations:client_detail", kwargs={"client_pk": regular.pk}), {}),
        (reverse("reservations:alerts"), {}),
    ]

    def measure():
        counts = []
        for url, params in pages:
            with django_assert_max_num_queries(40) as captured:
                assert owner_client.get(url, params).status_code == 200, url
            counts.append(len(captured.captured_queries))
        return counts

    add(4, 0)
    measure()  # warm the caches (content types) first
    small = measure()
    add(495, 4)
    with provider_scope(provider):
        assert Booking.objects.count() == 500
        assert Booking.objects.filter(client=regular).count() == 101
    assert measure() == small
