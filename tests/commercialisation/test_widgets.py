"""Booking engines on the owner's own site (issue 15, items 1 to 3): the widgets' pages (search,
planning of all the lodgings, planning of one lodging, the marketplace's search for an office),
framable by any site while the back office never is, in the owner's colour, booking with origin
"widget" and no cookie; and the "Moteurs de réservation" page with the snippets to copy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from commercialisation.models import BookingDraft
from common.colors import AA, PAGE_BACKGROUND, contrast, parse_color, theme
from comptes.scoping import scopes_disabled
from reservations.models import Booking, BookingOrigin
from tests import factories
from tests.commercialisation.test_public import GUEST, ORIGIN

pytestmark = pytest.mark.django_db

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)  # a Saturday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office():
    return factories.make_office(slug="ariege")


@pytest.fixture
def seller(office):
    return factories.make_seller(office, number=92750)


@pytest.fixture
def paradis(seller):
    return factories.make_priced_lodging(seller)


def widget(name, **kwargs):
    return reverse(f"public:widget_{name}", kwargs={"lang": "en", **kwargs})


def names_in(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', response.content.decode())


# --- framing ---------------------------------------------------------------------------------------


def frame_ancestors(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    found = re.search(r"frame-ancestors ([^;]+)", policy)
    return found.group(1).strip() if found else ""


def test_widget_and_journey_routes_may_be_framed_by_any_site_the_back_office_never(client, seller, paradis):
    number = seller.number
    framable = [
        widget("site_search", number=number),
        widget("site_planning", number=number),
        widget("site_lodging", number=number, pk=paradis.pk),
        widget("office_search", slug="ariege"),
        widget("office_lodging", slug="ariege", pk=paradis.pk),
    ]
    for url in framable:
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == "*", url
        assert "X-Frame-Options" not in response.headers, url
    start = client.post(
        widget("site_start", number=number, pk=paradis.pk),
        {"arrivee": ARRIVAL.isoformat(), "nuits": 7},
        **ORIGIN,
    )
    assert start.status_code == 302 and frame_ancestors(start) == "*"
    step = client.get(start["Location"])
    assert step.status_code == 200 and frame_ancestors(step) == "*" and "X-Frame-Options" not in step.headers

    # The guests' pages outside the widgets, and every back-office page, stay non-frameable.
    public_page = client.get(reverse("public:site_search", kwargs={"lang": "en", "number": number}))
    assert frame_ancestors(public_page) == "'none'" and public_page.headers["X-Frame-Options"] == "DENY"
    client.force_login(factories.owner_of(seller))
    for name in ("commercialisation:widgets", "commercialisation:promo_code_list", "reservations:planning"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert frame_ancestors(response) == "'none'", name
        assert response.headers["X-Frame-Options"] == "DENY", name


# --- tenancy ---------------------------------------------------------------------------------------


def test_a_widget_never_shows_another_providers_lodgings(client, office, seller, paradis):
    neighbour = factories.make_seller(office, number=92751)
    other = factories.make_priced_lodging(neighbour, name="Chez le voisin")
    number = seller.number

    search = client.get(widget("site_search", number=number), {"arrivee": ARRIVAL.isoformat(), "nuits": 7})
    assert names_in(search) == ["Petit coin de paradis"]
    planning = client.get(widget("site_planning", number=number), {"debut": ARRIVAL.isoformat()})
    assert "Petit coin de paradis" in planning.content.decode()
    assert "Chez le voisin" not in planning.content.decode()
    assert client.get(widget("site_lodging", number=number, pk=other.pk)).status_code == 404
    refused = client.post(
        widget("site_start", number=number, pk=other.pk),
        {"arrivee": ARRIVAL.isoformat(), "nuits": 7},
        **ORIGIN,
    )
    assert refused.status_code in (400, 404)
    with scopes_disabled():
        assert not BookingDraft.objects.exists()
    # The office's widget shows its providers' lodgings, as its marketplace does.
    marketplace = client.get(
        widget("office_search", slug="ariege"), {"arrivee": ARRIVAL.isoformat(), "nuits": 7}
    )
    assert sorted(names_in(marketplace)) == ["Chez le voisin", "Petit coin de paradis"]
    # A provider in test status has no widget (its test mode comes with the booking tests).
    in_test = factories.make_provider(office=office, number=92752)
    factories.make_priced_lodging(in_test, name="En test")
    assert client.get(widget("site_search", number=92752)).status_code == 404
    assert client.get(widget("site_planning", number=92752)).status_code == 404


# --- booking through a widget ----------------------------------------------------------------------


def book_through(client, start_url, lodging):
    response = client.post(start_url, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}, **ORIGIN)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        draft = BookingDraft.objects.get(token=response["Location"].split("/")[3])
    steps = {
        "sejour": {f"occupants_{k}": v for k, v in factories.adults(lodging.provider, 2).items()},
        "options": {"promo_code": ""},
        "coordonnees": GUEST,
    }
    for step, data in steps.items():
        url = reverse("public:journey", kwargs={"lang": "en", "token": draft.token, "step": step})
        page = client.get(url)
        assert page.status_code == 200 and not page.cookies
        response = client.post(url, data, **ORIGIN)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.cookies
    url = reverse("public:journey", kwargs={"lang": "en", "token": draft.token, "step": "recapitulatif"})
    response = client.post(url, {"accept_terms": "1", "total": "350.00"}, **ORIGIN)
    assert response.status_code == 302
    draft.refresh_from_db()
    return draft, client.get(response["Location"])


def test_a_file_booked_through_a_widget_has_origin_widget_and_needs_no_cookie(client, seller, paradis):
    start = widget("site_start", number=seller.number, pk=paradis.pk) + "?couleur=e63946"
    draft, confirmation = book_through(client, start, paradis)
    assert draft.widget and draft.color == "e63946"
    text = confirmation.content.decode()
    assert "Your pre-booking no." in text
    assert 'class="public widget"' in text  # the steps keep the widget's layout…
    assert reverse("public:widget_theme", kwargs={"color": "e63946"}) in text  # …and its colour
    assert not client.cookies
    with scopes_disabled():
        assert Booking.objects.get().origin == BookingOrigin.WIDGET


def test_the_offices_widget_books_with_origin_widget_too(client, office, paradis):
    draft, confirmation = book_through(client, widget("office_start", slug="ariege", pk=paradis.pk), paradis)
    assert draft.widget and draft.office == office and draft.color == ""
    with scopes_disabled():
        assert Booking.objects.get().origin == BookingOrigin.WIDGET
    # The marketplace itself still books with origin internet.
    assert confirmation.status_code == 200


def test_every_link_of_a_widget_stays_in_the_widget_and_keeps_its_colour(client, seller, paradis):
    number = seller.number
    search = client.get(
        widget("site_search", number=number),
        {"arrivee": ARRIVAL.isoformat(), "nuits": 7, "couleur": "1A7F5A"},
    )
    text = search.content.decode()
    lodging_url = widget("site_lodging", number=number, pk=paradis.pk)
    assert f'href="{lodging_url}?arrivee=2030-07-06&amp;nuits=7&amp;couleur=1a7f5a"' in text
    assert '<input type="hidden" name="couleur" value="1a7f5a">' in text
    calendar = client.get(lodging_url, {"arrivee": ARRIVAL.isoformat(), "couleur": "1a7f5a"}).content.decode()
    assert f'action="{widget("site_start", number=number, pk=paradis.pk)}?couleur=1a7f5a"' in calendar
    assert "?mois=2030-08&amp;couleur=1a7f5a" in calendar.replace("&couleur", "&amp;couleur")
    # A wrong colour is ignored: the default colours.
    plain = client.get(lodging_url, {"couleur": "red;}</style>"}).content.decode()
    assert "/widget/couleur/" not in plain and "red;" not in plain


def test_the_colour_stylesheet_keeps_buttons_and_links_readable(client):
    response = client.get(reverse("public:widget_theme", kwargs={"color": "ffcc00"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert (
        response.content.decode().strip()
        == ":root{--c-accent:#ffcc00;--c-on-accent:#1d2630;--c-primary-dark:#806600;}"
    )
    assert client.get("/widget/couleur/zzzzzz.css").status_code == 404
    for color in ("ffcc00", "777777", "ffffff", "1f6f8b", "e63946", "00ff00"):
        values = theme(color)
        assert contrast(values["on-accent"], values["accent"]) >= AA, color
        assert contrast(values["primary-dark"], PAGE_BACKGROUND) >= AA, color
    assert parse_color("#1F6F8B") == "1f6f8b" and parse_color("1f6f8") is None and parse_color("") is None


# --- the planning of all the lodgings ----------------------------------------------------------------


def test_the_planning_shows_free_taken_and_closed_days_and_arrival_days_lead_to_the_calendar(
    client, seller, paradis
):
    factories.make_booking(paradis, ARRIVAL, ARRIVAL + timedelta(days=7))
    moulin = factories.make_priced_lodging(seller, name="Le Moulin")
    factories.make_prohibition(moulin, ARRIVAL + timedelta(days=7), ARRIVAL + timedelta(days=10))
    url = widget("site_planning", number=seller.number)
    response = client.get(url, {"debut": ARRIVAL.isoformat()})
    text = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'class="cell cell-taken"><span aria-label="Petit coin de paradis, Saturday 6 July 2030 — taken"',
        text,
    )
    assert re.search(
        r'class="cell cell-closed"><span aria-label="Le Moulin, Saturday 13 July 2030 — closed"', text
    )
    # The next Saturday of Paradis is free with a 7-night stay priced: an arrival day.
    lodging_url = widget("site_lodging", number=seller.number, pk=paradis.pk)
    assert f'href="{lodging_url}?arrivee=2030-07-13"' in text
    # Le Moulin cannot start a week on 13 July (closed) but can on the 20th.
    moulin_url = widget("site_lodging", number=seller.number, pk=moulin.pk)
    assert f'href="{moulin_url}?arrivee=2030-07-13"' not in text
    assert f'href="{moulin_url}?arrivee=2030-07-20"' in text
    # Four weeks, previous and next.
    assert "From 6 July 2030 to 2 August 2030" in text
    assert f'href="{url}?debut=2030-08-03"' in text and f'href="{url}?debut=2030-06-08"' in text
    # The language is the address's: French at /fr/.
    french = client.get(url.replace("/en/", "/fr/"), {"debut": ARRIVAL.isoformat()})
    assert "Disponibilités de nos hébergements" in french.content.decode()
    assert french["Content-Language"] == "fr" and response["Content-Language"] == "en"
    assert "Availability of our lodgings" in text
    # Today is the earliest: no previous weeks, and a date in the past opens on today.
    today = client.get(url, {"debut": "2020-01-01"}).content.decode()
    assert "From 1 June 2030 to 28 June 2030" in today and "Previous weeks" not in today


def test_the_planning_takes_a_constant_number_of_queries_and_is_cacheable(
    client, seller, django_assert_num_queries
):
    url = widget("site_planning", number=seller.number)
    counts = []
    for total in (5, 20):
        while len(list(_lodgings(seller))) < total:
            lodging = factories.make_priced_lodging(seller, name=f"Gîte {len(list(_lodgings(seller))) + 1}")
            factories.make_booking(lodging, ARRIVAL, ARRIVAL + timedelta(days=7))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"debut": ARRIVAL.isoformat()})
        assert response.status_code == 200
        assert response.content.decode().count('scope="row" class="planning-lodging"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(url, {"debut": ARRIVAL.isoformat()}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    # The page changes when a lodging's availability does: a new ETag.
    with scopes_disabled():
        first = _lodgings(seller)[0]
    factories.make_booking(first, ARRIVAL + timedelta(days=14), ARRIVAL + timedelta(days=21))
    changed = client.get(url, {"debut": ARRIVAL.isoformat()}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "nonce" not in changed.content.decode()


def _lodgings(provider):
    from hebergements.models import Lodging

    with scopes_disabled():
        return list(Lodging.objects.filter(provider=provider).order_by("pk"))


# --- "Moteurs de réservation" --------------------------------------------------------------------------


def test_the_moteurs_page_gives_each_snippet_following_the_options(client, seller, paradis):
    moulin = factories.make_priced_lodging(seller, name="Le Moulin")
    client.force_login(factories.owner_of(seller))
    url = reverse("commercialisation:widgets")
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    search = "http://testserver/fr/widget/site/92750/"
    assert (
        f"&lt;script src=&quot;http://testserver/static/js/openpro-widget.js&quot; "
        f"data-openpro-widget=&quot;{search}&quot;"
    ) in text
    assert "http://testserver/fr/widget/site/92750/planning/" in text
    assert f"http://testserver/fr/widget/site/92750/hebergement/{moulin.pk}/" in text  # the first by name
    assert f'data-openpro-widget="{search}"' in text  # the live preview
    assert 'value="http://testserver/fr/site/92750/"' in text  # the plain link (and Facebook's)
    for title in (
        "Widget de recherche de disponibilité",
        "Widget planning de tous vos hébergements",
        "Widget planning d&#x27;un hébergement",
        "Lien vers le site de réservation",
        "Réservation via Facebook",
    ):
        assert title in text, title

    chosen = client.get(url, {"langue": "en", "lodging": paradis.pk, "couleur": "#1A7F5A"})
    text = chosen.content.decode()
    assert f"http://testserver/en/widget/site/92750/hebergement/{paradis.pk}/?couleur=1a7f5a" in text
    assert "http://testserver/en/widget/site/92750/planning/?couleur=1a7f5a" in text
    # htmx swaps the options and the snippets only.
    partial = client.get(url, {"langue": "en", "couleur": "#1a7f5a"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().strip().startswith('<div id="widget-snippets">')


def test_a_wrong_colour_is_answered_next_to_the_field(client, seller, paradis):
    client.force_login(factories.owner_of(seller))
    page = client.get(reverse("commercialisation:widgets"), {"langue": "fr", "couleur": "rouge"})
    text = page.content.decode()
    assert re.search(
        r'id="id_couleur".*?<ul class="errorlist" id="id_couleur_error">'
        r"<li>Saisissez une couleur au format #rrggbb",
        text,
        re.S,
    )
    assert "couleur=" not in text.split('id="widget-snippets"')[1].split("</form>")[1]


def test_the_moteurs_page_refuses_another_tenants_lodging(client, office, seller, paradis):
    other = factories.make_priced_lodging(factories.make_seller(office, number=92751), name="Voisin")
    client.force_login(factories.owner_of(seller))
    assert client.get(reverse("commercialisation:widgets"), {"lodging": other.pk}).status_code == 404


def test_the_moteurs_page_takes_a_constant_number_of_queries(client, seller, django_assert_max_num_queries):
    for index in range(6):
        factories.make_priced_lodging(seller, name=f"Gîte {index}")
    client.force_login(factories.owner_of(seller))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("commercialisation:widgets")).status_code == 200


def test_the_office_space_gives_the_marketplace_widget_for_the_offices_own_site(client, office, paradis):
    from comptes.models import Membership

    staff = factories.make_user("staff@office.example")
    Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    client.force_login(staff)
    text = client.get(reverse("offices:home")).content.decode()
    assert "Widget de recherche de la place de marché" in text
    assert "data-openpro-widget=&quot;http://testserver/fr/widget/marche/ariege/&quot;" in text
    # The address it gives lists the office's lodgings, framable.
    response = client.get("/fr/widget/marche/ariege/")
    assert names_in(response) == ["Petit coin de paradis"] and frame_ancestors(response) == "*"
