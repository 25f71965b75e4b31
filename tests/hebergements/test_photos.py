"""Photos of lodgings and of the structure: checked by content, thumbnails made once, ordered."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from comptes.scoping import provider_scope, scopes_disabled
from hebergements import services
from hebergements.models import Photo
from tests import factories
from tests.hebergements.helpers import stored_files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_by_their_content(fmt):
    # The name says .bin: only the content counts.
    upload = SimpleUploadedFile("camera.bin", factories.image_bytes(fmt))
    assert services.photo_check(upload=upload) == fmt


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (factories.image_bytes("GIF"), "anim.gif"),
        (factories.image_bytes("BMP"), "scan.jpg"),
        (b"%PDF-1.4 not a photo", "devis.jpg"),
        (factories.image_bytes("JPEG")[:200], "cut.jpg"),
    ],
)
def test_other_files_are_refused_with_their_name(content, name):
    with pytest.raises(ValidationError) as error:
        services.photo_check(upload=SimpleUploadedFile(name, content, content_type="image/jpeg"))
    assert error.value.code == "invalid_image"
    assert error.value.messages == [f"« {name} » n’est pas une image JPEG, PNG ou WebP."]


def test_a_file_above_the_size_limit_is_refused_with_a_clear_message():
    big = SimpleUploadedFile("huge.jpg", b"\xff" * (services.PHOTO_MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.photo_check(upload=big)
    assert error.value.code == "too_large"
    assert error.value.messages == ["« huge.jpg » pèse 10,1 Mo : une photo ne doit pas dépasser 10 Mo."]


def test_an_image_with_too_many_pixels_is_refused():
    buffer = BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 Mpx, a few kilobytes
    with pytest.raises(ValidationError) as error:
        services.photo_check(upload=SimpleUploadedFile("poster.png", buffer.getvalue()))
    assert error.value.code == "too_many_pixels"


def test_thumbnails_are_made_once_at_upload_and_served_with_their_size(
    owner_client, provider, lodging, media_root
):
    with provider_scope(provider):
        [photo] = services.photos_add(
            owner=lodging, uploads=[factories.image_upload("vue.png", "PNG", size=(1600, 1200))]
        )
    assert (photo.width, photo.height) == (1600, 1200)
    assert (photo.thumb_width, photo.thumb_height) == (480, 360)
    assert photo.image.name.startswith(f"photos/{provider.pk}/") and photo.image.name.endswith(".png")
    with Image.open(media_root / photo.thumbnail.name) as thumbnail:
        assert thumbnail.format == "JPEG" and thumbnail.size == (480, 360)
    files = stored_files(media_root)
    mtimes = [(media_root / name).stat().st_mtime_ns for name in files]

    edit = owner_client.get(reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})).text
    owner_client.get(reverse("hebergements:lodging_list"))
    owner_client.get(reverse("hebergements:lodging_detail", kwargs={"lodging_pk": lodging.pk}))
    assert f'src="{photo.thumbnail.url}" width="480" height="360"' in edit
    assert stored_files(media_root) == files
    assert [(media_root / name).stat().st_mtime_ns for name in files] == mtimes


def test_a_portrait_photo_taken_sideways_gets_an_upright_thumbnail(provider, lodging):
    buffer = BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.new("RGB", (800, 600), "white").save(buffer, "JPEG", exif=exif)
    with provider_scope(provider):
        [photo] = services.photos_add(
            owner=lodging, uploads=[SimpleUploadedFile("portrait.jpg", buffer.getvalue())]
        )
    assert photo.thumb_height > photo.thumb_width


def test_upload_several_reorder_choose_main_caption_and_delete(
    owner_client, provider, lodging, media_root, django_capture_on_commit_callbacks
):
    edit = reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})
    response = owner_client.post(
        reverse("hebergements:lodging_photo_add", kwargs={"lodging_pk": lodging.pk}),
        {"photos": [factories.image_upload(f"p{i}.jpg") for i in range(3)]},
    )
    assert response["Location"] == edit + "#photos"
    with provider_scope(provider):
        first, second, third = Photo.objects.filter(lodging=lodging).order_by("position")
    assert [first.is_main, second.is_main, third.is_main] == [True, False, False]

    owner_client.post(reverse("hebergements:photo_move", kwargs={"photo_pk": third.pk}), {"direction": "up"})
    owner_client.post(reverse("hebergements:photo_set_main", kwargs={"photo_pk": third.pk}))
    response = owner_client.post(
        reverse("hebergements:photo_update", kwargs={"photo_pk": third.pk}),
        {"caption": "  La terrasse  "},
        headers={"HX-Request": "true"},
    )
    assert 'id="photo-gallery"' in response.text and "<html" not in response.text
    assert 'value="La terrasse"' in response.text
    with provider_scope(provider):
        order = list(Photo.objects.filter(lodging=lodging).order_by("position").values_list("pk", "is_main"))
    assert order == [(first.pk, False), (third.pk, True), (second.pk, False)]

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("hebergements:photo_delete", kwargs={"photo_pk": third.pk}))
    with provider_scope(provider):
        remaining = list(
            Photo.objects.filter(lodging=lodging).order_by("position").values_list("pk", "is_main")
        )
    assert remaining == [(first.pk, True), (second.pk, False)]
    assert len(stored_files(media_root)) == 4


def test_a_bad_file_among_several_adds_none(owner_client, provider, lodging, media_root):
    response = owner_client.post(
        reverse("hebergements:lodging_photo_add", kwargs={"lodging_pk": lodging.pk}),
        {"photos": [factories.image_upload("ok.jpg"), SimpleUploadedFile("menu.jpg", b"hello")]},
    )
    assert response.status_code == 200
    assert 'id="id_photos_error"' in response.text
    assert "« menu.jpg » n’est pas une image JPEG, PNG ou WebP." in response.text
    with scopes_disabled():
        assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_an_empty_upload_asks_for_a_photo(owner_client, lodging):
    response = owner_client.post(
        reverse("hebergements:lodging_photo_add", kwargs={"lodging_pk": lodging.pk}), {}
    )
    assert "Choisissez au moins une photo." in response.text


def test_the_number_of_photos_is_limited(provider, lodging):
    factories.make_photos(lodging, services.PHOTOS_PER_OWNER)
    with provider_scope(provider), pytest.raises(ValidationError) as error:
        services.photos_add(owner=lodging, uploads=[factories.image_upload()])
    assert "30 photos au plus" in error.value.message_dict["photos"][0]


def test_photo_actions_of_another_provider_answer_404(client, provider, other_provider):
    lodging = factories.make_lodging(other_provider)
    [photo] = factories.make_photos(lodging, 1)
    client.force_login(factories.owner_of(provider))
    for name in ("photo_update", "photo_move", "photo_set_main", "photo_delete"):
        assert client.post(reverse(f"hebergements:{name}", kwargs={"photo_pk": photo.pk})).status_code == 404
    with scopes_disabled():
        assert Photo.objects.filter(pk=photo.pk).exists()


def test_the_structure_has_its_own_gallery(owner_client, provider):
    url = reverse("hebergements:structure")
    response = owner_client.post(
        url,
        {
            "photos_upload": "1",
            "photos": [factories.image_upload("facade.jpg"), factories.image_upload("hall.webp", "WEBP")],
        },
    )
    assert response["Location"] == url + "#photos"
    with provider_scope(provider):
        photos = list(provider.structure.photos.order_by("position"))
    assert [p.is_main for p in photos] == [True, False]
    assert all(p.lodging_id is None for p in photos)
    assert owner_client.get(url).text.count('data-testid="photo"') == 2
