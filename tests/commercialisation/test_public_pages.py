"""The guests' search and lodging pages over the test client: what a page shows, with the exact
values a guest reads (issue #14, "Lodging page", "Office marketplace", "Languages", "Search engines
and sharing")."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes.models import ProviderSettings
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Commune, LodgingType
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guests_today")]

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)  # a Saturday: the 7-night stays of ``make_priced_lodging`` start then


def lodging_url(office, lodging, lang="en"):
    return reverse("public:office_lodging", kwargs={"lang": lang, "slug": office.slug, "pk": lodging.pk})


def search_url(office, lang="en"):
    return reverse("public:office_search", kwargs={"lang": lang, "slug": office.slug})


def names(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', response.content.decode())


def json_ld(response) -> dict:
    found = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


# --- the lodging page ------------------------------------------------------------------------------


def test_og_image_is_the_main_photos_absolute_url_even_when_it_is_not_the_first(client, office, paradis):
    from hebergements.services import photo_set_main

    first, second = factories.make_photos(paradis, count=2)
    with provider_scope(paradis.provider):
        photo_set_main(photo=second)
    page = client.get(lodging_url(office, paradis)).content.decode()
    expected = f"http://testserver{second.image.url}"
    assert f'<meta property="og:image" content="{expected}">' in page
    assert first.image.url != second.image.url
    # The gallery opens on the main photo, then the others in their order.
    gallery = re.findall(r'<li><a href="([^"]+)"><img', page)
    assert gallery == [second.image.url, first.image.url]


def test_a_lodging_without_photos_has_no_og_image_and_no_gallery(client, office, paradis):
    page = client.get(lodging_url(office, paradis)).content.decode()
    assert 'property="og:image"' not in page and 'class="gallery"' not in page
    assert "image" not in json_ld(client.get(lodging_url(office, paradis)))


def test_the_lodging_page_shows_surface_registration_equipment_by_family_and_the_map(client, office, seller):
    lodging = factories.make_priced_lodging(
        seller,
        surface=85,
        registration_number="09122000123AB",
        latitude=Decimal("42.965000"),
        longitude=Decimal("1.607000"),
    )
    with scopes_disabled():
        lodging.characteristics.set(factories.characteristics("jardin", "douche", "piscine", "lave-linge"))
    page = client.get(lodging_url(office, lodging)).content.decode()
    assert "<li>Surface: 85 m²</li>" in page
    assert "<li>Registration number: 09122000123AB</li>" in page
    assert (
        '<h3>Indoor equipment</h3>\n    <ul class="equipment"><li>Shower</li><li>Washing machine</li></ul>'
    ) in page
    assert (
        '<h3>Outdoor equipment</h3>\n    <ul class="equipment"><li>Garden</li><li>Swimming pool</li></ul>'
    ) in page
    assert page.index("Indoor equipment") < page.index("Outdoor equipment")
    assert (
        '<a href="https://www.openstreetmap.org/?mlat=42.965000&amp;mlon=1.607000#map=14/42.965000/1.607000"'
        ' rel="noopener">Map</a>'
    ) in page
    french = client.get(lodging_url(office, lodging, "fr")).content.decode()
    assert (
        '<h3>Équipements intérieurs</h3>\n    <ul class="equipment"><li>Douche</li><li>Lave-linge</li></ul>'
        in french
    )
    assert "<li>Numéro d'enregistrement : 09122000123AB</li>" in french
    assert "<li>Surface : 85 m²</li>" in french


def test_no_map_link_without_gps_nor_facts_the_owner_left_empty(client, office, paradis):
    page = client.get(lodging_url(office, paradis)).content.decode()
    assert "openstreetmap" not in page and ">Map</a>" not in page
    assert "Surface:" not in page and "Registration number:" not in page
    assert 'class="equipment"' not in page


def test_the_gallery_shows_every_photo_with_its_thumbnail(client, office, paradis):
    photos = factories.make_photos(paradis, count=3)
    page = client.get(lodging_url(office, paradis)).content.decode()
    items = re.findall(r'<li><a href="([^"]+)"><img src="([^"]+)" alt="([^"]+)"', page)
    assert [(href, alt) for href, _src, alt in items] == [
        (photo.image.url, "Petit coin de paradis") for photo in photos
    ]
    assert all(
        src == (photo.thumbnail.url if photo.thumbnail else photo.image.url)
        for (_h, src, _a), photo in zip(items, photos, strict=True)
    )
    assert page.count('loading="lazy"') == 2  # every photo but the first waits to be scrolled to


def test_the_json_ld_offer_carries_the_price_of_the_stay_chosen(client, office, seller, paradis):
    factories.price_for_stay(paradis, ARRIVAL, 3, "180.00")
    url = lodging_url(office, paradis)
    without = json_ld(client.get(url))
    assert without["makesOffer"] == {
        "@type": "Offer",
        "url": f"http://testserver{url}",
        "priceCurrency": "EUR",
    }
    # An arrival chosen: the durations' form ticks the first one (3 nights / €180.00).
    chosen = json_ld(client.get(url, {"arrivee": ARRIVAL.isoformat()}))
    assert chosen["makesOffer"] == {
        "@type": "Offer",
        "url": f"http://testserver{url}",
        "priceCurrency": "EUR",
        "price": "180.00",
    }
    week = json_ld(client.get(url, {"arrivee": ARRIVAL.isoformat(), "nuits": 7}))
    assert (week["makesOffer"]["price"], week["makesOffer"]["priceCurrency"]) == ("350.00", "EUR")
    assert week["@type"] == "LodgingBusiness" and week["name"] == "Petit coin de paradis"


def test_english_pages_show_the_owners_english_texts_and_fall_back_to_french(client, office, seller):
    english = factories.make_priced_lodging(
        seller, description_fr="Maison au calme, près de Foix.", description_en="A quiet house near Foix."
    )
    french_only = factories.make_priced_lodging(
        seller, name="Le Moulin", description_fr="Moulin restauré au bord de l'Ariège."
    )
    page = client.get(lodging_url(office, english)).content.decode()
    assert "<p>A quiet house near Foix.</p>" in page and "Maison au calme" not in page
    assert '<div class="terms"><p>Terms of sale.</p></div>' in page
    assert json_ld(client.get(lodging_url(office, english)))["description"] == "A quiet house near Foix."
    assert (
        "<p>Maison au calme, près de Foix.</p>"
        in client.get(lodging_url(office, english, "fr")).content.decode()
    )
    # No English text: the French one.
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(terms_en="")
    page = client.get(lodging_url(office, french_only)).content.decode()
    assert "<p>Moulin restauré au bord de l&#x27;Ariège.</p>" in page
    assert '<div class="terms"><p>Conditions générales de vente.</p></div>' in page
    assert '<meta name="description" content="Moulin restauré au bord de l&#x27;Ariège.">' in page


# --- the search ------------------------------------------------------------------------------------


@pytest.fixture
def three_towns(seller):
    with scopes_disabled():
        pamiers = Commune.objects.get(name="Pamiers", postcode="09100")
    return {
        "foix": factories.make_priced_lodging(seller, name="Maison de Foix"),
        "pamiers": factories.make_priced_lodging(
            seller, name="Appartement de Pamiers", commune=pamiers, lodging_type=LodgingType.APPARTEMENT
        ),
        "chalet": factories.make_priced_lodging(
            seller, name="Chalet de Foix", lodging_type=LodgingType.CHALET, price="500.00"
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"commune": "Pamiers"}, ["Appartement de Pamiers"]),
        ({"commune": "pamiers"}, ["Appartement de Pamiers"]),
        ({"commune": "09100"}, ["Appartement de Pamiers"]),
        ({"commune": "09000"}, ["Maison de Foix", "Chalet de Foix"]),
        ({"commune": "Foix", "type": "chalet"}, ["Chalet de Foix"]),
        ({"type": "appartement"}, ["Appartement de Pamiers"]),
        ({"commune": "Toulouse"}, []),
    ],
)
def test_the_search_filters_by_commune_name_or_postcode_and_by_type(
    client, office, three_towns, params, expected
):
    response = client.get(search_url(office), {"arrivee": ARRIVAL.isoformat(), "nuits": 7, **params})
    assert response.status_code == 200
    assert names(response) == expected


def test_a_departure_date_stands_for_the_number_of_nights(client, office, three_towns):
    response = client.get(
        search_url(office), {"arrivee": ARRIVAL.isoformat(), "depart": "2030-07-13", "commune": "09000"}
    )
    text = response.content.decode()
    assert names(response) == ["Maison de Foix", "Chalet de Foix"]
    assert "2 lodgings free from Saturday 6 July 2030 to Saturday 13 July 2030" in text
    assert "€350.00</strong> <span" in text and "for 7 nights" in text
    assert 'id="nuits" name="nuits" min="1" max="90" inputmode="numeric" value="7"' in text
    # A departure with no stay priced for that length: nothing is free, and the page says so.
    response = client.get(search_url(office), {"arrivee": ARRIVAL.isoformat(), "depart": "2030-07-10"})
    assert names(response) == []
    assert "No lodging is free from 6 July 2030 to 10 July 2030." in response.content.decode()


def test_the_page_links_keep_every_filter(client, office, seller):
    for index in range(13):
        factories.make_priced_lodging(seller, name=f"Gîte {index:02}", lodging_type=LodgingType.GITE)
    factories.make_priced_lodging(seller, name="Maison hors filtre")
    params = {
        "arrivee": ARRIVAL.isoformat(),
        "depart": "2030-07-13",
        "personnes": "2",
        "commune": "Foix",
        "type": "gite",
        "tri": "name",
    }
    first = client.get(search_url(office), params)
    assert names(first) == [f"Gîte {index:02}" for index in range(12)]
    links = [
        html.unescape(href) for href in re.findall(r'<a href="(\?[^"]+)">Next</a>', first.content.decode())
    ]
    expected = "?arrivee=2030-07-06&depart=2030-07-13&personnes=2&commune=Foix&type=gite&tri=name&page=2"
    assert links == [expected]
    second = client.get(search_url(office) + expected)
    assert names(second) == ["Gîte 12"]
    back = [
        html.unescape(href)
        for href in re.findall(r'<a href="(\?[^"]+)">Previous</a>', second.content.decode())
    ]
    assert back == [expected.replace("page=2", "page=1")]
    assert "Page 2 of 2" in second.content.decode()


def test_from_prices_include_the_mandatory_supplements(client, office, seller):
    lodging = factories.make_priced_lodging(seller, name="Cabane", price="100.00")
    factories.offer_supplement(lodging, "Ménage", "50.00", mandatory=True)
    factories.offer_supplement(lodging, "Draps", "15.00")  # optional: not in the price shown
    undated = client.get(search_url(office)).content.decode()
    assert "from <strong>€150.00</strong>" in undated
    dated = client.get(search_url(office), {"arrivee": ARRIVAL.isoformat(), "nuits": 7}).content.decode()
    assert '<strong>€150.00</strong> <span class="offer-stay">for 7 nights</span>' in dated
    page = client.get(lodging_url(office, lodging), {"arrivee": ARRIVAL.isoformat()}).content.decode()
    assert "7 nights / €150.00" in page
