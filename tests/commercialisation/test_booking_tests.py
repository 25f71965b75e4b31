"""COMMERCIALISATION > Tests de réservation: a provider in test status is reachable only with its
signed link; files booked through it are test files (own series T-1…, counted nowhere, mails to the
owner only, "Supprimer tous les dossiers de test"); "Demander le passage en production" is stored,
shown ("Demande envoyée le …") and mailed to the office, with the checklist the office checks."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from commercialisation.models import BookingDraft, ProductionRequest
from commercialisation.production import provider_checklist
from commercialisation.public.testmode import sign_test_link
from comptes.models import AuditEntry, OutgoingMail, Provider
from comptes.scoping import provider_scope, scopes_disabled
from reservations import selectors
from reservations.models import Booking, BookingOrigin, Client
from reservations.services.reminders import deposits_late
from tests import factories

pytestmark = pytest.mark.django_db

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
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


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office():
    office = factories.make_office(slug="ariege")
    with scopes_disabled():
        office.email = "referent@ariege.example"
        office.save()
    return office


@pytest.fixture
def tester(office):
    """A provider selling online (terms written) but still in test status."""
    provider = factories.make_seller(office, number=92750, email="owner@example.com")
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.TEST)
        provider.refresh_from_db()
    return provider


@pytest.fixture
def lodging(tester):
    return factories.make_priced_lodging(tester)


def site(provider, name="search", lang="en", token=None, widget=False, **kwargs):
    prefix = "widget_" if widget else ""
    if token is None:
        return reverse(
            f"public:{prefix}site_{name}", kwargs={"lang": lang, "number": provider.number, **kwargs}
        )
    return reverse(
        f"public:{prefix}test_{name}",
        kwargs={"lang": lang, "number": provider.number, "test": token, **kwargs},
    )


def book(client, provider, lodging, token, widget=False):
    response = client.post(
        site(provider, "start", token=token, widget=widget, pk=lodging.pk),
        {"arrivee": ARRIVAL.isoformat(), "nuits": 7},
        **ORIGIN,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        draft = BookingDraft.objects.get(token=response["Location"].split("/")[3])
    step = lambda name: reverse("public:journey", kwargs={"lang": "en", "token": draft.token, "step": name})  # noqa: E731
    adults = factories.adults(provider, 2)
    assert (
        client.post(step("sejour"), {f"occupants_{k}": v for k, v in adults.items()}, **ORIGIN).status_code
        == 302
    )
    assert client.post(step("options"), {"promo_code": ""}, **ORIGIN).status_code == 302
    assert client.post(step("coordonnees"), GUEST, **ORIGIN).status_code == 302
    summary = client.get(step("recapitulatif"))
    assert 'data-testid="test-banner"' in summary.content.decode()  # the banner on every step
    response = client.post(step("recapitulatif"), {"accept_terms": "1", "total": "350.00"}, **ORIGIN)
    assert response.status_code == 302, response.content.decode()[:3000]
    return draft


def test_a_provider_in_test_is_404_to_the_public_and_open_with_its_signed_link(client, tester, lodging):
    other = factories.make_seller(factories.make_office(slug="ailleurs"))
    for url in (site(tester), site(tester, "lodging", pk=lodging.pk)):
        assert client.get(url).status_code == 404
    response = client.post(
        site(tester, "start", pk=lodging.pk), {"arrivee": ARRIVAL.isoformat(), "nuits": 7}, **ORIGIN
    )
    assert response.status_code == 404

    token = sign_test_link(tester)
    page = client.get(site(tester, token=token) + f"?arrivee={ARRIVAL.isoformat()}&nuits=7")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="test-banner"' in text and "Petit coin de paradis" in text
    assert 'name="robots" content="noindex' in text
    # Links of the test site keep the token (the lodging page, then its booking form).
    lodging_url = site(tester, "lodging", token=token, pk=lodging.pk)
    assert lodging_url in text
    chosen = client.get(lodging_url + f"?arrivee={ARRIVAL.isoformat()}").content.decode()
    assert site(tester, "start", token=token, pk=lodging.pk) in chosen

    # A forged, tampered, expired or another provider's token: 404.
    forged = signing.TimestampSigner(salt="another-salt").sign(str(tester.number))
    for bad in ("nope", token[:-2] + "xx", forged, sign_test_link(other)):
        assert client.get(site(tester, token=bad)).status_code == 404, bad
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        assert client.get(site(tester, token=token)).status_code == 404
    # Still not on the office's marketplace.
    market = client.get(reverse("public:office_search", kwargs={"lang": "en", "slug": tester.office.slug}))
    assert "Petit coin de paradis" not in market.content.decode()


def test_a_test_booking_is_a_test_file_with_its_own_series_counted_nowhere(client, tester, lodging):
    draft = book(client, tester, lodging, sign_test_link(tester))
    with scopes_disabled():
        booking = Booking.objects.get()
        draft.refresh_from_db()
        mails = list(OutgoingMail.objects.order_by("pk"))
    assert draft.is_test and booking.is_test
    assert (booking.number, booking.display_number, str(booking)) == (1, "T-1", "n°T-1")
    # Test mails go to the owner's address only, marked as tests.
    assert [mail.to for mail in mails] == [[tester.email], [tester.email]]
    assert all(mail.subject.startswith("[TEST] ") and not mail.cc and not mail.bcc for mail in mails)
    confirmation = client.get(
        reverse("public:journey", kwargs={"lang": "en", "token": draft.token, "step": "confirmation"})
    )
    assert "Your pre-booking no. T-1 has been sent" in confirmation.content.decode()

    # The real series is untouched: the next real file is n°1.
    real = factories.make_booking(lodging, ARRIVAL + timedelta(days=14), ARRIVAL + timedelta(days=21))
    assert (real.number, real.display_number, real.is_test) == (1, "1", False)

    with provider_scope(tester):
        today = date(2030, 7, 1)
        assert list(selectors.counted_bookings()) == [real]
        assert list(selectors.online_files_waiting()) == []
        assert [b.pk for b in selectors.latest_bookings()] == [real.pk]
        assert list(selectors.bookings_for_export(selectors.BookingFilters())) == [real.pk]
        assert booking not in list(deposits_late(today + timedelta(days=30)))
        assert selectors.reminders(today=today + timedelta(days=30)).deposit == 1  # the real one only
        assert (
            selectors.season_figures([tester.pk], date(2030, 1, 1), date(2030, 12, 31))[tester.pk].files == 1
        )

    # The file page and the planning say it is a test.
    client.force_login(factories.owner_of(tester))
    detail = client.get(
        reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})
    ).content.decode()
    assert 'data-testid="booking-test"' in detail
    assert "Dossier de réservation n°T-1" in detail
    planning = client.get(reverse("reservations:planning") + f"?debut={ARRIVAL.isoformat()}").content.decode()
    assert (
        f'tone-test gc-1 gs-7 gr-1" tabindex="0" data-kind="option" data-booking="{booking.pk}"' in planning
    )
    assert "TEST · MARTIN CLAIRE n°T-1" in planning and 'pl-block-label">DUPONT MARIE n°1' in planning


def test_the_widgets_of_a_provider_in_test_open_only_with_the_signed_link(client, tester, lodging):
    token = sign_test_link(tester)
    pages = {"search": {}, "planning": {}, "lodging": {"pk": lodging.pk}}
    for name, kwargs in pages.items():
        assert client.get(site(tester, name, widget=True, **kwargs)).status_code == 404, name
        assert client.get(site(tester, name, token="nope", widget=True, **kwargs)).status_code == 404, name
    start = site(tester, "start", widget=True, pk=lodging.pk)
    assert client.post(start, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}, **ORIGIN).status_code == 404

    search = client.get(
        site(tester, token=token, widget=True),
        {"arrivee": ARRIVAL.isoformat(), "nuits": 7, "couleur": "1a7f5a"},
    )
    text = search.content.decode()
    assert search.status_code == 200 and 'data-testid="test-banner"' in text
    assert 'class="public widget"' in text
    # Its links stay in the test widget, with the colour.
    lodging_url = site(tester, "lodging", token=token, widget=True, pk=lodging.pk)
    assert f'href="{lodging_url}?arrivee=2030-07-06&amp;nuits=7&amp;couleur=1a7f5a"' in text

    # The planning in test mode is never stored by a browser or a proxy (its address is the
    # owner's signed link); in production it is public for a minute.
    planning = client.get(site(tester, "planning", token=token, widget=True), {"debut": ARRIVAL.isoformat()})
    assert planning.status_code == 200 and 'data-testid="test-banner"' in planning.content.decode()
    cache = planning.headers["Cache-Control"]
    assert "no-store" in cache and "private" in cache and "public" not in cache
    assert "ETag" not in planning.headers
    assert f"{lodging_url}?arrivee=2030-07-06" in planning.content.decode()  # into the test widget
    with scopes_disabled():
        Provider.objects.filter(pk=tester.pk).update(status=Provider.Status.PRODUCTION)
    public = client.get(site(tester, "planning", widget=True))
    assert public.status_code == 200 and "public" in public.headers["Cache-Control"]


def test_a_booking_through_a_test_widget_is_a_test_file_from_the_widget(client, tester, lodging):
    draft = book(client, tester, lodging, sign_test_link(tester), widget=True)
    with scopes_disabled():
        booking = Booking.objects.get()
    assert draft.is_test and draft.widget
    assert (booking.is_test, booking.display_number, booking.origin) == (True, "T-1", BookingOrigin.WIDGET)


def test_the_moteurs_page_previews_the_widgets_in_test_mode_until_production(client, tester, lodging):
    client.force_login(factories.owner_of(tester))
    text = client.get(reverse("commercialisation:widgets")).content.decode()
    assert 'data-testid="widgets-test-mode"' in text
    previews = re.findall(r'class="widget-preview" data-openpro-widget="([^"]+)"', text)
    assert len(previews) == 3 and all(f"/widget/site/{tester.number}/essai/" in url for url in previews)
    token = previews[0].split("/essai/")[1].split("/")[0]
    assert client.get(site(tester, token=token, widget=True, lang="fr")).status_code == 200
    # The code to paste is the address guests will use once in production (no test link in it).
    codes = re.findall(r"<textarea[^>]*>([^<]+)</textarea>", text)
    assert codes and all("essai" not in code for code in codes)
    with scopes_disabled():
        Provider.objects.filter(pk=tester.pk).update(status=Provider.Status.PRODUCTION)
    text = client.get(reverse("commercialisation:widgets")).content.decode()
    previews = re.findall(r'class="widget-preview" data-openpro-widget="([^"]+)"', text)
    assert len(previews) == 3 and not any("essai" in url for url in previews)
    assert 'data-testid="widgets-test-mode"' not in text


def test_delete_all_test_files_at_once(client, tester, lodging):
    book(client, tester, lodging, sign_test_link(tester))
    real = factories.make_booking(lodging, ARRIVAL + timedelta(days=14), ARRIVAL + timedelta(days=21))
    owner = client
    owner.force_login(factories.owner_of(tester))
    url = reverse("commercialisation:booking_tests_delete")
    page = owner.get(url)
    assert "Supprimer votre 1 dossier de test ?" in page.content.decode()
    assert owner.post(url, {}).status_code == 200  # no confirmation: nothing deleted
    with scopes_disabled():
        assert Booking.objects.count() == 2
    assert owner.post(url, {"confirm": "1"}).status_code == 302
    with scopes_disabled():
        assert list(Booking.objects.all()) == [real]
        assert not Client.objects.filter(last_name="Martin").exists()  # the test's guest went too
        entry = AuditEntry.objects.get(action="booking.tests_deleted")
    assert entry.data == {"count": 1, "numbers": ["T-1"]} and entry.provider_id == tester.pk
    # A new test file starts again after the last one used (numbers are never reused).
    book(client, tester, lodging, sign_test_link(tester))
    with scopes_disabled():
        assert Booking.objects.get(is_test=True).display_number == "T-2"


def test_the_page_shows_the_link_the_checklist_and_sends_the_production_request(client, tester, lodging):
    client.force_login(factories.owner_of(tester))
    url = reverse("commercialisation:booking_tests")
    text = client.get(url).content.decode()
    assert f"/en/site/{tester.number}/essai/" in text or f"/fr/site/{tester.number}/essai/" in text
    assert "Demander le passage en production" in text
    with scopes_disabled():
        checklist = provider_checklist(tester)
    # make_seller's provider: contact incomplete (no address), lodging without photo, contract not saved.
    assert {item.key: item.done for item in checklist} == {
        "contact": False,
        "lodging": False,
        "prices": True,
        "terms": True,
        "contract": False,
    }
    assert reverse("comptes:contact") in text and reverse("comptes:contract_settings") in text

    response = client.post(reverse("commercialisation:booking_tests_request"))
    assert response.status_code == 302
    with scopes_disabled():
        request = ProductionRequest.objects.get()
        mail = OutgoingMail.objects.get(kind="production.requested")
    assert request.state == "requested" and request.requested_by == factories.owner_of(tester)
    assert mail.to == ["referent@ariege.example"] and tester.account_name in mail.subject
    assert "/office/mises-en-production/" in mail.body_text
    page = client.get(url).content.decode()
    assert "Demande envoyée le 01/06/2030" in page and "Demander le passage en production" not in page
    # A second request while one waits: refused with a message, nothing stored.
    client.post(reverse("commercialisation:booking_tests_request"))
    with scopes_disabled():
        assert ProductionRequest.objects.count() == 1


def test_a_provider_with_no_office_notifies_the_administrators(client):
    provider = factories.make_provider(email="solo@example.com")
    factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    client.force_login(factories.owner_of(provider))
    client.post(reverse("commercialisation:booking_tests_request"))
    with scopes_disabled():
        assert OutgoingMail.objects.get(kind="production.requested").to == ["root@example.com"]


def test_checklist_items_tick_when_the_owner_fixes_them(tester, lodging, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from comptes.services import contract_settings_update, provider_update

    with provider_scope(tester):
        provider_update(
            provider=tester,
            data={"address": "1 rue", "postcode": "09000", "city": "Foix", "phone1": "0561000000"},
        )
        factories.make_photos(lodging)
        contract_settings_update(provider=tester, deadlines={}, data={})
        assert provider_checklist(tester).complete
    with time_machine.travel(NOW + timedelta(days=400), tick=False), provider_scope(tester):
        items = {item.key: item.done for item in provider_checklist(tester)}
    assert items["prices"] is False  # no stay price in the coming 6 months any more


def test_a_test_file_takes_no_real_number_even_when_rolled_back(tester, lodging):
    """The series are separate counters: T-n for tests, n for real files."""
    factories.make_file(lodging, ARRIVAL, is_test=True)
    factories.make_file(lodging, ARRIVAL + timedelta(days=7))
    factories.make_file(lodging, ARRIVAL + timedelta(days=14), is_test=True)
    with scopes_disabled():
        numbers = sorted(Booking.objects.values_list("is_test", "number"))
        tester.refresh_from_db()
    assert numbers == [(False, 1), (True, 1), (True, 2)]
    assert (tester.booking_counter, tester.test_booking_counter) == (1, 2)
