"""HÉBERGEMENT: lodgings, the provider's structure, photos, characteristics, supplements, age brackets."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from comptes.models import Provider
from comptes.scoping import ScopedManager


class Commune(models.Model):
    """A French commune (INSEE code, name, postcode). Shared catalogue, not provider-owned."""

    insee_code = models.CharField(_("INSEE code"), max_length=5)
    name = models.CharField(_("name"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=5)
    department = models.CharField(_("department"), max_length=3, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "postcode"]
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "postcode"], name="commune_unique_insee_postcode")
        ]
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.postcode})"


class Structure(models.Model):
    """ "Votre structure d'accueil": the provider's establishment, used by contracts and public pages."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="structure")
    name = models.CharField(_("name"), max_length=150, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("structure")

    def __str__(self) -> str:
        return self.name or str(self.provider)


class LodgingType(models.TextChoices):
    MAISON = "maison", _("Detached house")
    APPARTEMENT = "appartement", _("Apartment")
    GITE = "gite", _("Gîte")
    CHALET = "chalet", _("Chalet")
    CHAMBRE = "chambre", _("Room")
    STUDIO = "studio", _("Studio")
    DORTOIR = "dortoir", _("Dormitory")
    MOBILE_HOME = "mobile_home", _("Mobile home")
    AUTRE = "autre", _("Other")


class Classification(models.TextChoices):
    NON_CLASSE = "non_classe", _("Not classified")
    ETOILES_1 = "1", _("1 star")
    ETOILES_2 = "2", _("2 stars")
    ETOILES_3 = "3", _("3 stars")
    ETOILES_4 = "4", _("4 stars")
    ETOILES_5 = "5", _("5 stars")
    GITES_DE_FRANCE = "gites_de_france", _("Gîtes de France label")
    CLEVACANCES = "clevacances", _("Clévacances label")


class Orientation(models.TextChoices):
    NORD = "N", _("North")
    NORD_EST = "NE", _("North-East")
    EST = "E", _("East")
    SUD_EST = "SE", _("South-East")
    SUD = "S", _("South")
    SUD_OUEST = "SO", _("South-West")
    OUEST = "O", _("West")
    NORD_OUEST = "NO", _("North-West")


class LodgingQuerySet(models.QuerySet):
    def active(self) -> LodgingQuerySet:
        """Lodgings that are not archived, in the menu's order: the planning, the price and booking
        forms, the iCal pages and the public pages offer these."""
        return self.filter(archived=False).order_by("position", "number")


class Lodging(models.Model):
    """A lodging ("hébergement"). Reference ``OSMB-<provider number>-<number>``, never reused."""

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Visible on the internet, online booking allowed")
        HIDDEN = "hidden", _("Not visible on the internet")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="lodgings")
    number = models.PositiveIntegerField(_("number"), editable=False)
    name = models.CharField(_("lodging name"), max_length=150)
    has_stock = models.BooleanField(_("lodging with stock?"), default=False)
    stock_units = models.PositiveSmallIntegerField(
        _("number of units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    lodging_type = models.CharField(
        _("lodging type"), max_length=20, choices=LodgingType.choices, default=LodgingType.MAISON
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.NON_CLASSE
    )
    residence = models.CharField(_("residence"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("city"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    altitude = models.IntegerField(
        _("altitude (m)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-500), MaxValueValidator(9000)],
    )
    capacity_min = models.PositiveSmallIntegerField(
        _("minimum number of people"), default=1, validators=[MinValueValidator(1)]
    )
    capacity_max = models.PositiveSmallIntegerField(
        _("maximum number of people"), default=1, validators=[MinValueValidator(1)]
    )
    surface = models.PositiveIntegerField(_("surface (m²)"), null=True, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    orientation = models.CharField(_("orientation"), max_length=2, choices=Orientation.choices, blank=True)
    security_deposit = models.DecimalField(
        _("security deposit"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    description_fr = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        blank=True,
        help_text=_(
            "Furnished tourist lodging registration number (loi Le Meur), "
            "printed on contracts and public pages."
        ),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    archived = models.BooleanField(_("archived"), default=False)
    characteristics = models.ManyToManyField(
        "Characteristic", blank=True, related_name="lodgings", verbose_name=_("characteristics")
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(models.Manager.from_queryset(LodgingQuerySet), provider="provider")

    class Meta:
        verbose_name = _("lodging")
        verbose_name_plural = _("lodgings")
        ordering = ["position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "number"], name="lodging_unique_number_per_provider"),
            models.CheckConstraint(
                name="lodging_capacity_min_le_max", condition=Q(capacity_min__lte=F("capacity_max"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.capacity_min and self.capacity_max and self.capacity_min > self.capacity_max:
            raise ValidationError(
                {"capacity_max": _("The maximum number of people must be at least the minimum.")}
            )

    @property
    def reference(self) -> str:
        return f"OSMB-{self.provider.number}-{self.number}"

    @property
    def main_photo(self) -> Photo | None:
        """The main photo; uses ``main_photos`` when the list page prefetched it (no extra query)."""
        photos = getattr(self, "main_photos", None)
        if photos is None:
            photos = list(self.photos.order_by("-is_main", "position", "id")[:1])
        return photos[0] if photos else None

    @property
    def stars(self) -> str:
        """ "★★★" for a 3-star classification, "" for an unclassified or labelled lodging."""
        return "★" * int(self.classification) if self.classification.isdigit() else ""

    @property
    def is_visible(self) -> bool:
        return self.visibility == self.Visibility.VISIBLE and not self.archived

    @property
    def is_clevacances(self) -> bool:
        """Labelled Clévacances: its sale prohibitions are called "blocages propriétaire", as in
        Open Pro Clévacances ("Créer un blocage propriétaire")."""
        return self.classification == Classification.CLEVACANCES


def photo_upload_to(instance: Photo, filename: str) -> str:
    """``photos/<provider id>/<random>.<ext>``: no user-chosen name reaches the storage."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"photos/{instance.provider_id}/{uuid.uuid4().hex}{suffix}"


def thumbnail_upload_to(instance: Photo, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"photos/{instance.provider_id}/thumbs/{uuid.uuid4().hex}{suffix}"


class Photo(models.Model):
    """An image of a lodging or of the structure; thumbnail generated once at upload.

    Files go through Django's default storage (``MEDIA_ROOT`` on disk, or any S3-like backend).
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="photos")
    lodging = models.ForeignKey(
        Lodging, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    structure = models.ForeignKey(
        Structure, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("image"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    thumbnail = models.ImageField(
        upload_to=thumbnail_upload_to, blank=True, width_field="thumb_width", height_field="thumb_height"
    )
    thumb_width = models.PositiveIntegerField(default=0, editable=False)
    thumb_height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_main = models.BooleanField(_("main photo"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="photo_belongs_to_lodging_xor_structure",
                condition=Q(lodging__isnull=False, structure__isnull=True)
                | Q(lodging__isnull=True, structure__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["lodging"], condition=Q(is_main=True), name="photo_one_main_per_lodging"
            ),
            models.UniqueConstraint(
                fields=["structure"], condition=Q(is_main=True), name="photo_one_main_per_structure"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.image.name


class CharacteristicFamily(models.Model):
    """A family of the equipment catalogue (Équipements intérieurs, extérieurs, services…)."""

    code = models.SlugField(unique=True)
    name_fr = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("characteristic family")
        verbose_name_plural = _("characteristic families")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fr


class Characteristic(models.Model):
    """An item of the shared equipment catalogue (seeded by a data migration, one row per name)."""

    family = models.ForeignKey(CharacteristicFamily, on_delete=models.CASCADE, related_name="characteristics")
    code = models.SlugField(unique=True)
    name_fr = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["family__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["name_fr"], name="characteristic_unique_name_fr")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fr


class Supplement(models.Model):
    """A supplement (Frais de ménage, animal…): mandatory ones are added to every stay of their lodgings."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="supplements")
    label = models.CharField(_("label"), max_length=150)
    label_en = models.CharField(_("label (English)"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    counts_toward_deposit = models.BooleanField(_("included in the deposit calculation"), default=False)
    per_day = models.BooleanField(_("price per day"), default=False)
    per_person = models.BooleanField(_("price per person"), default=False)
    max_quantity = models.PositiveSmallIntegerField(
        _("maximum quantity"), default=1, validators=[MinValueValidator(1)]
    )
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    lodgings = models.ManyToManyField(
        Lodging, blank=True, related_name="supplements", verbose_name=_("lodgings")
    )
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("supplement")
        verbose_name_plural = _("supplements")
        ordering = ["-mandatory", "position", "id"]

    def __str__(self) -> str:
        return self.label


class AgeBracket(models.Model):
    """Tranche d'âge (Adulte 17–100, Enfant 3–16, Bébé 0–2 by default). Ranges never overlap."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="age_brackets")
    label_fr = models.CharField(_("label (French)"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=50, blank=True)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), validators=[MaxValueValidator(120)])
    age_max = models.PositiveSmallIntegerField(_("maximum age"), validators=[MaxValueValidator(120)])
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("age bracket")
        verbose_name_plural = _("age brackets")
        ordering = ["position", "-age_max"]
        constraints = [
            models.CheckConstraint(name="age_bracket_min_le_max", condition=Q(age_min__lte=F("age_max"))),
            ExclusionConstraint(
                name="age_bracket_no_overlap",
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    (
                        Func(F("age_min"), F("age_max"), models.Value("[]"), function="int4range"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=_("This age range overlaps another age bracket."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_max": _("The maximum age must be at least the minimum age.")})

    @property
    def label(self) -> str:
        return (self.label_en or self.label_fr) if get_language() == "en" else self.label_fr


DEFAULT_AGE_BRACKETS = (
    ("Adulte", "Adult", 17, 100),
    ("Enfant", "Child", 3, 16),
    ("Bébé", "Baby", 0, 2),
)
