"""Issue #17 item 8: an imported iCal reservation becomes a booking file in one click ("Créer le
dossier"): its dates and the guest's name prefilled, origin the platform, the platform's amount
recorded as a flagged platform price with an audit entry; the block then no longer takes the nights
(no double occupancy), shows on the planning or clashes — the file does, in Dossiers, Arrivées and
the revenue."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commercialisation import selectors, services
from commercialisation.models import ImportedBlock, Platform
from comptes.audit import history
from comptes.scoping import provider_scope
from reservations import availability
from reservations.models import Booking, BookingOrigin, BookingStatus, PriceSource, Stay
from reservations.services import AlreadyDone
from tests import factories
from tests.commercialisation.test_ical_selectors import block

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ARRIVAL, DEPARTURE = date(2024, 5, 15), date(2024, 5, 18)


@pytest.fixture
def airbnb(lodging):
    return factories.make_ical_feed(lodging, name="Airbnb Paradis", platform=Platform.AIRBNB)


@pytest.fixture
def reservation(airbnb):
    return block(airbnb, "hm-1", ARRIVAL, DEPARTURE, summary="Reserved - Ossipian")


def create_url(block_) -> str:
    return reverse("commercialisation:block_booking_create", kwargs={"block_pk": block_.pk})


def adults_field(provider) -> str:
    (bracket_pk,) = factories.adults(provider, 1)
    return f"occupants_{bracket_pk}"


def make_file(reservation, amount="412.50", **client):
    client.setdefault("last_name", "Ossipian")
    provider = reservation.provider
    with provider_scope(provider):
        return services.imported_block_booking_create(
            block=reservation,
            client_data=client,
            occupants=factories.adults(provider, 2),
            amount=Decimal(amount),
        )


@pytest.mark.parametrize(
    ("summary", "name"),
    [
        ("Reserved - Ossipian", "Ossipian"),
        ("Reserved", ""),
        ("Airbnb (Not available)", ""),
        ("CLOSED - Not available", ""),
        ("Kiourtzidou Eleni", "Kiourtzidou Eleni"),
        ("", ""),
    ],
)
def test_the_guest_name_is_read_from_the_platform_summary(summary, name):
    assert services.guest_name_guess(summary) == name


def test_a_platform_reservation_becomes_a_confirmed_file_with_the_platform_amount(
    provider, lodging, reservation, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = make_file(reservation, first_name="Anna")

    with provider_scope(provider):
        booking = Booking.objects.select_related("client").get(pk=booking.pk)
        stay = Stay.objects.get(booking=booking)
        assert (stay.lodging, stay.arrival, stay.departure) == (lodging, ARRIVAL, DEPARTURE)
        assert (booking.client.last_name, booking.client.first_name) == ("Ossipian", "Anna")
        assert booking.origin == BookingOrigin.ICAL and booking.origin_site == "Airbnb"
        assert booking.website == "Airbnb"
        # The platform's amount, flagged as such, with its audit entry; the grid did not apply.
        assert stay.price_source == PriceSource.PLATFORM
        assert booking.total_amount == Decimal("412.50")
        actions = [entry.action for entry in history(booking)]
        assert "booking.price.platform" in actions and "booking.ical.created" in actions
        # The platform took the booking: confirmed ("Réservation"), not an option.
        assert booking.status == BookingStatus.CONFIRMED
        assert booking.booking_type == "Réservation"
        linked = ImportedBlock.objects.get(pk=reservation.pk)
        assert linked.booking_id == booking.pk
        # No conflict with its own file, and none was mailed.
        assert not linked.in_conflict and linked.conflict_notified_at is None
        assert selectors.open_conflicts(provider) == []
    assert not [mail for mail in mailoutbox if "Conflit" in mail.subject]


def test_the_nights_are_taken_once_the_block_made_into_a_file(provider, lodging, reservation):
    with provider_scope(provider):
        before = availability.nights([lodging], ARRIVAL, DEPARTURE)[lodging.pk][ARRIVAL]
        assert (before.booked, before.external) == (0, 1)
    booking = make_file(reservation)
    with provider_scope(provider):
        night = availability.nights([lodging], ARRIVAL, DEPARTURE)[lodging.pk][ARRIVAL]
        assert (night.booked, night.external, night.taken) == (1, 0, 1)
        # The planning draws the file only: the imported block leaves it.
        assert selectors.imported_blocks([lodging], ARRIVAL, DEPARTURE)[lodging.pk] == []
        # The export sends the file's stay once, not the platform's reservation besides.
        assert selectors._export_blocks(lodging.pk, None).count() == 0

    factories.cancel(booking)  # the file cancelled: the platform's reservation takes them again
    with provider_scope(provider):
        night = availability.nights([lodging], ARRIVAL, DEPARTURE)[lodging.pk][ARRIVAL]
        assert (night.booked, night.external) == (0, 1)
        assert len(selectors.imported_blocks([lodging], ARRIVAL, DEPARTURE)[lodging.pk]) == 1


def test_a_reservation_is_made_into_one_file_only(provider, reservation):
    make_file(reservation)
    with pytest.raises(AlreadyDone):
        make_file(reservation)
    with provider_scope(provider):
        assert Booking.objects.count() == 1


def test_an_availability_block_cannot_become_a_file(owner_client, provider, airbnb):
    blocked = block(airbnb, "nb", ARRIVAL, DEPARTURE, kind="unavailable", summary="Airbnb (Not available)")
    assert owner_client.get(create_url(blocked)).status_code == 404
    with provider_scope(provider), pytest.raises(ValidationError, match="Seule la réservation"):
        services.imported_block_booking_create(
            block=blocked, client_data={"last_name": "X"}, occupants=factories.adults(provider, 1), amount=1
        )


def test_the_page_prefills_the_dates_and_the_name(owner_client, reservation):
    html = owner_client.get(create_url(reservation)).content.decode()
    assert 'value="Ossipian"' in html
    assert "mercredi 15/05/2024" in html and "samedi 18/05/2024" in html
    assert "Airbnb" in html


def test_the_file_is_created_from_the_page_and_listed_in_arrivals(owner_client, provider, reservation):
    response = owner_client.post(
        create_url(reservation),
        {"last_name": "Ossipian", "first_name": "", adults_field(provider): "2", "amount": "1 100,00"},
    )
    with provider_scope(provider):
        booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})
    assert booking.total_amount == Decimal("1100.00")

    html = owner_client.get(reverse("reservations:arrivals"), {"jour": "2024-05-15"}).content.decode()
    row = re.search(rf'<tr data-number="{booking.number}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'<td data-testid="website">Airbnb</td>', row)
    assert "<th>Site internet</th>" in html
    departures = owner_client.get(reverse("reservations:departures"), {"jour": "2024-05-18"})
    assert 'data-testid="website">Airbnb<' in departures.content.decode()

    # Back on the planning, the block became the file; a second click opens the file.
    planning = owner_client.get(reverse("reservations:planning"), {"debut": "2024-05-01"}).content.decode()
    assert "pl-imported" not in planning and "OSSIPIAN" in planning
    again = owner_client.get(create_url(reservation))
    assert again["Location"] == reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(owner_client, provider, reservation):
    response = owner_client.post(
        create_url(reservation), {"last_name": "", adults_field(provider): "0", "amount": "douze"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["last_name"] == ["Donnez le nom du client."]
    assert form.errors[adults_field(provider)] == ["Indiquez au moins un occupant."]
    assert "amount" in form.errors
    with provider_scope(provider):
        assert not Booking.objects.exists()
        assert ImportedBlock.objects.get(pk=reservation.pk).booking_id is None

    response = owner_client.post(
        create_url(reservation), {"last_name": "Ossipian", adults_field(provider): "99", "amount": "10"}
    )
    assert response.status_code == 200 and adults_field(provider) in response.context["form"].errors
    with provider_scope(provider):
        assert not Booking.objects.exists()


def test_the_planning_offers_create_the_file_on_a_platform_reservation_only(
    owner_client, provider, lodging, airbnb, reservation
):
    block(airbnb, "nb", date(2024, 5, 22), date(2024, 5, 24), kind="unavailable", summary="Not available")
    html = owner_client.get(reverse("reservations:planning"), {"debut": "2024-05-01"}).content.decode()
    assert html.count("Créer le dossier") == 1
    assert create_url(reservation) in html
    # And the lodging's sync page too.
    page = owner_client.get(reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": lodging.pk}))
    assert create_url(reservation) in page.content.decode()


def test_the_legend_shows_every_colour_in_use(owner_client, provider, lodging, airbnb):
    def legend(html: str) -> list[tuple[str, str]]:
        return re.findall(
            r'<li data-testid="legend-extra"><span class="swatch ([^"]+)"></span>([^<]+)</li>', html
        )

    url = reverse("reservations:planning")
    assert legend(owner_client.get(url, {"debut": "2024-05-01"}).content.decode()) == []

    booking_com = factories.make_ical_feed(lodging, name="Booking.com", platform=Platform.BOOKING)
    factories.make_booking_stay(lodging, date(2024, 5, 11), date(2024, 5, 14))
    block(airbnb, "r1", date(2024, 5, 8), date(2024, 5, 12))  # clashes with the file
    block(airbnb, "r2", date(2024, 5, 20), date(2024, 5, 22))
    block(booking_com, "b1", date(2024, 5, 15), date(2024, 5, 17))

    html = owner_client.get(url, {"debut": "2024-05-01"}).content.decode()
    assert legend(html) == [
        ("pl-conflict", "Conflit avec un dossier"),
        ("pl-imported tone-booking", "Booking.com"),
        ("pl-imported tone-airbnb", "Airbnb"),
    ]


def test_the_file_is_exported_to_the_other_platforms_but_not_back_to_its_own(provider, lodging, airbnb):
    from commercialisation.models import IcalExport

    booking_com = factories.make_ical_feed(lodging, name="Booking.com", platform=Platform.BOOKING)
    booking = make_file(block(airbnb, "hm-1", ARRIVAL, DEPARTURE, summary="Reserved - Ossipian"))
    with provider_scope(provider):
        export = services.export_ensure(lodging=lodging)
        export = IcalExport.objects.select_related("lodging").get(pk=export.pk)
        stay = Stay.objects.get(booking=booking)

        def dates(feed_id):
            events = selectors.export_events(export, exclude_feed_id=feed_id, booked="B", closed="C")
            return [(event.arrival, event.departure) for event in events]

        assert dates(None) == [(stay.arrival, stay.departure)]  # once: the file, not the block besides
        assert dates(booking_com.pk) == [(ARRIVAL, DEPARTURE)]
        assert dates(airbnb.pk) == []  # Airbnb has its own reservation: no echo of it


def test_a_reservation_the_platform_moves_after_its_file_takes_its_new_nights_and_warns(
    feed_server, provider, lodging, owner_client, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from tests.commercialisation import feeds

    feed = factories.make_ical_feed(lodging, feed_server.url("/airbnb.ics"), platform=Platform.AIRBNB)

    def sync(*events):
        feed_server.serve("/airbnb.ics", feeds.airbnb(*events))
        with provider_scope(provider), django_capture_on_commit_callbacks(execute=True):
            services.feed_sync(feed=feed)

    def night(day):
        with provider_scope(provider):
            found = availability.nights([lodging], day, day + timedelta(days=1))[lodging.pk][day]
        return found.booked, found.external

    def badge():
        from reservations.dashboard import alert_badge_count

        with provider_scope(provider):
            return alert_badge_count(provider=provider, today=date(2024, 5, 1))

    sync(feeds.airbnb_reserved("hm1", "20240515", "20240518"))
    with provider_scope(provider):
        reservation = ImportedBlock.objects.get()
    booking = make_file(reservation)
    assert night(date(2024, 5, 16)) == (1, 0)
    before = badge()

    # The guest moves the stay on Airbnb by a week: the file keeps its dates, the platform's new
    # nights are taken all the same (not sold twice), and the owner is told to move the file.
    sync(feeds.airbnb_reserved("hm1", "20240522", "20240525"))
    assert night(date(2024, 5, 16)) == (1, 0) and night(date(2024, 5, 23)) == (0, 1)
    assert badge() == before + 1  # the top bar's count too, at once
    with provider_scope(provider):
        assert services.imported_block_for_file(reservation.pk) is None  # not a second file
        with pytest.raises(AlreadyDone):
            make_file(reservation)
        reservation.refresh_from_db()
        assert not reservation.in_conflict  # its own file is the same guest, not a clash
        views = selectors.imported_blocks([lodging], date(2024, 5, 1), date(2024, 6, 1))[lodging.pk]
        assert [(view.arrival, view.file_number) for view in views] == [(date(2024, 5, 22), booking.number)]
    page = owner_client.get(reverse("reservations:dashboard")).content.decode()
    assert (
        f"Airbnb a déplacé la réservation du dossier n°{booking.number} (Petit coin de paradis) : elle "
        "est maintenant du 22/05/2024 au 25/05/2024. Déplacez aussi le dossier."
    ) in page

    # The owner moves the file to the new dates: one stay again, no warning.
    from reservations.services import stay_update

    with provider_scope(provider), django_capture_on_commit_callbacks(execute=True):
        stay = booking.stays.get()
        stay_update(
            stay=stay,
            arrival=date(2024, 5, 22),
            departure=date(2024, 5, 25),
            occupants=factories.adults(provider, 2),
            lodging_price=stay.lodging_price,
            discount=stay.discount,
        )
    assert night(date(2024, 5, 23)) == (1, 0) and night(date(2024, 5, 16)) == (0, 0)
    assert badge() == before
    assert (
        "Déplacez aussi le dossier"
        not in owner_client.get(reverse("reservations:dashboard")).content.decode()
    )


def test_a_returning_guest_gets_the_file_on_their_client(owner_client, provider, lodging, reservation):
    from reservations.models import Client

    earlier = factories.make_booking(lodging, date(2024, 6, 1), date(2024, 6, 8), last_name="Ossipian")
    with provider_scope(provider):
        returning = Client.objects.get(pk=earlier.client_id)
    page = owner_client.get(create_url(reservation)).content.decode()
    assert 'name="existing_client"' in page  # the client picker of the file's creation
    response = owner_client.post(
        create_url(reservation),
        {"existing_client": returning.pk, "last_name": "", adults_field(provider): "2", "amount": "412,50"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with provider_scope(provider):
        booking = Booking.objects.exclude(pk=earlier.pk).get()
        assert booking.client_id == returning.pk and Client.objects.count() == 1
    # Without a client picked, the name stays required (a new client).
    make_file_page = owner_client.post(
        create_url(block(reservation.feed, "hm-2", date(2024, 7, 1), date(2024, 7, 5))),
        {"last_name": "", adults_field(provider): "2", "amount": "100"},
    )
    assert "Donnez le nom du client." in make_file_page.content.decode()
    with provider_scope(provider):
        assert Booking.objects.count() == 2 and Client.objects.count() == 1  # nothing saved
