"""Accès aux hébergements: list, add, edit, characteristics, visibility, archive, delete."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from hebergements import services
from hebergements.models import Lodging, Photo
from hebergements.reference import CHARACTERISTICS, load_characteristics
from hebergements.selectors import characteristics_by_family
from tests import factories
from tests.hebergements.helpers import stored_files

pytestmark = pytest.mark.django_db

LIST = reverse("hebergements:lodging_list")
CREATE = reverse("hebergements:lodging_create")


def lodging_data(**overrides):
    """The lodging page of the manual ("Grande Villa", Banyuls-sur-Mer) as a POST."""
    data = {
        "name": "Grande Villa",
        "has_stock": "False",
        "stock_units": "1",
        "lodging_type": "maison",
        "classification": "5",
        "residence": "",
        "registration_number": "6601600012345",
        "address": "1 avenue de la République",
        "commune": str(factories.foix().pk),
        "latitude": "42,48276163119",
        "longitude": "3,128988593816",
        "altitude": "",
        "capacity_min": "1",
        "capacity_max": "15",
        "surface": "150",
        "floor": "",
        "orientation": "",
        "security_deposit": "500,00",
        "description_fr": "Grande villa face à la mer.",
        "description_en": "A large villa facing the sea.",
        "visibility": "visible",
    }
    data.update(overrides)
    return data


def test_list_shows_photo_name_reference_capacity_and_edit(owner_client, provider, lodging):
    factories.make_photos(lodging, 2)
    html = owner_client.get(LIST).text
    assert "Petit coin de paradis" in html
    assert "Réf : OSMB-92750-1" in html
    assert "Capacité : de 1 à 4 personnes" in html
    assert reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk}) in html
    with provider_scope(provider):
        main = Photo.objects.get(lodging=lodging, is_main=True)
    assert f'src="{main.thumbnail.url}" width="{main.thumb_width}" height="{main.thumb_height}"' in html
    assert "+ Ajouter un hébergement" in html


def test_capacity_of_a_single_size_lodging_reads_naturally(owner_client, provider):
    factories.make_lodging(provider, capacity_min=2, capacity_max=2)
    assert "Capacité : 2 personnes" in owner_client.get(LIST).text


def test_list_runs_a_constant_number_of_queries(owner_client, provider, django_assert_max_num_queries):
    first = factories.make_lodging(provider)
    factories.make_photos(first, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert owner_client.get(LIST).status_code == 200
    for number in range(29):
        lodging = factories.make_lodging(provider, name=f"Gîte {number}")
        factories.make_photos(lodging, 2)
    with django_assert_max_num_queries(len(one)):
        html = owner_client.get(LIST).text
    assert html.count('class="lodging-card"') == 30
    assert "OSMB-92750-30" in html


def test_adding_a_lodging_with_every_field_photos_and_characteristics(owner_client, provider, media_root):
    chosen = factories.characteristics("salle-de-bain", "wifi", "parking")
    data = lodging_data(characteristics=[str(c.pk) for c in chosen])
    data["photos"] = [factories.image_upload("facade.jpg"), factories.image_upload("salon.png", "PNG")]
    response = owner_client.post(CREATE, data)
    with provider_scope(provider):
        lodging = Lodging.objects.select_related("provider").get()
        assert response["Location"] == reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})
        assert lodging.reference == "OSMB-92750-1"
        assert lodging.latitude == Decimal("42.482762") and lodging.longitude == Decimal("3.128989")
        assert lodging.security_deposit == Decimal("500.00")
        assert lodging.classification == "5" and lodging.surface == 150
        assert {c.code for c in lodging.characteristics.all()} == {"salle-de-bain", "wifi", "parking"}
        photos = list(lodging.photos.order_by("position"))
    assert [p.position for p in photos] == [0, 1]
    assert [p.is_main for p in photos] == [True, False]
    assert len(stored_files(media_root)) == 4  # two originals, two thumbnails
    page = owner_client.get(response["Location"]).text
    assert "42,482762" in page and "500,00" in page
    assert page.count('data-testid="photo"') == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity_min": "5", "capacity_max": "2"}, "capacity_max", "au moins égal au nombre mini"),
        ({"surface": "-3"}, "surface", "La surface ne peut pas être négative"),
        ({"security_deposit": "-1,00"}, "security_deposit", "dépôt de garantie ne peut pas être négatif"),
        ({"latitude": "91"}, "latitude", "entre -90 et 90"),
        ({"longitude": "-180,5"}, "longitude", "entre -180 et 180"),
        ({"name": "", "description_fr": ""}, "name", "Ce champ est obligatoire"),
        ({"commune": ""}, "commune", "Sélectionnez la commune"),
    ],
)
def test_bad_lodging_input_is_refused_next_to_the_field_and_nothing_is_saved(
    owner_client, provider, media_root, overrides, field, message
):
    data = lodging_data(**overrides)
    data["photos"] = [factories.image_upload("facade.jpg")]
    response = owner_client.post(CREATE, data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    with scopes_disabled():
        assert not Lodging.objects.exists()
        assert Provider.objects.get(pk=provider.pk).lodging_counter == 0
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: factories.image_upload("animation.gif", "GIF"),
            "« animation.gif » n’est pas une image JPEG",
        ),
        (
            lambda: SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg"),
            "« notes.jpg » n’est pas une image JPEG, PNG ou WebP",
        ),
        (
            lambda: SimpleUploadedFile("huge.jpg", b"\xff" * (services.PHOTO_MAX_BYTES + 1)),
            "« huge.jpg » pèse 10,1 Mo : une photo ne doit pas dépasser 10 Mo.",
        ),
    ],
    ids=["gif", "not-an-image", "oversized"],
)
def test_a_bad_photo_refuses_the_whole_lodging(owner_client, provider, media_root, upload, message):
    data = lodging_data()
    data["photos"] = [factories.image_upload("facade.jpg"), upload()]
    response = owner_client.post(CREATE, data)
    assert response.status_code == 200
    assert 'id="id_photos_error"' in response.text
    assert message in response.text
    with scopes_disabled():
        assert not Lodging.objects.exists()
        assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_editing_a_lodging_changes_fields_and_characteristics(owner_client, provider, lodging):
    url = reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})
    with provider_scope(provider):
        lodging.characteristics.set(factories.characteristics("douche", "television"))
    page = owner_client.get(url).text
    assert "Petit coin de paradis" in page and "OSMB-92750-1" in page
    cheminee, douche = factories.characteristics("cheminee", "douche")
    data = lodging_data(
        name="Petit coin de paradis",
        capacity_max="4",
        characteristics=[str(cheminee.pk), str(douche.pk), str(douche.pk)],
        visibility="hidden",
    )
    assert owner_client.post(url, data)["Location"] == url
    with provider_scope(provider):
        lodging.refresh_from_db()
        assert lodging.visibility == Lodging.Visibility.HIDDEN
        assert sorted(c.code for c in lodging.characteristics.all()) == ["cheminee", "douche"]
        assert lodging.capacity_max == 4


def test_editing_with_bad_input_keeps_the_stored_lodging(owner_client, provider, lodging):
    url = reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})
    response = owner_client.post(url, lodging_data(name="Nouveau nom", capacity_min="6", capacity_max="4"))
    assert response.status_code == 200
    assert 'id="id_capacity_max_error"' in response.text
    with provider_scope(provider):
        lodging.refresh_from_db()
    assert lodging.name == "Petit coin de paradis"
    assert lodging.capacity_max == 4


def test_the_sheet_shows_characteristics_grouped_by_family_in_catalogue_order(
    owner_client, provider, lodging
):
    with provider_scope(provider):
        lodging.characteristics.set(factories.characteristics("parking", "wifi", "douche", "salle-de-bain"))
        groups = characteristics_by_family(lodging=lodging)
    assert [(family.name_fr, [c.name_fr for c in items]) for family, items in groups] == [
        ("Équipements intérieurs", ["Salle de bain", "Douche"]),
        ("Équipements extérieurs", ["Parking"]),
        ("Services", ["Internet sans fil"]),
    ]
    html = owner_client.get(reverse("hebergements:lodging_detail", kwargs={"lodging_pk": lodging.pk})).text
    positions = [html.index(text) for text in ("Équipements intérieurs", "Douche", "Équipements extérieurs")]
    assert positions == sorted(positions)
    assert "de 1 à 4 personnes" in html


def test_the_edit_page_groups_the_checkboxes_by_family(owner_client, lodging):
    html = owner_client.get(reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})).text
    for (code, name_fr, _en), _items in CHARACTERISTICS:
        assert f'data-family="{code}"' in html and name_fr in html
    assert html.count('name="characteristics"') == sum(len(items) for _family, items in CHARACTERISTICS)


def test_the_catalogue_has_each_name_once_and_reloads_idempotently():
    from hebergements.models import Characteristic, CharacteristicFamily

    names = [item[1] for _family, items in CHARACTERISTICS for item in items]
    assert len(names) == len(set(names))
    assert Characteristic.objects.count() == len(names)
    assert CharacteristicFamily.objects.count() >= 4
    assert load_characteristics(CharacteristicFamily, Characteristic) == 0
    assert {
        "Salle de bain",
        "Douche",
        "Lit double",
        "Internet sans fil",
        "TV interactive",
        "Lave-vaisselle",
    } <= set(names)


def test_references_are_never_reused_after_a_deletion(provider):
    first = factories.make_lodging(provider, name="Un")
    second = factories.make_lodging(provider, name="Deux")
    with provider_scope(provider):
        services.lodging_delete(lodging=second)
    third = factories.make_lodging(provider, name="Trois")
    with provider_scope(provider):
        references = [lodging.reference for lodging in Lodging.objects.select_related("provider")]
    assert references == [first.reference, third.reference] == ["OSMB-92750-1", "OSMB-92750-3"]


def test_references_are_per_provider(provider, other_provider):
    mine = factories.make_lodging(provider)
    theirs = factories.make_lodging(other_provider)
    assert (mine.number, theirs.number) == (1, 1)
    assert (mine.reference, theirs.reference) == ("OSMB-92750-1", "OSMB-47184-1")


def _book(provider, lodging):
    from reservations.models import Booking, Client, Stay

    with provider_scope(provider):
        client = Client.objects.create(provider=provider, last_name="Durand")
        booking = Booking.objects.create(provider=provider, number=1, client=client)
        return Stay.objects.create(
            provider=provider,
            lodging=lodging,
            booking=booking,
            arrival=date(2024, 6, 8),
            departure=date(2024, 6, 15),
            lodging_price=Decimal("350.00"),
        )


def test_deleting_a_lodging_with_bookings_is_refused_and_archiving_hides_it(owner_client, provider, lodging):
    _book(provider, lodging)
    delete_url = reverse("hebergements:lodging_delete", kwargs={"lodging_pk": lodging.pk})
    assert "Supprimer" in owner_client.get(delete_url).text
    response = owner_client.post(delete_url, follow=True)
    assert "a des réservations ou des interdictions de vente" in response.text
    assert "Archivez-le" in response.text
    with provider_scope(provider):
        assert Lodging.objects.filter(pk=lodging.pk).exists()
        with pytest.raises(ValidationError):
            services.lodging_delete(lodging=lodging)

    archive_url = reverse("hebergements:lodging_archive", kwargs={"lodging_pk": lodging.pk})
    owner_client.post(archive_url, {"archived": "1"})
    html = owner_client.get(LIST).text
    assert 'data-testid="lodging-1"' not in html
    assert "1 hébergement archivé" in html
    assert 'data-testid="lodging-1"' in owner_client.get(LIST + "?archives=1").text
    owner_client.post(archive_url, {"archived": "0"})
    assert 'data-testid="lodging-1"' in owner_client.get(LIST).text


def test_deleting_a_lodging_without_bookings_removes_it_and_its_files(
    owner_client, provider, lodging, media_root, django_capture_on_commit_callbacks
):
    factories.make_photos(lodging, 2)
    assert len(stored_files(media_root)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("hebergements:lodging_delete", kwargs={"lodging_pk": lodging.pk})
        )
    assert response["Location"] == LIST
    with scopes_disabled():
        assert not Lodging.objects.exists() and not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_visibility_switch(owner_client, provider, lodging):
    url = reverse("hebergements:lodging_visibility", kwargs={"lodging_pk": lodging.pk})
    # Visible, but this provider does not sell yet: the status says so (see test_online_status.py).
    assert "Visible sur internet, pas encore réservable" in owner_client.get(LIST).text
    owner_client.post(url, {"visibility": "hidden"})
    with provider_scope(provider):
        lodging.refresh_from_db()
    assert lodging.visibility == "hidden" and not lodging.is_visible
    assert "Non visible sur internet" in owner_client.get(LIST).text
    owner_client.post(url, {"visibility": "nonsense"})
    with provider_scope(provider):
        lodging.refresh_from_db()
    assert lodging.visibility == "hidden"


def test_a_lodging_without_stock_counts_one_unit(provider):
    lodging = factories.make_lodging(provider, has_stock=False, stock_units=5)
    assert lodging.stock_units == 1
    dormitory = factories.make_lodging(provider, has_stock=True, stock_units=20, lodging_type="dortoir")
    assert dormitory.stock_units == 20


def test_the_wizard_form_still_refuses_a_capacity_mini_above_maxi(provider):
    from hebergements.forms import LodgingSetupForm

    form = LodgingSetupForm(
        {
            "name": "X",
            "has_stock": "False",
            "stock_units": "1",
            "lodging_type": "maison",
            "classification": "non_classe",
            "commune": str(factories.foix().pk),
            "capacity_min": "5",
            "capacity_max": "2",
            "description_fr": "X",
        }
    )
    assert not form.is_valid()
    assert form.errors["capacity_max"] == [
        "Le nombre de personnes maxi. doit être au moins égal au nombre mini."
    ]
