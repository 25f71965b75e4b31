"""The first-connection wizard's lodging tab also takes photos and characteristics (manual, "Configurer
son compte lors de la 1ère connexion": "Photos", "Caractéristiques"); nothing lost on a bad input."""

import re

import pytest

from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Lodging, Photo
from tests import factories
from tests.hebergements.helpers import stored_files
from tests.hebergements.test_wizard import CONTACT, WIZARD, lodging_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_provider():
    return factories.make_provider(
        number=92750, email="dupont.marie@test.com", setup_complete=False, last_name="?"
    )


@pytest.fixture
def new_client(client, new_provider):
    client.force_login(factories.owner_of(new_provider))
    assert client.post(WIZARD, CONTACT).status_code == 302
    return client


def ticked(html: str, code: str) -> bool:
    (pk,) = characteristic_ids(code)
    return (
        re.search(rf'<input(?=[^>]*name="characteristics")(?=[^>]*value="{pk}")(?=[^>]*checked)[^>]*>', html)
        is not None
    )


def characteristic_ids(*codes):
    return [str(c.pk) for c in factories.characteristics(*codes)]


def test_the_lodging_tab_shows_photos_and_characteristics(new_client):
    html = new_client.get(WIZARD + "?step=lodging").text
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="photos"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert "Équipements intérieurs" in html and "Douche" in html


def test_photos_and_characteristics_are_saved_with_the_first_lodging(new_client, new_provider, media_root):
    data = lodging_data(
        photos=[factories.image_upload("salon.jpg"), factories.image_upload("jardin.png", "PNG")],
        characteristics=characteristic_ids("douche", "four"),
    )
    response = new_client.post(WIZARD, data)
    assert response.status_code == 302
    with provider_scope(new_provider):
        lodging = Lodging.objects.get()
        photos = list(lodging.photos.order_by("position"))
        assert sorted(lodging.characteristics.values_list("code", flat=True)) == ["douche", "four"]
    assert len(photos) == 2 and photos[0].is_main and not photos[1].is_main
    assert all(photo.thumbnail for photo in photos)
    assert len(stored_files(media_root)) == 4  # two photos, two thumbnails


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(new_client, new_provider, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = new_client.post(
        WIZARD, lodging_data(photos=[fake], characteristics=characteristic_ids("douche"))
    )
    assert response.status_code == 200
    html = response.text
    assert 'id="id_photos_error"' in html and "n’est pas une image JPEG, PNG ou WebP" in html
    assert ticked(html, "douche") and 'value="Petit coin de paradis"' in html  # the rest is kept
    with scopes_disabled():
        assert not Lodging.objects.exists() and not Photo.objects.exists()
        assert not Provider.objects.get(pk=new_provider.pk).is_setup_complete
    assert stored_files(media_root) == []


def test_photos_chosen_with_a_bad_field_are_kept_for_the_next_try(
    new_client, new_provider, media_root, django_capture_on_commit_callbacks
):
    response = new_client.post(
        WIZARD,
        lodging_data(
            name="", photos=[factories.image_upload("salon.jpg")], characteristics=characteristic_ids("four")
        ),
    )
    assert response.status_code == 200
    html = response.text
    assert 'id="id_name_error"' in html
    assert "1 photo choisie auparavant est conservée" in html and ticked(html, "four")
    with scopes_disabled():
        assert not Lodging.objects.exists() and not Photo.objects.exists()
    assert len(stored_files(media_root)) == 1  # held apart until the lodging is saved

    # The second try sends no file: the photo kept is saved with the lodging, then released.
    with django_capture_on_commit_callbacks(execute=True):
        response = new_client.post(WIZARD, lodging_data(characteristics=characteristic_ids("four")))
    assert response.status_code == 302
    with provider_scope(new_provider):
        lodging = Lodging.objects.get()
        assert lodging.photos.count() == 1 and lodging.main_photo is not None
    files = stored_files(media_root)
    assert len(files) == 2 and not any("/held/" in name for name in files)


def test_photos_held_for_an_abandoned_wizard_go_after_a_day(new_client, new_provider, media_root, settings):
    from datetime import timedelta

    from django.utils import timezone

    from hebergements import services
    from hebergements.tasks import held_photos_purge

    assert "hebergements.held_photos_purge" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    response = new_client.post(WIZARD, lodging_data(name="", photos=[factories.image_upload("salon.jpg")]))
    assert response.status_code == 200  # a bad input: the photo is held, and the owner leaves
    (held,) = stored_files(media_root)
    assert "/held/" in held
    assert held_photos_purge.delay().get() == 0  # not a day old yet: kept for the owner's return
    assert stored_files(media_root) == [held]
    assert services.held_photos_purge(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert stored_files(media_root) == []
