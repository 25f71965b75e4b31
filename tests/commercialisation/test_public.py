"""The guests' side: the marketplace search, lodging pages and the booking journey, over the test
client with the Origin header a browser sends. Prices shown are the engine's; nothing posted is a
price; every refusal saves nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from commercialisation.models import BookingDraft
from commercialisation.public import journey
from commercialisation.public.catalogue import Channel, SearchQuery, party, search
from comptes.models import OutgoingMail
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Lodging
from reservations.models import Booking, BookingOrigin, BookingStatus
from tarifs import engine
from tarifs.models import PromoCode
from tests import factories
from tests.concurrency import race

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guests_today")]

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)  # a Saturday
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def search_url(office, **params):
    url = reverse("public:office_search", kwargs={"lang": "en", "slug": office.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_search_shows_only_sellable_lodgings_each_at_the_engines_price(client, office, seller, paradis):
    taken = factories.make_priced_lodging(seller, name="Le Moulin")
    factories.make_booking(taken, ARRIVAL + timedelta(days=2), ARRIVAL + timedelta(days=5))
    small = factories.make_priced_lodging(seller, name="Cabane", price="200.00", capacity_max=2)
    factories.make_priced_lodging(seller, name="Invisible", visibility=Lodging.Visibility.HIDDEN)
    factories.make_lodging(seller, name="Sans tarif")
    in_test = factories.make_provider(office=office)
    factories.make_priced_lodging(in_test, name="En test")
    elsewhere = factories.make_seller(factories.make_office(slug="ailleurs"))
    factories.make_priced_lodging(elsewhere, name="Autre office")

    page = client.get(search_url(office, arrivee=ARRIVAL.isoformat(), nuits=7, personnes=3))
    text = page.content.decode()
    assert page.status_code == 200
    names = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', text)
    assert names == ["Petit coin de paradis"]
    # Every price shown is the engine's quote for that stay and party.
    with scopes_disabled():
        quote = engine.quote_batch(stays=[(paradis, ARRIVAL, 7)], occupants_for=party(3), now=NOW)[
            (paradis.pk, ARRIVAL, 7)
        ]
    assert isinstance(quote, engine.Quote) and quote.total == Decimal("350.00")
    assert "€350.00" in text and "Cabane" not in text and "Le Moulin" not in text
    # Two people: the small cabin fits and comes first (cheapest).
    page = client.get(search_url(office, arrivee=ARRIVAL.isoformat(), nuits=7, personnes=2))
    assert re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page.content.decode()) == [
        "Cabane",
        "Petit coin de paradis",
    ]
    assert small.pk


def test_each_shown_price_equals_the_engines_quote_with_promotions_crossed_out(office, seller, paradis):
    factories.make_promotion(
        paradis, kind="early_booking", days=20, valid_from=date(2030, 1, 1), valid_to=date(2030, 12, 31)
    )
    other = factories.make_priced_lodging(seller, name="Le Moulin", price="420.00")
    with scopes_disabled():
        result = search(Channel(office=office), SearchQuery(arrival=ARRIVAL, nights=7, persons=2), now=NOW)
        expected = {
            lodging.pk: engine.quote_stay(
                lodging=lodging,
                arrival=ARRIVAL,
                nights=7,
                occupants=factories.adults(seller, 2),
                online=True,
                now=NOW,
            ).total
            for lodging in (paradis, other)
        }
    assert {offer.lodging.pk: offer.price for offer in result.offers} == expected
    promoted = next(offer for offer in result.offers if offer.lodging.pk == paradis.pk)
    assert promoted.crossed_price == Decimal("350.00") and promoted.price < Decimal("350.00")


def test_an_empty_search_says_so_and_suggests_what_to_try(client, office, paradis):
    page = client.get(search_url(office, arrivee="2030-07-07", nuits=7))
    assert "No lodging is free from 7 July 2030 to 14 July 2030." in page.content.decode()


def test_the_lodging_page_shows_arrival_days_and_durations_with_prices(client, office, paradis):
    url = reverse("public:office_lodging", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk})
    page = client.get(url + "?mois=2030-07")
    text = page.content.decode()
    assert page.status_code == 200 and "Petit coin de paradis" in text
    assert "Saturday 6 July 2030 — arrival possible" in text
    assert "Sunday 7 July 2030 — no arrival this day" in text
    page = client.get(url + f"?arrivee={ARRIVAL.isoformat()}")
    assert "7 nights / €350.00" in page.content.decode()
    assert '"@type": "LodgingBusiness"' in page.content.decode()
    assert not page.cookies, "guest pages set no cookie"


def start(client, office, lodging, arrival=ARRIVAL, nights=7, **extra):
    url = reverse("public:office_start", kwargs={"lang": "en", "slug": office.slug, "pk": lodging.pk})
    return client.post(url, {"arrivee": arrival.isoformat(), "nuits": nights, **extra}, **ORIGIN)


def step_url(draft, step):
    return reverse("public:journey", kwargs={"lang": "en", "token": draft.token, "step": step})


GUEST = {
    "civility": "mme",
    "last_name": "Martin",
    "first_name": "Claire",
    "address": "3 rue des Lilas",
    "postcode": "31000",
    "city": "Toulouse",
    "country": "France",
    "phone1": "06 12 34 56 78",
    "email": "claire@example.com",
}


def book_to_summary(client, office, lodging, *, supplements=None, promo_code=""):
    response = start(client, office, lodging)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        draft = BookingDraft.objects.get(token=response["Location"].split("/")[3])
    adults = factories.adults(lodging.provider, 2)
    response = client.post(
        step_url(draft, "sejour"), {f"occupants_{k}": v for k, v in adults.items()}, **ORIGIN
    )
    assert response.status_code == 302
    posted = {f"supplement_{k}": v for k, v in (supplements or {}).items()} | {"promo_code": promo_code}
    response = client.post(step_url(draft, "options"), posted, **ORIGIN)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(step_url(draft, "coordonnees"), GUEST, **ORIGIN)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    return draft


def test_a_guest_books_with_cleaning_and_a_promo_code(client, office, seller, paradis):
    cleaning = factories.offer_supplement(paradis, "Ménage", "50.00")
    factories.make_promo_code(paradis, code="ETE30", value=Decimal("10"))
    draft = book_to_summary(client, office, paradis, supplements={cleaning.pk: 1}, promo_code="ete30")
    summary = client.get(step_url(draft, "recapitulatif"))
    assert "Ménage ? €50.00 x 1" in summary.content.decode()
    assert draft.seen_total == Decimal("365.00")  # 350 − 10 % on the lodging only + 50
    response = client.post(
        step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "365.00"}, **ORIGIN
    )
    assert response.status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
        assert booking.status == BookingStatus.OPTION and booking.origin == BookingOrigin.INTERNET
        assert booking.total_amount == Decimal("365.00") and booking.promo_code == "ETE30"
        assert booking.terms_text == "Terms of sale." and booking.terms_accepted_at is not None
        assert booking.language == "en" and booking.client.phone1 == "+33 6 12 34 56 78"
        assert PromoCode.objects.get().times_used == 1
        mails = sorted(OutgoingMail.objects.values_list("to", flat=True))
    assert mails == [["claire@example.com"], [seller.email]]
    confirmation = client.get(response["Location"])
    assert f"Your pre-booking no. {booking.number} has been sent" in confirmation.content.decode()


def test_a_changed_total_is_shown_again_and_nothing_is_saved(client, office, paradis):
    draft = book_to_summary(client, office, paradis)
    response = client.post(step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "1.00"}, **ORIGIN)
    assert response.status_code == 400
    assert "The total of your stay is now €350.00" in response.content.decode()
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_terms_must_be_accepted(client, office, paradis):
    draft = book_to_summary(client, office, paradis)
    response = client.post(step_url(draft, "recapitulatif"), {"total": "350.00"}, **ORIGIN)
    assert "Please accept the terms of sale to book." in response.content.decode()
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_tampering_is_refused(client, office, seller, paradis):
    # No Origin header (a cross-site form or a script): refused.
    url = reverse("public:office_start", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk})
    assert client.post(url, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}).status_code == 403
    assert (
        client.post(
            url, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}, HTTP_ORIGIN="https://evil.example"
        ).status_code
        == 403
    )
    # The honeypot filled in: refused.
    assert start(client, office, paradis, website="http://spam").status_code == 403
    # A lodging of another office, of a provider in test, an invisible one: no such page.
    elsewhere = factories.make_priced_lodging(
        factories.make_seller(factories.make_office(slug="ailleurs")), name="Autre"
    )
    in_test = factories.make_priced_lodging(factories.make_provider(office=office), name="En test")
    hidden = factories.make_priced_lodging(seller, name="Cachée", visibility=Lodging.Visibility.HIDDEN)
    for lodging in (elsewhere, in_test, hidden):
        assert start(client, office, lodging).status_code == 404
    # More people than the capacity.
    assert start(client, office, paradis).status_code == 302
    with scopes_disabled():
        draft = BookingDraft.objects.get()
    adults = factories.adults(seller, 9)
    response = client.post(
        step_url(draft, "sejour"), {f"occupants_{k}": v for k, v in adults.items()}, **ORIGIN
    )
    assert response.status_code == 400
    # A promo code of another provider.
    other = factories.make_priced_lodging(factories.make_seller(office), name="Voisin")
    factories.make_promo_code(other, code="VOISIN")
    response = client.post(
        step_url(draft, "sejour"),
        {f"occupants_{k}": v for k, v in factories.adults(seller, 2).items()},
        **ORIGIN,
    )
    response = client.post(step_url(draft, "options"), {"promo_code": "VOISIN"}, **ORIGIN)
    assert response.status_code == 400
    assert '<span class="errorlist" id="promo-error">This promo code does not exist.</span>' in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.promo_code == "" and draft.step == BookingDraft.Step.OPTIONS
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_the_journey_needs_no_cookie(client, office, paradis):
    book_to_summary(client, office, paradis)
    assert not client.cookies


@pytest.mark.django_db(transaction=True)
def test_twenty_guests_submitting_the_same_stay_get_one_option():
    office = factories.make_office(slug="course")
    seller = factories.make_seller(office)
    lodging = factories.make_priced_lodging(seller)
    drafts = []
    for index in range(20):
        draft = journey.draft_start(
            channel=Channel(office=office), lodging_id=lodging.pk, arrival=ARRIVAL, nights=7, language="fr"
        )
        journey.draft_details_update(draft=draft, data={**GUEST, "last_name": f"Client {index}"})
        drafts.append(draft)

    def attempt(index):
        journey.draft_submit(draft=drafts[index], accept_terms=True, opt_in=False, seen_total="350.00")

    with translation.override("fr"):
        refusal = {"arrival": [journey.dates_taken_message()]}
    outcomes = race(20, attempt, refusal=refusal)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 19
    with provider_scope(seller):
        assert Booking.objects.count() == 1


def test_an_unpaid_online_option_is_cancelled_after_its_deposit_day_with_mails(
    client, office, seller, paradis
):
    from reservations import options

    draft = book_to_summary(client, office, paradis)
    client.post(step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN)
    with scopes_disabled():
        booking = Booking.objects.get()
        due = booking.deposit_due_date
        assert options.provider_ids_with_expired_options(due) == []
        assert options.provider_ids_with_expired_options(due + timedelta(days=1)) == [seller.pk]
    with provider_scope(seller):
        assert options.expired_options_cancel(provider=seller, today=due) == []
        cancelled = options.expired_options_cancel(provider=seller, today=due + timedelta(days=1))
        assert [b.pk for b in cancelled] == [booking.pk]
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert options.expired_options_cancel(provider=seller, today=due + timedelta(days=1)) == []
        kinds = sorted(OutgoingMail.objects.values_list("kind", flat=True))
    assert kinds.count("booking.option_expired") == 1 and kinds.count("booking.option_expired.owner") == 1


def test_an_owner_may_keep_expired_options_flagged_instead(client, office, seller, paradis):
    from comptes.models import ProviderSettings
    from reservations import options

    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(expired_options="flag")
    draft = book_to_summary(client, office, paradis)
    client.post(step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN)
    with scopes_disabled():
        booking = Booking.objects.get()
        late = booking.deposit_due_date + timedelta(days=1)
        assert options.provider_ids_with_expired_options(late) == []
    seller.refresh_from_db()
    with provider_scope(seller):
        assert options.expired_options_cancel(provider=seller, today=late) == []
        assert Booking.objects.get().status == BookingStatus.OPTION


def _online_booking(client, office, paradis):
    draft = book_to_summary(client, office, paradis)
    client.post(step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN)
    with scopes_disabled():
        return Booking.objects.get()


def test_the_owner_accepts_an_online_pre_booking_from_the_file(client, office, seller, paradis):
    booking = _online_booking(client, office, paradis)
    client.force_login(factories.owner_of(seller))
    page = client.get(
        reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})
    ).content.decode()
    assert "Accepter la pré-réservation" in page
    url = reverse("reservations:booking_online_accept", kwargs={"booking_pk": booking.pk})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click says it is done
    with provider_scope(seller):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        assert OutgoingMail.objects.filter(to=["claire@example.com"]).count() == 2


def test_the_owner_refuses_an_online_pre_booking_with_a_message(client, office, seller, paradis):
    booking = _online_booking(client, office, paradis)
    client.force_login(factories.owner_of(seller))
    url = reverse("reservations:booking_online_refuse", kwargs={"booking_pk": booking.pk})
    assert client.post(url, {"reason": "Maison en travaux cet été."}).status_code == 302
    with provider_scope(seller):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        mail = OutgoingMail.objects.get(kind="booking.option_refused")
    assert mail.to == ["claire@example.com"] and "Maison en travaux cet été." in mail.body_text
    # The dates are free again: the stay shows on the marketplace.
    page = client.get(search_url(office, arrivee=ARRIVAL.isoformat(), nuits=7))
    assert "Petit coin de paradis" in page.content.decode()


def test_a_flood_of_pre_bookings_from_one_address_is_refused_with_a_message(client, office, seller):
    lodgings = [factories.make_priced_lodging(seller, name=f"Gîte {index}") for index in range(4)]
    outcomes = []
    for lodging in lodgings:
        draft = book_to_summary(client, office, lodging)
        response = client.post(
            step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN
        )
        outcomes.append(response.status_code)
    assert outcomes == [302, 302, 302, 400]
    assert "Several pre-bookings were already sent from your connection" in response.content.decode()
    with scopes_disabled():
        assert Booking.objects.count() == 3


def test_search_engines_find_titles_canonical_urls_a_sitemap_and_the_other_language(client, office, paradis):
    url = reverse("public:office_lodging", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk})
    page = client.get(url + "?mois=2030-08").content.decode()
    assert "<title>Petit coin de paradis · Ariège Pyrénées Tourisme</title>" in page
    assert f'<link rel="canonical" href="http://testserver{url}">' in page
    assert f'href="/fr/marche/{office.slug}/hebergement/{paradis.pk}/?mois=2030-08"' in page  # same place
    assert '<meta property="og:title" content="Petit coin de paradis">' in page
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{url}" in sitemap
    assert f"/fr/site/{paradis.provider.number}/hebergement/{paradis.pk}/" in sitemap


HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "2030-02-30",
    "abc",
    "-1",
    "99999999999999999999",
    "a\x00b",
    "<script>",
    "Ab" * 3000,
]


def test_hostile_query_strings_and_posts_never_answer_500(client, office, paradis):
    pages = [
        search_url(office),
        reverse("public:office_lodging", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk}),
        reverse("public:site_search", kwargs={"lang": "fr", "number": paradis.provider.number}),
    ]
    names = ["arrivee", "nuits", "depart", "personnes", "commune", "type", "tri", "page", "mois"]
    for page in pages:
        for name in names:
            for value in HOSTILE:
                response = client.get(page, {name: value})
                assert response.status_code in (200, 400, 404), (page, name, value)
    draft = book_to_summary(client, office, paradis)
    for step in ("sejour", "options", "coordonnees", "recapitulatif"):
        for name in ("occupants_1", "supplement_1", "promo_code", "email", "phone1", "accept_terms", "total"):
            for value in HOSTILE[:6]:
                response = client.post(step_url(draft, step), {name: value}, **ORIGIN)
                assert response.status_code in (200, 302, 400, 409, 429), (step, name, value)
    for value in HOSTILE:
        assert client.post(
            reverse("public:office_start", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk}),
            {"arrivee": value, "nuits": value},
            **ORIGIN,
        ).status_code in (400, 429)
    assert client.get("/xx/marche/ariege/").status_code == 404
    assert client.get("/en/reservation/nope/sejour/").status_code == 404


def test_the_lodging_page_shows_the_contact_details_the_owner_allows(client, office, seller, paradis):
    from comptes.models import ProviderSettings

    url = reverse("public:office_lodging", kwargs={"lang": "en", "slug": office.slug, "pk": paradis.pk})
    assert f"mailto:{seller.email}" in client.get(url).content.decode()
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(public_contact="hidden")
    page = client.get(url).content.decode()
    assert seller.email not in page and 'id="contact-title"' not in page


def test_a_lodging_priced_per_person_shows_the_price_of_the_party_searched(client, office, seller):
    from hebergements.models import AgeBracket
    from tarifs.services import stay_prices_generate

    lodging = factories.make_lodging(seller, name="Refuge du Pic", capacity_max=6)
    with provider_scope(seller):
        adult = AgeBracket.objects.get(label_fr="Adulte")
        stay_prices_generate(
            provider=seller,
            lodging=lodging,
            periods=[(date(2030, 7, 1), date(2030, 7, 31))],
            nights=7,
            weekdays=[5],
            bracket_prices={adult: Decimal("100.00")},
            commit=True,
        )
    for persons, total in ((2, "€200.00"), (3, "€300.00")):
        page = client.get(search_url(office, arrivee=ARRIVAL.isoformat(), nuits=7, personnes=persons))
        assert total in page.content.decode(), persons
