"""The booking journey's rules over HTTP, as a guest's browser posts them: the per-address flood
limit counts pré-réservations made (not failed tries), behind the TLS proxy too; the dates taken
by another guest between two steps; every tampered stay, party or promo code refused with its
message and nothing saved; and the files' origin per channel."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from commercialisation.models import BookingDraft
from commercialisation.public import views
from comptes.models import Provider, ProviderSettings
from comptes.scoping import scopes_disabled
from reservations.models import Booking, BookingOrigin, BookingStatus
from tarifs.models import PromoCode
from tests import factories
from tests.commercialisation.test_public import (
    ARRIVAL,
    GUEST,
    NOW,
    ORIGIN,
    book_to_summary,
    start,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guests_today")]

FLOOD = (
    "Several pre-bookings were already sent from your connection in the last hour. "
    "Please contact the owner directly, or try again later."
)
SUBMITS = int(views.SUBMIT_RATE.split("/")[0])  # pré-réservations allowed per address and hour


def submit(client, draft, *, lang="en", forwarded_for: str | None = None, **post):
    """The summary posted (terms accepted, the total shown), through the proxy when
    ``forwarded_for`` is given (the ``X-Forwarded-For`` it sends)."""
    url = reverse("public:journey", kwargs={"lang": lang, "token": draft.token, "step": "recapitulatif"})
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return client.post(url, {"accept_terms": "1", "total": "350.00", **post}, **ORIGIN, **headers)


def bookings() -> list[Booking]:
    with scopes_disabled():
        return list(Booking.objects.order_by("pk"))


def drafts() -> list[BookingDraft]:
    with scopes_disabled():
        return list(BookingDraft.objects.order_by("pk"))


# --- 1. the flood limit counts pré-réservations made -----------------------------------------------


def test_failed_submits_do_not_count_as_pre_bookings(client, office, paradis):
    draft = book_to_summary(client, office, paradis)
    for _attempt in range(SUBMITS):  # the terms box forgotten, as many times as bookings allowed
        response = submit(client, draft, accept_terms="")
        assert response.status_code == 400
        text = response.content.decode()
        assert "Please accept the terms of sale to book." in text and FLOOD not in text
    assert bookings() == []

    response = submit(client, draft)
    assert response.status_code == 302, response.content.decode()[:2000]
    [booking] = bookings()
    assert booking.status == BookingStatus.OPTION
    draft.refresh_from_db()
    assert draft.booking_id == booking.pk and draft.step == BookingDraft.Step.DONE


def test_the_pre_booking_after_the_allowed_ones_is_refused_and_nothing_saved(client, office, seller):
    lodgings = [factories.make_priced_lodging(seller, name=f"Gîte {index}") for index in range(SUBMITS + 1)]
    for lodging in lodgings[:SUBMITS]:
        draft = book_to_summary(client, office, lodging)
        assert submit(client, draft).status_code == 302
    last = book_to_summary(client, office, lodgings[-1])

    response = submit(client, last)
    assert response.status_code == 400
    assert FLOOD in response.content.decode()
    assert len(bookings()) == SUBMITS
    last.refresh_from_db()
    assert last.booking_id is None and last.step == BookingDraft.Step.SUMMARY
    # In French too, the same clear message.
    response = submit(client, last, lang="fr")
    assert "Plusieurs pré-réservations ont déjà été envoyées depuis votre connexion" in (
        response.content.decode()
    )
    assert len(bookings()) == SUBMITS


# --- 2. the guest's address behind the production TLS proxy -----------------------------------------


def _flood_from(client, office, seller, address: str) -> None:
    """``SUBMITS`` pré-réservations whose summary came through the proxy from ``address``."""
    for index in range(SUBMITS):
        lodging = factories.make_priced_lodging(seller, name=f"Gîte {address} {index}")
        draft = book_to_summary(client, office, lodging)
        assert submit(client, draft, forwarded_for=address).status_code == 302


def test_behind_the_proxy_each_guest_has_its_own_limit(client, office, seller, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _flood_from(client, office, seller, "203.0.113.7")
    blocked = book_to_summary(client, office, factories.make_priced_lodging(seller, name="Bloqué"))
    other = book_to_summary(client, office, factories.make_priced_lodging(seller, name="Libre"))

    # The same guest (an entry it sent itself left of the proxy's changes nothing): refused.
    response = submit(client, blocked, forwarded_for="198.51.100.9, 203.0.113.7")
    assert response.status_code == 400 and FLOOD in response.content.decode()
    blocked.refresh_from_db()
    assert blocked.booking_id is None
    # Another guest behind the same proxy (same REMOTE_ADDR): books.
    response = submit(client, other, forwarded_for="198.51.100.9")
    assert response.status_code == 302, re.findall(r'role="alert">(.*?)</', response.content.decode(), re.S)
    assert len(bookings()) == SUBMITS + 1


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, office, seller, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    _flood_from(client, office, seller, "203.0.113.7")
    draft = book_to_summary(client, office, factories.make_priced_lodging(seller, name="Usurpé"))

    response = submit(client, draft, forwarded_for="198.51.100.9")  # a spoofed address
    assert response.status_code == 400 and FLOOD in response.content.decode()
    assert len(bookings()) == SUBMITS


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.2"),
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "1.2.3.4, 198.51.100.9", "198.51.100.9"),
        (2, "1.2.3.4, 198.51.100.9, 10.0.0.3", "198.51.100.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "", "10.0.0.2"),
        (1, "not an address", "10.0.0.2"),
        (2, "198.51.100.9", "10.0.0.2"),
    ],
)
def test_the_guests_address_is_the_rightmost_entry_no_proxy_of_ours_added(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert views.client_ip(request) == expected


# --- 3. the dates taken between two steps ------------------------------------------------------------


def test_dates_taken_by_another_guest_answer_409_with_other_dates_and_save_nothing(client, office, paradis):
    first = book_to_summary(client, office, paradis)
    second = book_to_summary(client, office, paradis)  # both started while the dates were free
    assert submit(client, first).status_code == 302

    response = submit(client, second, lang="fr")
    assert response.status_code == 409
    text = response.content.decode()
    assert "<p><strong>Ces dates viennent d'être réservées.</strong></p>" in text
    assert "<p>Ces séjours sont encore libres :</p>" in text
    lodging_url = reverse(
        "public:office_lodging", kwargs={"lang": "fr", "slug": office.slug, "pk": paradis.pk}
    )
    offered = re.findall(
        rf'href="{re.escape(lodging_url)}\?arrivee=(\d{{4}}-\d\d-\d\d)&amp;nuits=7#calendar"', text
    )
    assert offered == ["2030-07-13", "2030-07-20", "2030-07-27"]  # the next free weeks
    first.refresh_from_db()
    assert [booking.pk for booking in bookings()] == [first.booking_id]
    second.refresh_from_db()
    assert second.booking_id is None and second.step == BookingDraft.Step.SUMMARY


# --- 4. tampered stays, parties and promo codes ------------------------------------------------------


def _start_refused(client, office, paradis, message: str, **stay) -> None:
    response = start(client, office, paradis, **stay)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert drafts() == [] and bookings() == []


def test_an_arrival_inside_the_booking_delay_is_refused(client, office, seller, paradis):
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(
            booking_delay=ProviderSettings.BookingDelay.MIN_DAYS, booking_delay_days=40
        )
    _start_refused(
        client,
        office,
        paradis,
        "This stay can no longer be booked online: the first possible arrival is 11/07/2030.",
    )


def test_an_arrival_that_fell_inside_the_booking_delay_is_refused_at_the_summary(
    client, office, seller, paradis
):
    draft = book_to_summary(client, office, paradis)
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(
            booking_delay=ProviderSettings.BookingDelay.MIN_DAYS, booking_delay_days=40
        )
    response = submit(client, draft)
    assert response.status_code == 400
    assert (
        "This stay can no longer be booked online: the first possible arrival is 11/07/2030."
        in response.content.decode()
    )
    assert bookings() == []
    draft.refresh_from_db()
    assert draft.booking_id is None and draft.step == BookingDraft.Step.SUMMARY


def test_a_stay_shorter_than_the_minimum_stay_is_refused(client, office, seller, paradis):
    with scopes_disabled():
        Provider.objects.filter(pk=seller.pk).update(min_stay_nights=10)
    _start_refused(client, office, paradis, "The minimum stay is 10 nights.")


def test_a_stay_with_no_price_is_refused(client, office, paradis):
    _start_refused(
        client, office, paradis, "There is no price for a stay of 6 nights from 06/07/2030.", nights=6
    )


def test_dates_in_the_past_are_refused(client, office, paradis):
    _start_refused(client, office, paradis, "This stay starts in the past.", arrival=date(2030, 5, 25))


def _at_options(client, office, lodging) -> BookingDraft:
    response = start(client, office, lodging)
    assert response.status_code == 302
    [draft] = drafts()
    occupants = {f"occupants_{k}": v for k, v in factories.adults(lodging.provider, 2).items()}
    assert client.post(step_url(draft, "sejour"), occupants, **ORIGIN).status_code == 302
    draft.refresh_from_db()
    return draft


def test_more_people_than_the_capacity_are_refused(client, office, seller, paradis):
    draft = _at_options(client, office, paradis)
    before = (draft.occupants, draft.seen_total, draft.step)
    occupants = {f"occupants_{k}": v for k, v in factories.adults(seller, 9).items()}

    response = client.post(step_url(draft, "sejour"), occupants, **ORIGIN)
    assert response.status_code == 400
    assert "This lodging sleeps 4 people at most." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.occupants, draft.seen_total, draft.step) == before
    assert bookings() == []


def _code_refused(client, draft, code: str, message: str) -> None:
    """The code posted at the options step is refused with ``message``; the draft keeps its code,
    options, total and step."""
    before = (draft.promo_code, draft.supplements, draft.seen_total, draft.step)
    response = client.post(step_url(draft, "options"), {"promo_code": code}, **ORIGIN)
    assert response.status_code == 400
    text = response.content.decode()
    assert f'<span class="errorlist" id="promo-error">{message}</span>' in text
    draft.refresh_from_db()
    assert (draft.promo_code, draft.supplements, draft.seen_total, draft.step) == before
    assert bookings() == []


@pytest.fixture
def draft_with_a_code(client, office, paradis):
    """A draft past its options step with the valid code ETE (10 %)."""
    factories.make_promo_code(paradis, code="ETE")
    draft = _at_options(client, office, paradis)
    assert client.post(step_url(draft, "options"), {"promo_code": "ete"}, **ORIGIN).status_code == 302
    draft.refresh_from_db()
    assert (draft.promo_code, str(draft.seen_total), draft.step) == (
        "ETE",
        "315.00",
        BookingDraft.Step.DETAILS,
    )
    return draft


def test_an_expired_promo_code_is_refused(client, paradis, draft_with_a_code):
    factories.make_promo_code(paradis, code="PRINTEMPS", valid_to=date(2030, 5, 31))
    _code_refused(client, draft_with_a_code, "printemps", "This promo code expired on 31/05/2030.")


def test_a_used_up_single_use_promo_code_is_refused(client, paradis, draft_with_a_code):
    factories.make_promo_code(paradis, code="UNEFOIS", usage=PromoCode.Usage.SINGLE)
    with scopes_disabled():
        PromoCode.objects.filter(code="UNEFOIS").update(times_used=1)
    _code_refused(client, draft_with_a_code, "UNEFOIS", "This promo code has already been used.")


def test_a_promo_code_of_another_provider_is_refused(client, office, draft_with_a_code):
    neighbour = factories.make_priced_lodging(factories.make_seller(office), name="Voisin")
    factories.make_promo_code(neighbour, code="VOISIN")
    _code_refused(client, draft_with_a_code, "VOISIN", "This promo code does not exist.")


# --- 5. the files' origin per channel ------------------------------------------------------------------


def _book_from(client, start_url: str, lodging) -> Booking:
    response = client.post(start_url, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}, **ORIGIN)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        draft = BookingDraft.objects.get(token=response["Location"].split("/")[3])
    occupants = {f"occupants_{k}": v for k, v in factories.adults(lodging.provider, 2).items()}
    assert client.post(step_url(draft, "sejour"), occupants, **ORIGIN).status_code == 302
    assert client.post(step_url(draft, "options"), {"promo_code": ""}, **ORIGIN).status_code == 302
    assert client.post(step_url(draft, "coordonnees"), GUEST, **ORIGIN).status_code == 302
    assert submit(client, draft).status_code == 302
    [booking] = bookings()
    return booking


def _start_url(name: str, lodging, **kwargs) -> str:
    return reverse(f"public:{name}", kwargs={"lang": "en", "pk": lodging.pk, **kwargs})


def test_a_file_booked_on_the_marketplace_has_origin_internet(client, office, paradis):
    booking = _book_from(client, _start_url("office_start", paradis, slug=office.slug), paradis)
    assert booking.origin == BookingOrigin.INTERNET


def test_a_file_booked_on_the_providers_own_site_has_origin_internet(client, seller, paradis):
    booking = _book_from(client, _start_url("site_start", paradis, number=seller.number), paradis)
    assert booking.origin == BookingOrigin.INTERNET


def test_a_file_booked_in_the_providers_widget_has_origin_widget(client, seller, paradis):
    booking = _book_from(client, _start_url("widget_site_start", paradis, number=seller.number), paradis)
    assert booking.origin == BookingOrigin.WIDGET


def test_a_file_booked_in_the_offices_widget_has_origin_widget(client, office, paradis):
    booking = _book_from(client, _start_url("widget_office_start", paradis, slug=office.slug), paradis)
    assert booking.origin == BookingOrigin.WIDGET


def test_trying_options_never_uses_up_the_guests_posts(client, office, seller, paradis):
    cleaning = factories.offer_supplement(paradis, "Ménage", "50.00")
    draft = _at_options(client, office, paradis)
    posts = int(views.POST_RATE.split("/")[0])
    for count in (1, 0) * posts:  # the live total: a POST per change of the options, nothing saved
        response = client.post(
            step_url(draft, "options"), {f"supplement_{cleaning.pk}": count}, HTTP_HX_REQUEST="true", **ORIGIN
        )
        assert response.status_code == 200
    assert "€350.00" in response.content.decode()
    draft.refresh_from_db()
    assert draft.step == BookingDraft.Step.OPTIONS and not draft.supplements  # nothing was saved
    # The guest's own POSTs are all still there: the options, then the details.
    response = client.post(step_url(draft, "options"), {f"supplement_{cleaning.pk}": 1}, **ORIGIN)
    assert response.status_code == 302
    assert client.post(step_url(draft, "coordonnees"), GUEST, **ORIGIN).status_code == 302


def test_the_header_of_the_live_total_buys_no_extra_posts_elsewhere(client, office, seller, paradis):
    draft = _at_options(client, office, paradis)
    posts = int(views.POST_RATE.split("/")[0])
    answers = [
        client.post(step_url(draft, "coordonnees"), {}, HTTP_HX_REQUEST="true", **ORIGIN).status_code
        for _attempt in range(posts)
    ]
    assert answers[-1] == 429 and 429 not in answers[: posts - 3], answers


@pytest.mark.django_db(transaction=True)
def test_pre_bookings_sent_at_the_same_second_from_one_address_keep_to_the_limit():
    from django.test import Client
    from django.utils import translation

    from commercialisation.public import journey
    from commercialisation.public.catalogue import Channel
    from tests.concurrency import race

    office = factories.make_office(slug="rafale")
    seller = factories.make_seller(office)
    drafts = []
    for index in range(2 * SUBMITS):  # as many stays as twice the pré-réservations allowed
        lodging = factories.make_priced_lodging(seller, name=f"Gîte {index}")
        draft = journey.draft_start(
            channel=Channel(office=office), lodging_id=lodging.pk, arrival=ARRIVAL, nights=7, language="en"
        )
        journey.draft_details_update(draft=draft, data={**GUEST, "last_name": f"Client {index}"})
        drafts.append(draft)
    answers: list[int] = []

    def attempt(index):
        response = Client().post(
            step_url(drafts[index], "recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN
        )
        answers.append(response.status_code)
        if response.status_code != 302:
            with translation.override("en"):
                assert views.flood_message() in response.content.decode()

    with time_machine.travel(NOW, tick=True):
        assert race(len(drafts), attempt) == ["ok"] * len(drafts)
    assert sorted(answers) == [302] * SUBMITS + [400] * SUBMITS
    assert len(bookings()) == SUBMITS
