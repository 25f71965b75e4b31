"""HÉBERGEMENT services: lodgings, photos, the structure, supplements and age brackets.

Every function is keyword-only, runs inside the provider's scope, validates (``full_clean``) before
writing, writes in one transaction and raises ``ValidationError`` (keyed by field when one is at
fault) for bad input: nothing is ever half-saved.
"""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from comptes.models import Provider
from comptes.numbering import number_next
from comptes.services import provider_complete_setup, provider_update
from hebergements.models import (
    DEFAULT_AGE_BRACKETS,
    AgeBracket,
    Characteristic,
    Lodging,
    Photo,
    Structure,
    Supplement,
)

# Photos: what an upload may be, and the thumbnail generated once from it.
MEGABYTE = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MEGABYTE
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
PHOTOS_PER_OWNER = 30
THUMBNAIL_SIZE = (480, 360)


def provider_defaults_create(*, provider: Provider) -> None:
    """A new provider gets its structure and the default age brackets (Adulte, Enfant, Bébé)."""
    Structure.objects.get_or_create(
        provider=provider, defaults={"name": provider.company or provider.display_name}
    )
    if not AgeBracket.objects.exists():
        AgeBracket.objects.bulk_create(
            AgeBracket(provider=provider, label_fr=fr, label_en=en, age_min=low, age_max=high, position=i)
            for i, (fr, en, low, high) in enumerate(DEFAULT_AGE_BRACKETS)
        )


# ---------------------------------------------------------------------------------------------
# Ordering helper (photos, age brackets)


def _move(items: list, item, offset: int) -> None:
    """Move ``item`` by ``offset`` places in ``items`` (already ordered) and renumber them all."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    for position, other in enumerate(items):
        other.position = position
    type(item).objects.bulk_update(items, ["position"])
    item.position = target


# ---------------------------------------------------------------------------------------------
# Lodgings


def _lodging_characteristics(characteristics: Iterable[Characteristic]) -> list[Characteristic]:
    """The ticked characteristics, each once (the checkboxes may send one twice)."""
    unique = {c.pk: c for c in characteristics}
    return list(unique.values())


def _lodging_normalise(fields: dict) -> dict:
    if "has_stock" in fields and not fields["has_stock"]:
        fields["stock_units"] = 1
    return fields


@transaction.atomic
def lodging_create(
    *,
    provider: Provider,
    characteristics: Iterable[Characteristic] = (),
    photos: Sequence[UploadedFile] = (),
    **fields,
) -> Lodging:
    """Create a lodging with the next reference number of its provider (never reused).

    Its photos are checked before anything is written: a bad file means no lodging at all.
    """
    checked = photos_check(uploads=photos)
    number = number_next(provider=provider, series="lodging")
    lodging = Lodging(provider=provider, number=number, **_lodging_normalise(fields))
    lodging.full_clean()
    lodging.save()
    if characteristics:
        lodging.characteristics.set(_lodging_characteristics(characteristics))
    if checked:
        _photos_store(owner=lodging, checked=checked)
    return lodging


# Apps above that derive something from a lodging's fields (``commercialisation``: the version of
# its iCal export, whose calendar shows the name) register here: ``listener(lodging, fields)`` is
# called inside the transaction of every change, with the names of the fields whose value changed.
LodgingChangeListener = Callable[[Lodging, frozenset[str]], None]
_lodging_change_listeners: list[LodgingChangeListener] = []


def register_lodging_change_listener(listener: LodgingChangeListener) -> LodgingChangeListener:
    """Add a listener of lodging changes (idempotent)."""
    if listener not in _lodging_change_listeners:
        _lodging_change_listeners.append(listener)
    return listener


def _lodging_changed(lodging: Lodging, fields: frozenset[str]) -> None:
    if fields:
        for listener in list(_lodging_change_listeners):
            listener(lodging, fields)


@transaction.atomic
def lodging_update(
    *, lodging: Lodging, characteristics: Iterable[Characteristic] | None = None, **fields
) -> Lodging:
    """Write the edited fields (and the ticked characteristics when given)."""
    fields = _lodging_normalise(fields)
    # What the row holds now (a model form may already have changed the instance given).
    columns = {name: Lodging._meta.get_field(name).attname for name in fields}
    before = Lodging.objects.filter(pk=lodging.pk).values(*columns.values()).first() or {}
    for name, value in fields.items():
        setattr(lodging, name, value)
    lodging.full_clean()
    lodging.save()
    if characteristics is not None:
        lodging.characteristics.set(_lodging_characteristics(characteristics))
    changed = frozenset(
        name for name, column in columns.items() if before.get(column) != getattr(lodging, column)
    )
    _lodging_changed(lodging, changed)
    return lodging


def lodging_set_visibility(*, lodging: Lodging, visibility: str) -> Lodging:
    """ "Visible sur internet avec autorisation de réservation" / "Non visible sur internet"."""
    lodging.visibility = visibility
    lodging.full_clean()
    lodging.save(update_fields=["visibility", "updated_at"])
    return lodging


def lodging_set_archived(*, lodging: Lodging, archived: bool) -> Lodging:
    """Archive (hide from the lists, the planning and the public pages) or bring a lodging back."""
    lodging.archived = archived
    lodging.save(update_fields=["archived", "updated_at"])
    return lodging


def lodging_delete(*, lodging: Lodging) -> None:
    """Delete a lodging, its photos and prices. Refused while bookings (or sale prohibitions) use it.

    Its reference number is never given again: the provider's counter does not go back.
    """
    files = [name for photo in lodging.photos.all() for name in _photo_files(photo)]
    try:
        with transaction.atomic():
            lodging.delete()
    except ProtectedError as error:
        raise ValidationError(
            _(
                "“%(name)s” has bookings or sale prohibitions: it cannot be deleted. "
                "Archive it instead to hide it."
            ),
            code="protected",
            params={"name": lodging.name},
        ) from error
    transaction.on_commit(lambda: _delete_files(files))


# ---------------------------------------------------------------------------------------------
# Photos


def photo_check(*, upload: UploadedFile) -> str:
    """Check one upload by its content: a JPEG, PNG or WebP image within the size limits.

    Returns the image format. The file name and the browser's content type are not trusted.
    """
    name = upload.name or _("the file")
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” weighs %(size)s MB: a photo may weigh %(limit)s MB at most."),
            code="too_large",
            params={
                "name": name,
                "size": number_format(math.ceil(upload.size * 10 / MEGABYTE) / 10, 1),
                "limit": PHOTO_MAX_BYTES // MEGABYTE,
            },
        )
    not_an_image = ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP image."), code="invalid_image", params={"name": name}
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                if image_format not in PHOTO_FORMATS:
                    raise not_an_image
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    raise ValidationError(
                        _("“%(name)s” is too large (%(width)s × %(height)s pixels)."),
                        code="too_many_pixels",
                        params={"name": name, "width": image.width, "height": image.height},
                    )
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("“%(name)s” is too large in pixels."), code="too_many_pixels", params={"name": name}
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_an_image from error
    finally:
        upload.seek(0)
    return image_format


def photos_check(*, uploads: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Check every upload; all the problems are reported together under the ``photos`` field."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, photo_check(upload=upload)))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def _thumbnail(upload: UploadedFile) -> ContentFile:
    """A JPEG of at most ``THUMBNAIL_SIZE``, turned upright, transparency on white."""
    upload.seek(0)
    with Image.open(upload) as original:
        original.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
        image = ImageOps.exif_transpose(original)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode != "RGB":
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name="thumbnail.jpg")


def _photo_owner_field(owner: Lodging | Structure) -> str:
    return "lodging" if isinstance(owner, Lodging) else "structure"


def _photo_siblings(photo: Photo) -> models.QuerySet[Photo]:
    if photo.lodging_id is not None:
        return Photo.objects.filter(lodging_id=photo.lodging_id)
    return Photo.objects.filter(structure_id=photo.structure_id)


def _photo_files(photo: Photo) -> list[str]:
    return [name for name in (photo.image.name, photo.thumbnail.name) if name]


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _lock_owner(owner: Lodging | Structure) -> None:
    """Serialise the photo changes of one lodging or structure (positions, main photo)."""
    type(owner).objects.select_for_update(no_key=True).filter(pk=owner.pk).values_list("pk", flat=True).get()


def _photos_store(*, owner: Lodging | Structure, checked: list[tuple[UploadedFile, str]]) -> list[Photo]:
    _lock_owner(owner)
    field = _photo_owner_field(owner)
    existing = Photo.objects.filter(**{field: owner})
    count = existing.count()
    if count + len(checked) > PHOTOS_PER_OWNER:
        raise ValidationError(
            {
                "photos": _("At most %(limit)s photos: %(count)s already, %(new)s more is too many.")
                % {"limit": PHOTOS_PER_OWNER, "count": count, "new": len(checked)}
            }
        )
    position = (existing.aggregate(top=Max("position"))["top"] or 0) + (1 if count else 0)
    needs_main = not existing.filter(is_main=True).exists()
    photos, written = [], []
    try:
        for upload, image_format in checked:
            photo = Photo(
                provider_id=owner.provider_id, position=position, is_main=needs_main, **{field: owner}
            )
            photo.image.save(f"photo{PHOTO_FORMATS[image_format]}", upload, save=False)
            written.append(photo.image.name)
            photo.thumbnail.save("thumbnail.jpg", _thumbnail(upload), save=False)
            written.append(photo.thumbnail.name)
            photo.full_clean()
            photo.save()
            photos.append(photo)
            position += 1
            needs_main = False
    except Exception:
        _delete_files(written)
        raise
    return photos


@transaction.atomic
def photos_add(*, owner: Lodging | Structure, uploads: Sequence[UploadedFile]) -> list[Photo]:
    """Add photos to a lodging or to the structure; the first one ever becomes the main photo."""
    if not uploads:
        raise ValidationError({"photos": _("Choose at least one photo.")}, code="required")
    return _photos_store(owner=owner, checked=photos_check(uploads=uploads))


def _held_prefix(provider: Provider) -> str:
    return f"photos/{provider.pk}/held/"


def photos_hold(*, provider: Provider, uploads: Sequence[UploadedFile]) -> list[str]:
    """Keep the photos of a form that failed on another field (the first-connection wizard): a
    browser never fills a file field again, so they are checked now, stored apart, and given back
    by ``photos_held`` when the form is sent again. Returns their storage names."""
    names = []
    for upload, image_format in photos_check(uploads=uploads):
        upload.seek(0)
        names.append(
            default_storage.save(
                f"{_held_prefix(provider)}{uuid.uuid4().hex}{PHOTO_FORMATS[image_format]}", upload
            )
        )
    return names


def photos_held(*, provider: Provider, names: Iterable[str]) -> list[File]:
    """The photos kept by ``photos_hold`` (only this provider's, still stored), as uploads."""
    prefix = _held_prefix(provider)
    return [
        File(default_storage.open(name), name=PurePosixPath(name).name)
        for name in names
        if isinstance(name, str)
        and name.startswith(prefix)
        and ".." not in name
        and default_storage.exists(name)
    ]


def photos_release(*, provider: Provider, names: Iterable[str]) -> None:
    """Forget the photos kept by ``photos_hold`` (after they were stored with their lodging)."""
    prefix = _held_prefix(provider)
    _delete_files(
        name for name in names if isinstance(name, str) and name.startswith(prefix) and ".." not in name
    )


HELD_PHOTOS_KEPT = timedelta(days=1)  # a wizard left with photos held: they go after a day


def held_photos_purge(*, now: datetime | None = None) -> int:
    """Delete the photos ``photos_hold`` kept for a form that was never sent again (the wizard
    abandoned after a bad input), a day after they were held, for every provider. Returns how many."""
    limit = (now or timezone.now()) - HELD_PHOTOS_KEPT
    try:
        providers, _files = default_storage.listdir("photos")
    except FileNotFoundError:
        return 0
    stale = []
    for folder in providers:
        prefix = f"photos/{folder}/held"
        try:
            _dirs, names = default_storage.listdir(prefix)
        except FileNotFoundError:
            continue
        stale += [
            f"{prefix}/{name}"
            for name in names
            if default_storage.get_modified_time(f"{prefix}/{name}") < limit
        ]
    _delete_files(stale)
    return len(stale)


def photo_update(*, photo: Photo, caption: str) -> Photo:
    photo.caption = caption.strip()
    photo.full_clean()
    photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def photo_move(*, photo: Photo, offset: int) -> Photo:
    """Move a photo earlier (-1) or later (+1) in its gallery."""
    _lock_owner(photo.lodging or photo.structure)
    _move(list(_photo_siblings(photo).order_by("position", "id")), photo, offset)
    return photo


@transaction.atomic
def photo_set_main(*, photo: Photo) -> Photo:
    """Make ``photo`` the main one of its lodging or structure (there is only ever one)."""
    _lock_owner(photo.lodging or photo.structure)
    _photo_siblings(photo).filter(is_main=True).exclude(pk=photo.pk).update(is_main=False)
    photo.is_main = True
    photo.save(update_fields=["is_main"])
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo) -> None:
    """Delete a photo and its files; when it was the main one, the next photo takes its place."""
    _lock_owner(photo.lodging or photo.structure)
    siblings = _photo_siblings(photo)
    files = _photo_files(photo)
    was_main = photo.is_main
    photo.delete()
    if was_main:
        successor = siblings.order_by("position", "id").first()
        if successor is not None:
            successor.is_main = True
            successor.save(update_fields=["is_main"])
    transaction.on_commit(lambda: _delete_files(files))


# ---------------------------------------------------------------------------------------------
# Structure


def structure_get(*, provider: Provider) -> Structure:
    """The provider's structure (created with the provider; created here for older accounts)."""
    structure, _created = Structure.objects.get_or_create(
        provider=provider, defaults={"name": provider.company or provider.display_name}
    )
    return structure


def structure_update(*, structure: Structure, **fields) -> Structure:
    for name, value in fields.items():
        setattr(structure, name, value)
    structure.full_clean()
    structure.save()
    return structure


# ---------------------------------------------------------------------------------------------
# Supplements


def _supplement_lodgings(provider: Provider, lodgings: Iterable[Lodging]) -> list[Lodging]:
    lodgings = list(lodgings)
    if any(lodging.provider_id != provider.pk for lodging in lodgings):
        raise ValidationError({"lodgings": _("Choose among your own lodgings.")}, code="invalid_choice")
    return lodgings


@transaction.atomic
def supplement_create(*, provider: Provider, lodgings: Iterable[Lodging] = (), **fields) -> Supplement:
    """Add a supplement; a mandatory one is then added to every stay of its lodgings."""
    lodgings = _supplement_lodgings(provider, lodgings)
    top = Supplement.objects.filter(provider=provider).aggregate(top=Max("position"))["top"]
    supplement = Supplement(provider=provider, position=0 if top is None else top + 1, **fields)
    supplement.full_clean()
    supplement.save()
    supplement.lodgings.set(lodgings)
    return supplement


@transaction.atomic
def supplement_update(
    *, supplement: Supplement, lodgings: Iterable[Lodging] | None = None, **fields
) -> Supplement:
    """Edit a supplement. Booking files keep the label and price they were made with."""
    for name, value in fields.items():
        setattr(supplement, name, value)
    supplement.full_clean()
    supplement.save()
    if lodgings is not None:
        supplement.lodgings.set(_supplement_lodgings(supplement.provider, lodgings))
    return supplement


def supplement_delete(*, supplement: Supplement) -> None:
    """Remove a supplement from the catalogue; existing booking lines keep their copy."""
    supplement.delete()


# ---------------------------------------------------------------------------------------------
# Age brackets


def _age_bracket_check(bracket: AgeBracket) -> None:
    bracket.full_clean(validate_constraints=False)
    clash = (
        AgeBracket.objects.filter(
            provider_id=bracket.provider_id, age_min__lte=bracket.age_max, age_max__gte=bracket.age_min
        )
        .exclude(pk=bracket.pk)
        .order_by("age_min")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "age_min": ValidationError(
                    _(
                        "Ages %(min)s to %(max)s overlap the bracket “%(label)s” "
                        "(%(other_min)s to %(other_max)s years)."
                    ),
                    code="overlap",
                    params={
                        "min": bracket.age_min,
                        "max": bracket.age_max,
                        "label": clash.label,
                        "other_min": clash.age_min,
                        "other_max": clash.age_max,
                    },
                )
            }
        )


def _age_bracket_save(bracket: AgeBracket) -> AgeBracket:
    _age_bracket_check(bracket)
    try:
        with transaction.atomic():
            bracket.save()
    except IntegrityError as error:  # a concurrent change: the exclusion constraint has the last word
        raise ValidationError(
            {"age_min": _("This age range overlaps another age bracket.")}, code="overlap"
        ) from error
    return bracket


@transaction.atomic
def age_bracket_create(
    *, provider: Provider, label_fr: str, age_min: int, age_max: int, label_en: str = ""
) -> AgeBracket:
    top = AgeBracket.objects.filter(provider=provider).aggregate(top=Max("position"))["top"]
    bracket = AgeBracket(
        provider=provider,
        label_fr=label_fr,
        label_en=label_en,
        age_min=age_min,
        age_max=age_max,
        position=0 if top is None else top + 1,
    )
    return _age_bracket_save(bracket)


@transaction.atomic
def age_bracket_update(*, age_bracket: AgeBracket, **fields) -> AgeBracket:
    for name, value in fields.items():
        setattr(age_bracket, name, value)
    return _age_bracket_save(age_bracket)


def age_bracket_delete(*, age_bracket: AgeBracket) -> None:
    """Delete an age bracket, unless a stay price or a booking uses it (then say which)."""
    try:
        with transaction.atomic():
            age_bracket.delete()
    except ProtectedError as error:
        apps = {obj._meta.app_label for obj in error.protected_objects}
        if apps == {"tarifs"}:
            message = _("“%(label)s” is used by stay prices: it cannot be deleted.")
        elif apps == {"reservations"}:
            message = _("“%(label)s” is used by bookings: it cannot be deleted.")
        else:
            message = _("“%(label)s” is used by stay prices and bookings: it cannot be deleted.")
        raise ValidationError(message, code="protected", params={"label": age_bracket.label}) from error


@transaction.atomic
def age_bracket_move(*, age_bracket: AgeBracket, offset: int) -> AgeBracket:
    """Move an age bracket up (-1) or down (+1) in the list (the order of the booking forms)."""
    Provider.objects.select_for_update(no_key=True).filter(pk=age_bracket.provider_id).values_list("pk").get()
    brackets = list(
        AgeBracket.objects.filter(provider_id=age_bracket.provider_id).order_by("position", "-age_max")
    )
    _move(brackets, age_bracket, offset)
    return age_bracket


@transaction.atomic
def first_connection_complete(
    *, provider: Provider, contact: Mapping[str, object], lodging: Mapping
) -> Lodging:
    """ "Valider mon hébergement", the end of the first-connection wizard: the contact details and
    the first lodging are written together, and the back office opens — or nothing is saved."""
    provider_update(provider=provider, data=dict(contact))
    created = lodging_create(provider=provider, **lodging)
    provider_complete_setup(provider=provider)
    return created
