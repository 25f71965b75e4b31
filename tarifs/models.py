"""Stay prices and promotions. Every price shown anywhere comes from ``tarifs.engine``."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from comptes.models import Provider
from comptes.scoping import ScopedManager
from hebergements.models import AgeBracket, Lodging

# The longest stay priced, booked or searched (monthly lets included): the one place it is set.
MAX_STAY_NIGHTS = 90
# The largest party priced by "price by number of people" (a group gîte sleeps up to this).
MAX_GROUP_PERSONS = 30


class StayPrice(models.Model):
    """The price of one stay: (lodging, arrival, nights) → initial price, discount, sale price.

    ``mode`` says whether the price is for the whole lodging, per occupant by age bracket (then
    the amounts are on the ``bracket_prices`` rows and the three amounts here stay empty), or by
    number of people (the price of each party size is on the ``group_prices`` rows; the amounts
    here are those of the smallest party, the stay's "from" price the search and planning read).
    """

    class Mode(models.TextChoices):
        LODGING = "lodging", _("Price for the whole lodging")
        PER_GROUP = "per_group", _("Price by number of people")
        PER_PERSON = "per_person", _("Price per occupant by age bracket")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="stay_prices")
    lodging = models.ForeignKey(Lodging, on_delete=models.CASCADE, related_name="stay_prices")
    arrival = models.DateField(_("start date"))
    nights = models.PositiveSmallIntegerField(
        _("duration (nights)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_STAY_NIGHTS)]
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.LODGING)
    initial_price = models.DecimalField(
        _("initial price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=0)
    sale_price = models.DecimalField(_("sale price"), max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("stay price")
        verbose_name_plural = _("stay prices")
        ordering = ["lodging", "arrival", "nights"]
        constraints = [
            models.UniqueConstraint(fields=["lodging", "arrival", "nights"], name="stay_price_unique_stay"),
            models.CheckConstraint(
                name="stay_price_nights_range", condition=Q(nights__gte=1, nights__lte=MAX_STAY_NIGHTS)
            ),
            models.CheckConstraint(
                name="stay_price_amounts_by_mode",
                condition=(
                    Q(mode="per_person", initial_price__isnull=True, sale_price__isnull=True)
                    | Q(
                        mode__in=["lodging", "per_group"],
                        initial_price__gt=0,
                        sale_price__gt=0,
                        discount__gte=0,
                        sale_price=F("initial_price") - F("discount"),
                    )
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["lodging", "arrival"]),
            # "À partir de": each lodging's cheapest stays first (the public search, one probe each).
            # Its arrival in the key and the rest included: the probe reads the index alone, in
            # price order within the window (1.5 s → 0.1 s for 1 000 lodgings × 3 years of prices).
            models.Index(
                fields=["lodging", "sale_price", "arrival"],
                include=["nights", "mode"],
                name="stay_price_cheapest",
                condition=Q(sale_price__isnull=False),
            ),
            # A dated search: every lodging's price of exactly that stay in one range of this index
            # (a probe per lodging of ``stay_price_unique_stay`` took 7 ms for 1 000 lodgings).
            models.Index(
                fields=["arrival", "nights"],
                include=["lodging", "mode", "sale_price"],
                name="stay_price_by_stay",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lodging} {self.arrival:%d/%m/%Y} +{self.nights}"

    @property
    def departure(self) -> date:
        return self.arrival + timedelta(days=self.nights)


class StayPriceBracket(models.Model):
    """Per-occupant price of one age bracket for a per-person stay price."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    stay_price = models.ForeignKey(StayPrice, on_delete=models.CASCADE, related_name="bracket_prices")
    age_bracket = models.ForeignKey(AgeBracket, on_delete=models.PROTECT, related_name="stay_prices")
    initial_price = models.DecimalField(
        _("initial price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=0)
    sale_price = models.DecimalField(
        _("sale price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    objects = ScopedManager(provider="provider")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stay_price", "age_bracket"], name="stay_price_bracket_unique"),
            models.CheckConstraint(
                name="stay_price_bracket_sale_is_initial_minus_discount",
                condition=Q(
                    sale_price=F("initial_price") - F("discount"), discount__gte=0, sale_price__gte=0
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stay_price} {self.age_bracket}: {self.sale_price}"


class StayPriceGroup(models.Model):
    """The price of a stay for a party of ``persons`` people ("un prix différent en fonction du
    nombre de personnes"), whatever their ages."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    stay_price = models.ForeignKey(StayPrice, on_delete=models.CASCADE, related_name="group_prices")
    persons = models.PositiveSmallIntegerField(
        _("number of people"), validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP_PERSONS)]
    )
    initial_price = models.DecimalField(_("initial price"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=0)
    sale_price = models.DecimalField(_("sale price"), max_digits=10, decimal_places=2)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["stay_price", "persons"]
        constraints = [
            models.UniqueConstraint(fields=["stay_price", "persons"], name="stay_price_group_unique"),
            models.CheckConstraint(
                name="stay_price_group_amounts",
                condition=Q(
                    sale_price=F("initial_price") - F("discount"),
                    initial_price__gt=0,
                    sale_price__gt=0,
                    discount__gte=0,
                    persons__gte=1,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stay_price} ×{self.persons}: {self.sale_price}"


class Promotion(models.Model):
    """Last-minute (X % if the stay starts in less than N days) or early booking (more than N days)."""

    class Kind(models.TextChoices):
        LAST_MINUTE = "last_minute", _("Last-minute booking")
        EARLY_BOOKING = "early_booking", _("Early booking")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="promotions")
    lodging = models.ForeignKey(Lodging, on_delete=models.CASCADE, related_name="promotions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
    )
    days = models.PositiveSmallIntegerField(
        _("days"), validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    # No dates: offered whenever; a start only, or an end only, is open on the other side.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["lodging", "kind", "days"]
        constraints = [
            models.CheckConstraint(
                name="promotion_valid_period",
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
            ),
            models.CheckConstraint(
                name="promotion_percent_range", condition=Q(percent__gt=0, percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.percent} %"


class PromoCode(models.Model):
    """A code a guest types to get a discount on the lodging price (never on supplements).

    Managed from COMMERCIALISATION > Codes promo; lives here because the price engine applies it.
    """

    class Usage(models.TextChoices):
        SINGLE = "single", _("Single use")
        MULTIPLE = "multiple", _("Multiple use")

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage")
        AMOUNT = "amount", _("Fixed amount")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(
        _("promo code"),
        max_length=30,
        validators=[RegexValidator(r"^[A-Z0-9]+$", _("Only the letters A to Z and digits are allowed."))],
    )
    internal_label = models.CharField(_("internal label"), max_length=100)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    usage = models.CharField(_("usage type"), max_length=10, choices=Usage.choices, default=Usage.MULTIPLE)
    valid_from = models.DateField(_("usable from"))
    valid_to = models.DateField(_("usable until"))
    kind = models.CharField(_("promo type"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        _("value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    lodgings = models.ManyToManyField(Lodging, related_name="promo_codes", verbose_name=_("lodgings"))
    all_stays = models.BooleanField(
        _("stays concerned"), default=True, help_text="False: only stays arriving in one of its periods."
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ["-valid_to", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="promo_code_unique_per_provider"),
            models.CheckConstraint(
                name="promo_code_valid_period", condition=Q(valid_from__lte=F("valid_to"))
            ),
            models.CheckConstraint(
                name="promo_code_percent_le_100", condition=Q(kind="amount") | Q(value__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def public_label(self) -> str:
        """What guests read: the public label in their language (English falls back to French)."""
        return (self.label_en or self.label) if get_language() == "en" else self.label


class PromoCodePeriod(models.Model):
    """A period of stays a promo code is for ("séjours sélectionnés"): the stay arrives in it."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    promo_code = models.ForeignKey(PromoCode, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(name="promo_code_period_order", condition=Q(start__lte=F("end")))
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y} → {self.end:%d/%m/%Y}"


class LastPriceEntry(models.Model):
    """What the provider last submitted on "Créer des tarifs", for "Initialiser avec la dernière saisie".

    ``data`` holds the form's values as JSON-friendly strings (dates ISO, amounts as text).
    """

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="last_price_entry")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("last price entry")

    def __str__(self) -> str:
        return f"{self.provider} {self.updated_at:%Y-%m-%d %H:%M}"


# --- taxe de séjour ---------------------------------------------------------------------------------
# The rules are in ``tarifs.tourist_tax`` (its docstring gives the legal sources); the figures are rows
# with the year they apply to, never constants in code.


class TouristTaxCategory(models.TextChoices):
    """The categories of the legal scale (article L2333-30 CGCT) a lodging of ours can fall in."""

    PALACE = "palace", _("Palace")
    STARS_5 = "5", _("5 stars")
    STARS_4 = "4", _("4 stars")
    STARS_3 = "3", _("3 stars")
    STARS_2 = "2", _("2 stars")
    STARS_1 = "1", _("1 star")
    CHAMBRE_HOTES = "chambre_hotes", _("Guest rooms (chambres d’hôtes)")
    UNCLASSIFIED = "unclassified", _("Unclassified or awaiting classification (percentage)")


TAX_RATE_FIELD = {"max_digits": 6, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class TouristTaxLaw(models.Model):
    """What the law fixes for one year: the bounds of the proportional rate of unclassified lodgings
    and the rate of the additional departmental tax. The bounds per category are ``TouristTaxBound``."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    proportional_min = models.DecimalField(_("proportional rate: minimum (%)"), **TAX_RATE_FIELD)
    proportional_max = models.DecimalField(_("proportional rate: maximum (%)"), **TAX_RATE_FIELD)
    departmental_percent = models.DecimalField(_("additional departmental tax (%)"), **TAX_RATE_FIELD)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("tourist tax: legal scale")
        verbose_name_plural = _("tourist tax: legal scales")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class TouristTaxBound(models.Model):
    """The legal floor and ceiling of one category's rate per person and night for one year."""

    law = models.ForeignKey(TouristTaxLaw, on_delete=models.CASCADE, related_name="bounds")
    category = models.CharField(_("category"), max_length=20, choices=TouristTaxCategory.choices)
    minimum = models.DecimalField(_("floor (€)"), **TAX_RATE_FIELD)
    maximum = models.DecimalField(_("ceiling (€)"), **TAX_RATE_FIELD)

    class Meta:
        verbose_name = _("tourist tax: legal bounds")
        verbose_name_plural = _("tourist tax: legal bounds")
        ordering = ["law", "category"]
        constraints = [
            models.UniqueConstraint(fields=["law", "category"], name="tourist_tax_bound_unique"),
            models.CheckConstraint(
                name="tourist_tax_bound_min_le_max", condition=Q(minimum__lte=F("maximum"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.law.year} {self.get_category_display()}: {self.minimum}–{self.maximum}"


class TouristTaxRate(models.Model):
    """The rate a commune voted for one year and category: euros per adult and night, or for the
    unclassified category the percentage of the price per person and night. Entered by the staff of
    the office whose territory the commune is in (``office``)."""

    office = models.ForeignKey(
        "comptes.Office", on_delete=models.CASCADE, related_name="tourist_tax_rates", editable=False
    )
    commune = models.ForeignKey(
        "hebergements.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    category = models.CharField(_("category"), max_length=20, choices=TouristTaxCategory.choices)
    rate = models.DecimalField(
        _("rate"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Euros per adult and night; a percentage for unclassified lodgings."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "comptes.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("tourist tax rate")
        verbose_name_plural = _("tourist tax rates")
        ordering = ["commune__name", "-year", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year", "category"],
                name="tourist_tax_rate_unique",
                violation_error_message=_(
                    "This commune already has a rate for this year and category: edit that one."
                ),
            )
        ]
        indexes = [models.Index(fields=["office", "year"])]

    def __str__(self) -> str:
        return f"{self.commune} {self.year} {self.get_category_display()}: {self.rate}"


class TouristTaxDepartmental(models.Model):
    """A département voted the additional departmental tax (article L3333-1 CGCT) for a year: the
    communes of that département add the law's percentage to their tax."""

    office = models.ForeignKey(
        "comptes.Office", on_delete=models.CASCADE, related_name="tourist_tax_departments", editable=False
    )
    department = models.CharField(_("department"), max_length=3)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("additional departmental tax")
        verbose_name_plural = _("additional departmental taxes")
        ordering = ["department", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"],
                name="tourist_tax_departmental_unique",
                violation_error_message=_("This département already has the additional tax for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}"
