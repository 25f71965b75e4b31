"""SUIVI DES RÉSERVATIONS: clients, booking files, stays and sale prohibitions, supplements, payments.

Availability has one table, ``Stay``: a lodging's units taken from ``arrival`` (included) to
``departure`` (excluded), either for a booking file (kind ``booking``, one unit) or by the owner
(kind ``prohibition``, an "interdiction de vente": every unit unless the owner gives a number).
``reservations.availability`` is the one module that counts them against the lodging's capacity,
under the lodging's row lock. Rows of a one-unit lodging (``exclusive``) are also guarded by a
PostgreSQL exclusion constraint, so no code path can double-book a gîte. Blocks imported from other
platforms (iCal) live elsewhere, outside the constraint, so that a clash with them shows as a
conflict instead of being refused.

Amounts and status of a file are written only by ``reservations.services.bookings.booking_refresh``,
the one place that decides a booking's state; what the stored amounts mean (deposit still due,
balance, paid) is read through ``reservations.money``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptes.models import ContactFields, DepositKind, Provider
from comptes.scoping import ScopedManager
from hebergements.models import AgeBracket, Lodging, Supplement
from tarifs.models import PromoCode


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


def stay_period(arrival="arrival", departure="departure") -> DateRange:
    """``daterange(arrival, departure, '[)')``: the expression of the exclusion constraint and of the
    gist index, so that overlap tests written with it (``&&``) use the index."""
    return DateRange(arrival, departure, RangeBoundary(inclusive_lower=True, inclusive_upper=False))


class Client(ContactFields):
    """A guest in the provider's client file ("fichier clients")."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="clients")
    # "Code client : DUP-2" (Clévacances): three letters of the name and the provider's client
    # number, given once by ``services.bookings.client_code_next``.
    code = models.CharField(_("client code"), max_length=20, blank=True, editable=False)
    address2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    phone3 = models.CharField(_("phone 3"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    optin = models.BooleanField(_("marketing opt-in"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["provider", "email"]),
            # The client file's order (its pages are read from this index, OFFSET included).
            models.Index(fields=["provider", "last_name", "first_name", "id"], name="client_file_order"),
            # Duplicates by e-mail, case ignored (``selectors.same_email``).
            models.Index(F("provider"), Lower("email"), name="client_email_lower"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "code"], condition=~Q(code=""), name="client_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class BookingStatus(models.TextChoices):
    OPTION = "option", _("Option")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid in full")
    CANCELLED = "cancelled", _("Cancelled")


class BookingOrigin(models.TextChoices):
    LOCAL = "local", _("Local file")
    PHONE = "phone", _("Phone booking")
    INTERNET = "internet", _("Internet")
    WIDGET = "widget", _("Widget")
    ICAL = "ical", _("iCal platform")


# Origins whose files came through a web site: "Site internet" of "Arrivées" / "Départs".
WEB_ORIGINS = (BookingOrigin.INTERNET, BookingOrigin.WIDGET, BookingOrigin.ICAL)


class Formula(models.Model):
    """A formula the owner offers ("Pension complète", "Demi-pension"…), chosen on a file (the
    Clévacances "Détail d'une réservation"). A formula a file uses cannot be deleted."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="formulas")
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("formula")
        verbose_name_plural = _("formulas")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "provider", name="formula_unique_name_per_provider")
        ]

    def __str__(self) -> str:
        return self.name


class BookingQuerySet(models.QuerySet):
    def real(self) -> BookingQuerySet:
        """Every file but the test files ("Tests de réservation"): what the dashboard, revenue,
        exports, reminders, alerts and the office's figures and commissions count. The one filter
        they all use."""
        return self.filter(is_test=False)

    def tests(self) -> BookingQuerySet:
        return self.filter(is_test=True)


class Booking(models.Model):
    """A booking file ("dossier de réservation"), numbered per provider (n°131); a test file has
    its own series (n°T-1, ``display_number``)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="bookings")
    number = models.PositiveIntegerField(_("file number"), editable=False)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="bookings"
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=BookingOrigin.choices, default=BookingOrigin.LOCAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.OPTION
    )
    # The platform or site the file came from ("Airbnb" for a file made from an imported iCal
    # reservation): the "Site internet" column of "Arrivées" and "Départs".
    origin_site = models.CharField(_("website"), max_length=100, blank=True)
    formula = models.ForeignKey(
        Formula,
        verbose_name=_("formula"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    is_test = models.BooleanField(_("test booking"), default=False)
    confirmed_manually = models.BooleanField(default=False, editable=False)

    deposit_kind = models.CharField(
        _("deposit kind"), max_length=10, choices=DepositKind.choices, default=DepositKind.ACOMPTE
    )
    deposit_percent = models.DecimalField(
        _("deposit (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    deposit_due_date = models.DateField(_("deposit payment reminder"), null=True, blank=True)
    balance_due_date = models.DateField(_("balance payment reminder"), null=True, blank=True)
    contract_signed_at = models.DateTimeField(_("signed contract received"), null=True, blank=True)
    promo_code = models.CharField(_("promo code"), max_length=30, blank=True)
    promo = models.ForeignKey(
        PromoCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings", editable=False
    )
    # What the guest accepted online (the terms of sale as they read them) and when.
    terms_text = models.TextField(_("terms of sale accepted"), blank=True, editable=False)
    terms_accepted_at = models.DateTimeField(_("terms accepted on"), null=True, blank=True, editable=False)
    note = models.TextField(_("note (shown to the client)"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")

    # Written by reservations.services.booking_refresh only.
    total_amount = models.DecimalField(
        _("total amount"), max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    deposit_amount = models.DecimalField(
        _("deposit due"), max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    paid_amount = models.DecimalField(
        _("payments"), max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    # The first arrival and the last departure of its stays (lists sort and page on them).
    first_arrival = models.DateField(_("arrival"), null=True, blank=True, editable=False)
    last_departure = models.DateField(_("departure"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created on"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(_manager_class=models.Manager.from_queryset(BookingQuerySet), provider="provider")

    class Meta:
        verbose_name = _("booking file")
        verbose_name_plural = _("booking files")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "is_test", "number"], name="booking_unique_number_per_provider"
            )
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            # "Dernières réservations" (newest first) and the figures by creation date.
            models.Index(fields=["provider", "created_at", "number"], name="booking_provider_created"),
            models.Index(fields=["provider", "first_arrival", "number"]),
            # "Dossiers" newest first, any page: an index scan, not a sort of the whole history.
            models.Index(fields=["provider", "number"], name="booking_provider_number"),
            # The "Code Promo" filter's choices: the few files with a code, not every file.
            models.Index(
                fields=["provider", "promo_code"], condition=~Q(promo_code=""), name="booking_promo_code"
            ),
            # "Origines de toutes vos réservations" counts every counted file of the provider's
            # history: an index-only scan of this index, not of the table.
            models.Index(
                fields=["provider", "origin"],
                include=["id"],
                condition=Q(is_test=False) & ~Q(status=BookingStatus.CANCELLED),
                name="booking_counted_origin",
            ),
        ]

    def __str__(self) -> str:
        return f"n°{self.display_number}"

    @property
    def display_number(self) -> str:
        """The file's number as shown: "131", or "T-1" for a test file (its own series)."""
        return f"T-{self.number}" if self.is_test else str(self.number)

    @property
    def balance(self) -> Decimal:
        """What is left to pay (the rule is ``reservations.money``'s)."""
        from reservations.money import balance

        return balance(self)

    @property
    def is_active(self) -> bool:
        return self.status != BookingStatus.CANCELLED

    @property
    def website(self) -> str:
        """ "Site internet": the platform of a file made from its reservation, else the origin of a
        file made online; empty for a file the owner made."""
        if self.origin_site:
            return self.origin_site
        return str(self.get_origin_display()) if self.origin in WEB_ORIGINS else ""

    @property
    def booking_type(self) -> str:
        """ "Type : Pré-Réservation / Réservation" (Clévacances), read from the status: a file in
        option is a pre-booking, a confirmed or paid file a booking; a cancelled file has none."""
        if self.status == BookingStatus.OPTION:
            return str(pgettext_lazy("booking type", "Pre-booking"))
        if self.status in (BookingStatus.CONFIRMED, BookingStatus.PAID):
            return str(pgettext_lazy("booking type", "Booking"))
        return ""


class Companion(models.Model):
    """A person staying with the client ("Accompagnants"): name and age."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="companions")
    name = models.CharField(_("name"), max_length=150)
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(120)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("accompanying guest")
        verbose_name_plural = _("accompanying guests")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="companion_age_range", condition=Q(age__isnull=True) | Q(age__lte=120)
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceSource(models.TextChoices):
    """Where a stay's price comes from: the price engine's quote (the only source a public page
    can use), a price the owner typed in the back office (audited), or a platform's amount."""

    ENGINE = "engine", _("Price grid")
    MANUAL = "manual", _("Price typed by the owner")
    PLATFORM = "platform", _("Platform’s amount")


class Stay(models.Model):
    """Units of a lodging taken from ``arrival`` to ``departure`` (excluded): a booked stay or a sale
    prohibition."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        PROHIBITION = "prohibition", _("Sale prohibition")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="stays")
    lodging = models.ForeignKey(
        Lodging, verbose_name=_("lodging"), on_delete=models.PROTECT, related_name="stays"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.BOOKING)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="stays"
    )
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    active = models.BooleanField(
        default=True, help_text="False once the booking file is cancelled: the dates are free again."
    )
    units = models.PositiveSmallIntegerField(
        _("units"),
        null=True,
        blank=True,
        default=1,
        help_text="Units of the lodging this row takes each night; empty: every unit.",
    )
    exclusive = models.BooleanField(
        default=True,
        editable=False,
        help_text="Written for a one-unit lodging: the exclusion constraint guards it.",
    )
    price_source = models.CharField(
        _("price source"), max_length=10, choices=PriceSource.choices, default=PriceSource.ENGINE
    )
    lodging_price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    discount = models.DecimalField(
        _("discount"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["arrival", "id"]
        constraints = [
            models.CheckConstraint(
                name="stay_departure_after_arrival", condition=Q(departure__gt=F("arrival"))
            ),
            models.CheckConstraint(
                name="stay_booking_iff_kind_booking",
                condition=Q(kind="booking", booking__isnull=False)
                | Q(kind="prohibition", booking__isnull=True),
            ),
            models.CheckConstraint(
                name="stay_discount_le_price", condition=Q(discount__lte=F("lodging_price"))
            ),
            models.CheckConstraint(
                name="stay_units_positive", condition=Q(units__isnull=True) | Q(units__gte=1)
            ),
            models.CheckConstraint(
                name="stay_booking_takes_units", condition=Q(kind="prohibition") | Q(units__isnull=False)
            ),
            ExclusionConstraint(
                name="stay_no_overlap",
                expressions=[("lodging", RangeOperators.EQUAL), (stay_period(), RangeOperators.OVERLAPS)],
                condition=Q(active=True, exclusive=True),
            ),
        ]
        indexes = [
            # Overlap tests (``stay_period() && daterange(…)``) of every lodging, whatever its capacity.
            GistIndex("lodging", stay_period(), condition=Q(active=True), name="stay_active_period"),
            models.Index(fields=["lodging", "arrival"]),
            models.Index(fields=["provider", "arrival"]),
            models.Index(fields=["provider", "departure"]),
        ]

    def __str__(self) -> str:
        return f"{self.lodging} {self.arrival:%d/%m/%Y}→{self.departure:%d/%m/%Y}"

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @property
    def price(self) -> Decimal:
        """Lodging price after the discount."""
        return self.lodging_price - self.discount

    def covers(self, day: date) -> bool:
        return self.arrival <= day < self.departure


class StayLine(models.Model):
    """A line of a stay's lodging price as it was quoted when the file was written (a snapshot):
    the grid price (per age bracket when priced per person), the discount, the promotion, the promo
    code — or the owner's manual price, or the platform's amount. Their sum is the stay's price."""

    class Kind(models.TextChoices):
        LODGING = "lodging", _("Lodging")
        DISCOUNT = "discount", _("Discount")
        PROMOTION = "promotion", _("Promotion")
        PROMO_CODE = "promo_code", _("Promo code")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=150)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)  # signed
    age_bracket = models.ForeignKey(
        AgeBracket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label} {self.amount}"


class SaleProhibitionManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Stay.Kind.PROHIBITION)


class SaleProhibition(Stay):
    """An "interdiction de vente": the owner blocks dates without a booking file (hatched on the planning)."""

    objects = ScopedManager(SaleProhibitionManager, provider="provider")

    class Meta:
        proxy = True
        verbose_name = _("sale prohibition")
        verbose_name_plural = _("sale prohibitions")


class StayOccupant(models.Model):
    """How many occupants of one age bracket a stay has (Adulte x 2)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="occupants")
    age_bracket = models.ForeignKey(AgeBracket, on_delete=models.PROTECT, related_name="stay_occupants")
    count = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["age_bracket__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stay", "age_bracket"], name="stay_occupant_unique_bracket")
        ]

    def __str__(self) -> str:
        return f"{self.age_bracket} x {self.count}"


class BookingSupplement(models.Model):
    """A supplement line of a file: tied to a stay (from the catalogue) or global (``stay`` empty).

    Lines are snapshots: label, unit price and quantity are copied when the line is created, so a
    later change of the catalogue never rewrites an existing file.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="supplements")
    stay = models.ForeignKey(
        Stay, null=True, blank=True, on_delete=models.CASCADE, related_name="supplements"
    )
    supplement = models.ForeignKey(
        Supplement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(_("label"), max_length=150)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    counts_toward_deposit = models.BooleanField(default=False)
    mandatory = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label} {self.amount}"


class PaymentMode(models.TextChoices):
    CHEQUE = "cheque", _("Cheque")
    CHEQUE_VACANCES = "cheque_vacances", _("Holiday vouchers (ANCV)")
    ESPECES = "especes", _("Cash")
    VIREMENT = "virement", _("Bank transfer")
    CARTE = "carte", _("Card")
    EN_LIGNE = "en_ligne", _("Online")
    AUTRE = "autre", _("Other")


class Payment(models.Model):
    """A payment ("règlement") received on a file; a refund is a negative amount."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="payments")
    date = models.DateField(_("date"))
    mode = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMode.choices, default=PaymentMode.CHEQUE
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=250, blank=True)
    reference = models.CharField(_("transaction reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(name="payment_amount_not_zero", condition=~Q(amount=0))]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.amount}"
