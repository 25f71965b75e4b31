"""The dashboard ("Tableau de bord"): figures checked against hand-computed values, the phone
booking quick form, the alert extension point, bad input, query budget.

The seeded set (today: Wednesday 15 May 2024, Paris), one lodging, totals = lodging price:

=====  =====================  ========  =====  ==========  =============================================
file   created (Paris)        origin    total  status      reminders
=====  =====================  ========  =====  ==========  =============================================
1      10/01/2024             local       350  option      deposit due 15/05/2024 (today) → waiting
2      25/01/2024             internet    400  confirmed   paid 100, balance due 10/05/2024 → waiting
3      05/03/2024             phone       250  paid        paid 250
4      01/03/2024 00:30       local       300  confirmed   paid 50, balance due 01/06/2024 (not yet)
5      15/01/2023             local       200  option      deposit due 16/05/2024 (tomorrow)
6      20/03/2023             widget      500  confirmed   paid 100, balance due 25/03/2023 → waiting
7      12/01/2024             local       600  cancelled   (left out everywhere)
8      10/03/2024             local       999  option      test file, deposit due 01/05 (left out)
9      14/05/2024             internet    450  option      deposit due 01/05/2024 → waiting
10     15/05/2024 09:00       local       150  option      deposit due 25/05/2024 (not yet)
=====  =====================  ========  =====  ==========  =============================================

File 4 was created at 00:30 in Paris on 1 March, still 29 February in UTC: it counts in March.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from comptes.scoping import provider_scope
from reservations import selectors, services
from reservations.dashboard import DashboardAlert, register_alert_source, unregister_alert_source
from reservations.models import Booking, BookingOrigin, Stay
from tests import factories
from tests.factories import paris

pytestmark = pytest.mark.django_db

TODAY = date(2024, 5, 15)
DASHBOARD = reverse("reservations:dashboard")


@pytest.fixture
def frozen():
    with time_machine.travel(paris(2024, 5, 15, 14, 0), tick=False):
        yield


def _file(lodging, number, created, origin, price, *, arrival, nights=5, name=None, **extra):
    booking = factories.make_file(
        lodging,
        arrival,
        nights,
        price=price,
        created_at=created,
        origin=origin,
        last_name=f"Client{name or number}",
        **extra,
    )
    assert booking.display_number == str(number)  # a test file has its own series (T-1)
    return booking


def _reminders(booking, deposit=None, balance=None):
    with provider_scope(booking.provider):
        services.booking_update_reminders(booking=booking, deposit_due_date=deposit, balance_due_date=balance)


@pytest.fixture
def seeded(frozen, provider, lodging):
    july = date(2024, 7, 1)
    files = {}
    files[1] = _file(lodging, 1, paris(2024, 1, 10), "local", "350", arrival=july)
    files[2] = _file(lodging, 2, paris(2024, 1, 25), "internet", "400", arrival=july + timedelta(days=10))
    files[3] = _file(lodging, 3, paris(2024, 3, 5), "phone", "250", arrival=july + timedelta(days=20))
    files[4] = _file(lodging, 4, paris(2024, 3, 1, 0, 30), "local", "300", arrival=july + timedelta(days=30))
    files[5] = _file(lodging, 5, paris(2023, 1, 15), "local", "200", arrival=july + timedelta(days=40))
    files[6] = _file(lodging, 6, paris(2023, 3, 20), "widget", "500", arrival=july + timedelta(days=50))
    files[7] = _file(lodging, 7, paris(2024, 1, 12), "local", "600", arrival=july + timedelta(days=60))
    files[8] = _file(
        lodging,
        "T-1",
        paris(2024, 3, 10),
        "local",
        "999",
        arrival=july + timedelta(days=70),
        is_test=True,
        name=8,
    )
    # The test file used no number of the real series: the next real file is n°8.
    files[9] = _file(
        lodging, 8, paris(2024, 5, 14), "internet", "450", arrival=date(2024, 5, 12), nights=4, name=9
    )
    files[10] = _file(
        lodging, 9, paris(2024, 5, 15, 9), "local", "150", arrival=date(2024, 5, 17), nights=3, name=10
    )

    _reminders(files[1], deposit=TODAY, balance=july)
    factories.record_payment(files[2], "100.00")
    _reminders(files[2], balance=date(2024, 5, 10))
    factories.record_payment(files[3], "250.00")
    factories.record_payment(files[4], "50.00")
    _reminders(files[4], balance=date(2024, 6, 1))
    _reminders(files[5], deposit=TODAY + timedelta(days=1), balance=july)
    factories.record_payment(files[6], "100.00")
    _reminders(files[6], balance=date(2023, 3, 25))
    factories.cancel(files[7])
    _reminders(files[8], deposit=date(2024, 5, 1))
    _reminders(files[9], deposit=date(2024, 5, 1), balance=date(2024, 5, 12))
    _reminders(files[10], deposit=date(2024, 5, 25), balance=date(2024, 5, 17))
    return files


def test_revenue_by_month_of_creation_this_year_and_last_year(seeded, provider):
    with provider_scope(provider):
        months = selectors.revenue_by_month(
            first_month=date(2024, 1, 1), last_month=date(2024, 12, 1), compare=True
        )
    by_month = {figure.month.month: figure for figure in months}
    assert len(months) == 12
    assert (by_month[1].revenue, by_month[1].count) == (Decimal("750.00"), 2)  # files 1 + 2 (7 cancelled)
    assert (by_month[2].revenue, by_month[2].count) == (Decimal("0.00"), 0)  # file 4 is March in Paris
    assert (by_month[3].revenue, by_month[3].count) == (Decimal("550.00"), 2)  # files 3 + 4 (8 is a test)
    assert (by_month[5].revenue, by_month[5].count) == (Decimal("600.00"), 2)  # files 9 + 10
    assert sum(figure.revenue for figure in months) == Decimal("1900.00")
    # A year earlier: file 5 in January 2023, file 6 in March 2023.
    assert by_month[1].previous_revenue == Decimal("200.00") and by_month[1].previous_count == 1
    assert by_month[3].previous_revenue == Decimal("500.00")
    assert by_month[2].previous_revenue == Decimal("0.00")

    with provider_scope(provider):
        alone = selectors.revenue_by_month(first_month=date(2024, 1, 1), last_month=date(2024, 3, 1))
    assert [f.revenue for f in alone] == [Decimal("750.00"), Decimal("0.00"), Decimal("550.00")]
    assert alone[0].previous_revenue is None


def test_recent_activity_reminders_and_origins(seeded, provider):
    with provider_scope(provider):
        activity = selectors.recent_activity(today=TODAY)
        reminders = selectors.reminders(today=TODAY)
        shares = selectors.origin_shares()
        awaiting_deposit = set(
            Booking.objects.filter(selectors.awaiting_deposit_q(TODAY)).values_list("number", flat=True)
        )
        awaiting_balance = set(
            Booking.objects.filter(selectors.awaiting_balance_q(TODAY)).values_list("number", flat=True)
        )
    assert (activity["7d"].count, activity["7d"].revenue) == (2, Decimal("600.00"))
    assert (activity["30d"].count, activity["30d"].revenue) == (2, Decimal("600.00"))
    assert (activity["12m"].count, activity["12m"].revenue) == (6, Decimal("1900.00"))
    assert (activity["today"].count, activity["today"].revenue) == (1, Decimal("150.00"))

    assert (reminders.deposit, reminders.balance) == (2, 2)
    assert awaiting_deposit == {1, 8}
    assert awaiting_balance == {2, 6}

    assert [(s.origin, s.count, s.percent) for s in shares] == [
        (BookingOrigin.LOCAL, 4, Decimal("50.0")),  # files 1, 4, 5, 10
        (BookingOrigin.INTERNET, 2, Decimal("25.0")),  # files 2, 9
        (BookingOrigin.PHONE, 1, Decimal("12.5")),
        (BookingOrigin.WIDGET, 1, Decimal("12.5")),
    ]


def test_the_page_shows_the_figures(seeded, owner_client):
    response = owner_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.text
    for title in (
        "Chiffre d’affaires par mois de prise de réservation",
        "Mon activité récente",
        "Mes relances",
        "Origines de toutes vos réservations",
        "Réservation par téléphone",
        "Prochaines arrivées",
        "Prochains départs",
        "Dernières réservations (1 aujourd’hui)",
    ):
        assert title in html, title
    assert "Aujourd’hui, 1 réservation a été réalisée." in html
    assert '<svg class="chart chart-bar"' in html and '<svg class="chart chart-donut"' in html
    assert "Total 2024 : 1\xa0900,00\xa0€ · 2023 : 700,00\xa0€" in html
    assert 'data-testid="activity-count">6<' in html
    assert 'data-testid="awaiting-deposit">2<' in html and 'data-testid="awaiting-balance">2<' in html
    assert f'href="{reverse("reservations:booking_list")}?relance=acompte"' in html
    assert "Dossier local : 50,0 % (4)" in html
    # Next arrivals / departures of the week, latest files (the test file is not listed).
    arrivals = html[html.index('data-testid="next-arrivals"') :]
    assert "Client10" in arrivals[: arrivals.index("</table>")]
    departures = html[html.index('data-testid="next-departures"') :]
    departures = departures[: departures.index("</table>")]
    assert "Client9" in departures and "Client10" in departures  # they leave on 16/05 and 20/05
    latest = html[html.index('data-testid="latest-bookings"') :]
    assert latest.index("Client10") < latest.index("Client9") and "Client8" not in latest


def test_next_departures_lists_every_departure_of_the_week(seeded, owner_client):
    html = owner_client.get(DASHBOARD).text
    departures = html[html.index('data-testid="next-departures"') :]
    departures = departures[: departures.index("</table>")]
    assert departures.index("Client9") < departures.index("Client10")  # 16/05 then 20/05


def test_the_reminders_consult_buttons_open_the_files_they_count(seeded, owner_client):
    deposit = owner_client.get(reverse("reservations:booking_list"), {"relance": "acompte"})
    assert [b.number for b in deposit.context["page"].object_list] == [8, 1]
    balance = owner_client.get(reverse("reservations:booking_list"), {"relance": "solde"})
    assert [b.number for b in balance.context["page"].object_list] == [6, 2]


def test_activity_tabs_and_chart_options(seeded, owner_client):
    html = owner_client.get(DASHBOARD, {"activite": "7d"}).text
    assert 'data-testid="activity-count">2<' in html
    html = owner_client.get(
        DASHBOARD, {"options": "1", "debut": "2024-01", "fin": "2024-03", "graphique": "line"}
    ).text
    assert '<svg class="chart chart-line"' in html
    assert "Total 2024 : 1\xa0300,00\xa0€" in html
    assert '<th class="num">2023</th>' not in html  # comparison unticked
    partial = owner_client.get(
        DASHBOARD,
        {"options": "1", "debut": "2024-01", "fin": "2024-03", "comparer": "on"},
        headers={"HX-Request": "true", "HX-Target": "revenue-block"},
    ).text
    assert partial.lstrip().startswith('<section class="card dashboard-revenue" id="revenue-block"')
    assert '<th class="num">2023</th>' in partial


def test_chart_options_bad_input_gives_a_message_and_the_default_chart(seeded, owner_client):
    response = owner_client.get(DASHBOARD, {"options": "1", "debut": "2024-06", "fin": "2024-02"})
    assert response.status_code == 200
    assert "Le dernier mois doit être après le premier mois." in response.text
    assert len(response.context["revenue"]["months"]) == 12  # the default interval
    response = owner_client.get(DASHBOARD, {"options": "1", "debut": "pas une date", "fin": "2024-02"})
    assert response.status_code == 200 and 'id="id_debut_error"' in response.text
    response = owner_client.get(DASHBOARD, {"options": "1", "debut": "2020-01", "fin": "2024-02"})
    assert "Choisissez 36 mois au plus." in response.text


def test_phone_booking_creates_an_option(frozen, owner_client, provider, lodging):
    response = owner_client.post(
        DASHBOARD,
        {
            "phone-client_name": "Ossipian",
            "phone-lodging": lodging.pk,
            "phone-arrival": "2024-06-01",
            "phone-departure": "2024-06-08",
            "phone-price": "350,00",
        },
    )
    assert response.status_code == 302
    with provider_scope(provider):
        booking = Booking.objects.select_related("client").get()
        stay = Stay.objects.get(booking=booking)
    assert booking.status == "option" and booking.origin == BookingOrigin.PHONE
    assert booking.client.last_name == "Ossipian" and booking.total_amount == Decimal("350.00")
    assert (stay.arrival, stay.departure) == (date(2024, 6, 1), date(2024, 6, 8))
    html = owner_client.get(DASHBOARD).text
    assert "Le dossier n°1 est créé, en option." in html
    latest = html[html.index('data-testid="latest-bookings"') :]
    assert "Ossipian" in latest and "Petit coin de paradis" in latest


def test_phone_booking_takes_the_grid_price_when_none_is_typed(frozen, owner_client, provider, lodging):
    factories.price_for_stay(lodging, date(2024, 6, 1), 7, "420.00")
    owner_client.post(
        DASHBOARD,
        {
            "phone-client_name": "Kiourtzidou",
            "phone-lodging": lodging.pk,
            "phone-arrival": "2024-06-01",
            "phone-departure": "2024-06-08",
        },
    )
    with provider_scope(provider):
        assert Booking.objects.get().total_amount == Decimal("420.00")


def test_phone_booking_bad_input_saves_nothing(frozen, owner_client, provider, lodging):
    factories.make_booking(lodging, date(2024, 6, 3), date(2024, 6, 5))
    base = {"phone-client_name": "Ossipian", "phone-lodging": lodging.pk, "phone-price": "100"}
    cases = [
        ({"phone-client_name": ""}, "id_phone-client_name_error", "Indiquez le nom du client."),
        (
            {"phone-arrival": "2024-06-10", "phone-departure": "2024-06-09"},
            "id_phone-departure_error",
            "La date de départ doit être après la date d’arrivée.",
        ),
        (
            {"phone-arrival": "2024-06-01", "phone-departure": "2024-06-04"},
            "id_phone-arrival_error",
            "Ces dates ne sont plus disponibles.",
        ),
        (
            {"phone-arrival": "2024-07-01", "phone-departure": "2024-07-04", "phone-price": ""},
            "id_phone-price_error",
            "Indiquez le prix du séjour.",
        ),
        ({"phone-arrival": "n'importe", "phone-departure": "2024-07-04"}, "id_phone-arrival_error", ""),
    ]
    for change, error_id, text in cases:
        data = {"phone-arrival": "2024-07-01", "phone-departure": "2024-07-04", **base, **change}
        response = owner_client.post(DASHBOARD, data)
        assert response.status_code == 200, change
        assert f'id="{error_id}"' in response.text, change
        assert text in response.text, change
    with provider_scope(provider):
        assert Booking.objects.count() == 1


def test_alert_sources_add_red_blocks(frozen, owner_client, provider):
    calls = []

    def conflicts(for_provider, today):
        calls.append((for_provider.pk, today))
        return [
            DashboardAlert(message="Conflit iCal : Petit coin de paradis, 12/08 → 15/08", url="/planning/")
        ]

    def broken(for_provider, today):
        raise RuntimeError("boom")

    register_alert_source(conflicts)
    register_alert_source(broken)
    try:
        html = owner_client.get(DASHBOARD).text
    finally:
        unregister_alert_source(conflicts)
        unregister_alert_source(broken)
    assert calls == [(provider.pk, TODAY)]
    # A list item of a plain list (no role overriding "listitem"), an SVG icon rather than an emoji.
    assert '<li class="alert alert-danger"><span class="icon" aria-hidden="true"><svg' in html
    assert "Conflit iCal : Petit coin de paradis" in html and "⚠" not in html
    assert "Conflit iCal" not in owner_client.get(DASHBOARD).text


def test_empty_account(owner_client):
    html = owner_client.get(DASHBOARD).text
    assert "Aujourd’hui, 0 réservation a été réalisée." in html
    assert "Pas d’élément à afficher pour l’instant !" in html


def test_dashboard_query_count_does_not_grow_with_the_files(
    frozen, owner_client, provider, lodging, django_assert_max_num_queries
):
    start = date(2024, 5, 13)
    for index in range(5):
        factories.make_file(
            lodging, start + timedelta(days=2 * index), 2, created_at=paris(2024, 5, 1 + index)
        )
    with django_assert_max_num_queries(30) as small:
        owner_client.get(DASHBOARD)
    for index in range(5, 40):
        factories.make_file(lodging, start + timedelta(days=2 * index), 2, origin="internet")
    with django_assert_max_num_queries(len(small.captured_queries)):
        owner_client.get(DASHBOARD)


def test_alert_icon_lists_online_files_to_finalise(
    frozen, owner_client, provider, lodging, django_capture_on_commit_callbacks
):
    july = date(2024, 7, 1)
    online = factories.make_file(lodging, july, 3, origin="internet", last_name="Ossipian")
    widget = factories.make_file(lodging, july + timedelta(days=5), 3, origin="widget", last_name="Martin")
    factories.make_file(lodging, july + timedelta(days=10), 3, origin="local", last_name="Local")
    factories.make_file(
        lodging, july + timedelta(days=15), 3, origin="internet", is_test=True, last_name="Test"
    )
    paid = factories.make_file(lodging, july + timedelta(days=20), 3, origin="internet", last_name="Payé")
    factories.record_payment(paid, "10.00")
    url = reverse("reservations:alerts")

    html = owner_client.get(DASHBOARD).text
    assert f'<a class="alert-icon" href="{url}" hx-get="{url}?badge=1" hx-trigger="load"' in html
    badge = owner_client.get(url, {"badge": "1"}).text
    assert badge.strip() == '<span class="alert-count has-alerts" data-testid="alert-count">2</span>'
    response = owner_client.get(url)
    assert [b.number for b in response.context["summary"].files] == [widget.number, online.number]
    assert "2 réservations en ligne à finaliser" in response.text

    def conflicts(for_provider, today):
        return [DashboardAlert(message="Conflit iCal")]

    register_alert_source(conflicts)
    cache.clear()  # the badge is cached a minute: a source registered at start-up counts at once
    try:
        assert ">3<" in owner_client.get(url, {"badge": "1"}).text
        assert "Conflit iCal" in owner_client.get(url).text
    finally:
        unregister_alert_source(conflicts)
    with django_capture_on_commit_callbacks(execute=True):  # the files' changes forget the count
        factories.record_payment(online, "10.00")
        factories.record_payment(widget, "10.00")
    assert owner_client.get(url, {"badge": "1"}).text.strip() == (
        '<span class="alert-count" data-testid="alert-count"></span>'
    )


def test_the_badge_counts_in_one_query_then_is_cached(owner_client, provider, lodging):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.make_file(lodging, date(2030, 7, 1), 3, origin="internet", last_name="Ossipian")
    url = reverse("reservations:alerts")
    with CaptureQueriesContext(connection) as first:
        assert ">1<" in owner_client.get(url, {"badge": "1"}).text
    with CaptureQueriesContext(connection) as second:
        assert ">1<" in owner_client.get(url, {"badge": "1"}).text
    counted = [q["sql"] for q in first.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 1  # files to finalise, conflicts and failing calendars together
    assert len(first.captured_queries) - len(second.captured_queries) == 1
