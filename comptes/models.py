"""Tenancy and accounts: offices, providers, users and memberships, provider settings, audit log.

Every provider-owned row elsewhere in the project carries a ``provider`` foreign key and a
``ScopedManager(provider="provider")`` manager (see ``comptes.scoping``): a query run outside a
provider scope raises instead of returning another tenant's rows.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import URLField
from comptes import defaults
from comptes.scoping import ScopedManager
from comptes.validators import validate_payment_account_id


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail. What they may see comes from their memberships."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    #: When the last invitation mail was sent (``comptes.invitations``): a new one voids the links
    #: of the previous ones.
    invited_at = models.DateTimeField(_("invited on"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Civility(models.TextChoices):
    MADAME = "mme", pgettext_lazy("civility", "Mrs")
    MONSIEUR = "m", pgettext_lazy("civility", "Mr")
    OTHER = "autre", pgettext_lazy("civility", "Other")


class ContactFields(models.Model):
    """Postal and phone contact details shared by providers and clients (the manual's field list)."""

    company = models.CharField(_("company"), max_length=150, blank=True)
    civility = models.CharField(_("civility"), max_length=10, choices=Civility.choices, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True, default="France")
    phone1 = models.CharField(_("phone 1"), max_length=30, blank=True)
    phone2 = models.CharField(_("phone 2"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name) if part)


class Office(models.Model):
    """A tourism organisation (ADT, office de tourisme) running a public marketplace."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), unique=True)
    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    website = URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(ContactFields):
    """An owner account ("Meublé - 92750"): contact details, settings and everything below it."""

    class Kind(models.TextChoices):
        MEUBLE = "meuble", _("Furnished rental")
        CHAMBRE_HOTES = "chambre_hotes", _("Guest rooms")
        REFUGE = "refuge", _("Mountain refuge")
        OTHER = "autre", _("Other")

    class Status(models.TextChoices):
        TEST = "test", _("Test")
        PRODUCTION = "production", _("Production")

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="providers",
    )
    number = models.PositiveIntegerField(_("provider number"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEUBLE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TEST)
    email = models.EmailField(_("e-mail"))
    website = URLField(_("website"), blank=True)

    # Paramètres avancés
    min_stay_nights = models.PositiveSmallIntegerField(
        _("minimum stay"), default=1, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    always_desktop = models.BooleanField(_("always use the desktop version"), default=False)

    # Counters: references and file numbers are never reused, even after a deletion.
    lodging_counter = models.PositiveIntegerField(default=0, editable=False)
    booking_counter = models.PositiveIntegerField(default=0, editable=False)
    client_counter = models.PositiveIntegerField(default=0, editable=False)
    #: Test files ("Tests de réservation") have their own series (T-1, T-2…): deleting them leaves
    #: no gap in the real one.
    test_booking_counter = models.PositiveIntegerField(default=0, editable=False)

    #: Set by the office's staff (``comptes.services.provider_deactivate``): the owner can no longer
    #: log in and the public pages are offline; nothing is deleted.
    deactivated_at = models.DateTimeField(_("deactivated on"), null=True, blank=True)

    setup_completed_at = models.DateTimeField(_("first connection completed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.account_name

    @property
    def account_name(self) -> str:
        """The top-bar name, e.g. "Meublé - 92750"."""
        labels = {
            self.Kind.MEUBLE: pgettext_lazy("account name", "Furnished"),
            self.Kind.CHAMBRE_HOTES: pgettext_lazy("account name", "Guest room"),
            self.Kind.REFUGE: pgettext_lazy("account name", "Refuge"),
            self.Kind.OTHER: pgettext_lazy("account name", "Provider"),
        }
        return f"{labels.get(self.kind, self.kind)} - {self.number}"

    @property
    def is_setup_complete(self) -> bool:
        return self.setup_completed_at is not None

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def in_production(self) -> bool:
        return self.status == self.Status.PRODUCTION


class Membership(models.Model):
    """What a user may act on: one provider (owner) or one office (staff)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Provider owner")
        OFFICE_STAFF = "office_staff", _("Office staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_owner_has_provider_staff_has_office",
                condition=(
                    Q(role="owner", provider__isnull=False, office__isnull=True)
                    | Q(role="office_staff", office__isnull=False, provider__isnull=True)
                ),
            ),
            models.UniqueConstraint(fields=["user", "provider"], name="membership_unique_user_provider"),
            models.UniqueConstraint(fields=["user", "office"], name="membership_unique_user_office"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.provider or self.office}"


def default_mail_languages() -> list[str]:
    return ["fr"]


class DepositKind(models.TextChoices):
    """Arrhes or acompte: a legal difference (Code de la consommation L214-1) the owner chooses."""

    ARRHES = "arrhes", _("Arrhes (non-binding deposit)")
    ACOMPTE = "acompte", _("Acompte (binding down payment)")


class ProviderSettings(models.Model):
    """Modalités de vente and contract parameters used by the price engine and the booking flows.

    Owned by the PARAMÈTRES pages; created with the provider with the manual's defaults (25 %,
    deposit due 10 days after the option, balance at arrival).
    """

    class BalanceRule(models.TextChoices):
        AT_ARRIVAL = "arrival", _("At arrival")
        DAYS_BEFORE = "days_before", _("A number of days before arrival")

    class BookingDelay(models.TextChoices):
        SAME_DAY = "same_day", _("the same day")
        SAME_DAY_UNTIL = "same_day_until", _("the same day until a given time")
        NEXT_DAY = "next_day", _("the next day")
        NEXT_DAY_UNTIL = "next_day_until", _("the next day until a given time")
        MIN_DAYS = "min_days", _("after a minimum number of days")

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="settings")
    deposit_kind = models.CharField(
        _("payment asked in advance"), max_length=10, choices=DepositKind.choices, default=DepositKind.ACOMPTE
    )
    deposit_percent = models.DecimalField(
        _("default deposit (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    use_proximity_rules = models.BooleanField(
        _("apply a different percentage depending on how close the stay is"), default=False
    )
    option_days = models.PositiveSmallIntegerField(
        _("deposit due (days after the option is created)"), default=10, validators=[MaxValueValidator(365)]
    )
    balance_rule = models.CharField(
        _("balance payment"), max_length=20, choices=BalanceRule.choices, default=BalanceRule.AT_ARRIVAL
    )
    balance_days_before = models.PositiveSmallIntegerField(
        _("balance due (days before arrival)"), default=30, validators=[MaxValueValidator(365)]
    )
    booking_delay = models.CharField(
        _("online booking allowed for a stay starting"),
        max_length=20,
        choices=BookingDelay.choices,
        default=BookingDelay.SAME_DAY,
    )
    booking_delay_hour = models.TimeField(_("latest time"), null=True, blank=True)
    booking_delay_days = models.PositiveSmallIntegerField(
        _("minimum number of days"), default=0, validators=[MaxValueValidator(365)]
    )

    class ExpiredOptions(models.TextChoices):
        CANCEL = "cancel", _("Cancel it automatically (the dates are freed, the guest is told)")
        FLAG = "flag", _("Keep it and show it in my reminders")

    class PublicContact(models.TextChoices):
        HIDDEN = "hidden", _("Do not show my contact details")
        PHONE_EMAIL = "phone_email", _("My name, phone and e-mail")
        FULL = "full", _("My name, address, phone and e-mail")

    public_contact = models.CharField(
        _("contact details shown on your booking pages"),
        max_length=12,
        choices=PublicContact.choices,
        default=PublicContact.PHONE_EMAIL,
    )
    expired_options = models.CharField(
        _("an online pre-booking whose deposit is not received in time"),
        max_length=10,
        choices=ExpiredOptions.choices,
        default=ExpiredOptions.CANCEL,
    )

    # Conditions générales de vente: mandatory before online booking (comptes.services.sales_terms_update).
    online_booking = models.BooleanField(_("I want my lodgings to be bookable online"), default=False)
    terms_fr = models.TextField(_("terms of sale (French)"), blank=True)
    terms_en = models.TextField(_("terms of sale (English)"), blank=True)

    # Informations relatives à la collecte des données personnelles (Opt-In)
    optin_enabled = models.BooleanField(_("ask the guest for their consent"), default=False)
    optin_text_fr = models.TextField(_("text the guest accepts (French)"), blank=True)
    optin_text_en = models.TextField(_("text the guest accepts (English)"), blank=True)
    optin_link = URLField(_("link to a document"), blank=True)

    # Votre politique de traitement des données personnelles
    privacy_enabled = models.BooleanField(_("show general information to the guest"), default=False)
    privacy_text_fr = models.TextField(_("information (French)"), blank=True)
    privacy_text_en = models.TextField(_("information (English)"), blank=True)
    privacy_link = URLField(_("link to a document"), blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("provider settings")
        verbose_name_plural = _("provider settings")

    def __str__(self) -> str:
        return f"{self.provider}"


class DepositRule(models.Model):
    """ "If the stay starts in less than N days, the percentage is X %" (Modalités de vente)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="deposit_rules")
    days_before = models.PositiveSmallIntegerField(
        _("stay starts in less than (days)"), validators=[MinValueValidator(1)]
    )
    percent = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["days_before"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "days_before"], name="deposit_rule_unique_days")
        ]

    def __str__(self) -> str:
        return f"< {self.days_before} d → {self.percent} %"


def logo_upload_to(instance: ContractSettings, filename: str) -> str:
    """``providers/<number>/logo/<random>.<ext>``: a new name at each upload (no stale cache)."""
    extension = PurePosixPath(filename).suffix.lower()[:6]
    return f"providers/{instance.provider.number}/logo/{uuid.uuid4().hex}{extension}"


class ContractSettings(models.Model):
    """Personnalisation des contrats, parts 1 to 4: what the booking documents (option proposal,
    contract PDF) show. The deposit and balance deadlines stay on ``ProviderSettings``
    (``option_days``, ``balance_rule``, ``balance_days_before``).

    Texts shown to the client exist in French and English (``…_fr`` / ``…_en``); read them through
    ``comptes.selectors.contract_settings_for(provider, language)``, which resolves the language.
    """

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="contract_settings")

    #: The last time the owner saved "Personnalisation des contrats" (the office's checklist).
    saved_at = models.DateTimeField(_("saved on"), null=True, blank=True, editable=False)

    # Partie 1 - En-tête des documents PDF
    identity = models.CharField(_("your identity"), max_length=150, blank=True)
    slogan = models.CharField(_("your slogan"), max_length=200, blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_upload_to, blank=True, max_length=200)

    # Partie 2 - Prix et mode de règlement
    show_price_detail = models.BooleanField(_("show the price detail"), default=True)
    pay_by_cheque = models.BooleanField(_("bank cheque"), default=True)
    cheque_payable_to = models.CharField(_("cheque payable to"), max_length=150, blank=True)
    pay_by_holiday_vouchers = models.BooleanField(_("holiday vouchers (ANCV)"), default=True)
    pay_by_transfer = models.BooleanField(_("bank transfer"), default=False)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    pay_by_card_phone = models.BooleanField(_("card number sent by phone"), default=False)
    pay_online = models.BooleanField(_("online payment"), default=False)

    # Partie 2 - Arrivée et départ du client
    arrival_from = models.TimeField(_("arrival from"), null=True, blank=True, default=defaults.ARRIVAL_FROM)
    arrival_until = models.TimeField(
        _("arrival until"), null=True, blank=True, default=defaults.ARRIVAL_UNTIL
    )
    arrival_details_fr = models.TextField(_("arrival details (French)"), blank=True)
    arrival_details_en = models.TextField(_("arrival details (English)"), blank=True)
    departure_before = models.TimeField(
        _("departure before"), null=True, blank=True, default=defaults.DEPARTURE_BEFORE
    )
    departure_details_fr = models.TextField(_("departure details (French)"), blank=True)
    departure_details_en = models.TextField(_("departure details (English)"), blank=True)

    # Partie 2 - Autres informations
    additional_information_fr = models.TextField(_("additional information (French)"), blank=True)
    additional_information_en = models.TextField(_("additional information (English)"), blank=True)
    request_signature = models.BooleanField(_("ask for the signed contract to be returned"), default=True)
    option_signature_text_fr = models.TextField(
        _("signature request of an option (French)"), blank=True, default=defaults.OPTION_SIGNATURE_FR
    )
    option_signature_text_en = models.TextField(
        _("signature request of an option (English)"), blank=True, default=defaults.OPTION_SIGNATURE_EN
    )
    contract_signature_text_fr = models.TextField(
        _("signature request of the contract (French)"), blank=True, default=defaults.CONTRACT_SIGNATURE_FR
    )
    contract_signature_text_en = models.TextField(
        _("signature request of the contract (English)"), blank=True, default=defaults.CONTRACT_SIGNATURE_EN
    )
    politeness_fr = models.TextField(
        _("politeness formula (French)"), blank=True, default=defaults.POLITENESS_FR
    )
    politeness_en = models.TextField(
        _("politeness formula (English)"), blank=True, default=defaults.POLITENESS_EN
    )
    company_information = models.TextField(_("information about your company"), blank=True)

    # Partie 2 - Informations en fonction de l'état du dossier
    option_state_text_fr = models.TextField(_("for a file in option (French)"), blank=True)
    option_state_text_en = models.TextField(_("for a file in option (English)"), blank=True)
    confirmed_state_text_fr = models.TextField(
        _("for a confirmed file not paid in full (French)"), blank=True
    )
    confirmed_state_text_en = models.TextField(
        _("for a confirmed file not paid in full (English)"), blank=True
    )
    paid_state_text_fr = models.TextField(_("for a confirmed file paid in full (French)"), blank=True)
    paid_state_text_en = models.TextField(_("for a confirmed file paid in full (English)"), blank=True)

    # Partie 3 - Descriptif des hébergements
    show_structure_description = models.BooleanField(
        _("show the description of the structure in the booking file"), default=True
    )
    show_structure_images = models.BooleanField(
        _("show the images of the structure in the booking file"), default=False
    )
    show_lodging_images = models.BooleanField(
        _("show the images of the lodgings in the booking file"), default=False
    )

    # Partie 4 - Conditions de vente
    show_terms = models.BooleanField(_("show the terms of sale in the booking file"), default=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("contract customisation")
        verbose_name_plural = _("contract customisations")

    def __str__(self) -> str:
        return f"{self.provider}"


class MailSettings(models.Model):
    """Personnalisation des mails: footer, copy address, the mail sent for an internet booking and
    the option notification. Texts exist in French and English; read them through
    ``comptes.selectors.mail_texts(provider, language)``.
    """

    class Footer(models.TextChoices):
        GENERATED = "generated", _("Generated from your contact details")
        CUSTOM = "custom", pgettext_lazy("mail footer", "Custom")

    class InternetBookingMail(models.TextChoices):
        FULL_PDF = "pdf", _("A mail with the full booking file as a PDF")
        NOTIFICATION = "notification", _("A notification mail")

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="mail_settings")
    footer = models.CharField(
        _("mail footer"), max_length=10, choices=Footer.choices, default=Footer.GENERATED
    )
    footer_custom = models.TextField(_("custom footer"), blank=True)
    copy_to = models.EmailField(_("send a copy to"), blank=True)
    internet_booking_mail = models.CharField(
        _("mail sent for an internet booking"),
        max_length=20,
        choices=InternetBookingMail.choices,
        default=InternetBookingMail.FULL_PDF,
    )
    languages = ArrayField(
        models.CharField(max_length=2, choices=Language.choices),
        verbose_name=_("languages managed"),
        default=default_mail_languages,
    )
    booking_subject_fr = models.CharField(
        _("subject (French)"), max_length=200, blank=True, default=defaults.BOOKING_SUBJECT_FR
    )
    booking_subject_en = models.CharField(
        _("subject (English)"), max_length=200, blank=True, default=defaults.BOOKING_SUBJECT_EN
    )
    booking_intro_fr = models.TextField(
        _("introduction text (French)"), blank=True, default=defaults.BOOKING_INTRO_FR
    )
    booking_intro_en = models.TextField(
        _("introduction text (English)"), blank=True, default=defaults.BOOKING_INTRO_EN
    )
    booking_politeness_fr = models.TextField(
        _("politeness formula (French)"), blank=True, default=defaults.POLITENESS_FR
    )
    booking_politeness_en = models.TextField(
        _("politeness formula (English)"), blank=True, default=defaults.POLITENESS_EN
    )
    option_subject_fr = models.CharField(
        _("subject (French)"), max_length=200, blank=True, default=defaults.OPTION_SUBJECT_FR
    )
    option_subject_en = models.CharField(
        _("subject (English)"), max_length=200, blank=True, default=defaults.OPTION_SUBJECT_EN
    )
    option_intro_fr = models.TextField(
        _("introduction text (French)"), blank=True, default=defaults.OPTION_INTRO_FR
    )
    option_intro_en = models.TextField(
        _("introduction text (English)"), blank=True, default=defaults.OPTION_INTRO_EN
    )

    # Relances de paiement (deposit and balance reminders, reservations.services.reminders)
    remind_clients_by_mail = models.BooleanField(
        _("also e-mail the payment reminders to the client"), default=False
    )

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("mail customisation")
        verbose_name_plural = _("mail customisations")

    def __str__(self) -> str:
        return f"{self.provider}"


class PaymentSettings(models.Model):
    """Paiement sécurisé: the owner's online payment account, and whether online payment is on."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="payment_settings")
    online_account_id = models.CharField(
        _("your online payment identifier"),
        max_length=64,
        blank=True,
        validators=[validate_payment_account_id],
    )
    online_payment_active = models.BooleanField(_("online payment active"), default=False)
    activated_at = models.DateTimeField(_("activated on"), null=True, blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("secure payment")
        verbose_name_plural = _("secure payments")
        constraints = [
            models.CheckConstraint(
                name="payment_active_needs_account_id",
                condition=Q(online_payment_active=False) | ~Q(online_account_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}"

    @property
    def is_active(self) -> bool:
        return self.online_payment_active and bool(self.online_account_id)


class AuditEntry(models.Model):
    """Audit trail: who changed what and when, shown on the object's history."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="audit_entries")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} @ {self.created_at:%Y-%m-%d %H:%M}"


class OfficeAuditEntry(models.Model):
    """What concerns an office and no single provider: the office created, its staff invited, its
    tourist tax rates, and its staff opening a provider's account read-only (assist mode).

    A model of its own rather than a nullable provider on ``AuditEntry``: ``AuditEntry`` stays
    provider-owned and scoped (an owner's history can never reach an office's row, and a query
    without a provider scope still raises), while these rows belong to an office, which no
    provider scope covers. ``office`` is empty for the administrators' own actions on the
    providers with no office."""

    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    action = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("office log entry")
        verbose_name_plural = _("office log entries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} @ {self.created_at:%Y-%m-%d %H:%M}"


class OutgoingMail(models.Model):
    """One mail sent (or to be sent) by the application: what, to whom, when, with which outcome.

    The table is the outbox: recorded by ``comptes.mailing.mail_queue`` before anything is sent; the
    Celery task ``comptes.tasks.mail_send`` (prompted on commit) or the periodic dispatcher
    ``comptes.tasks.mail_dispatch`` delivers it, records every attempt before it starts and retries
    with a growing delay while the SMTP server is unreachable. A sent mail is never sent again; a
    failed one stays here
    with its error until the owner presses "Renvoyer". ``content_type`` / ``object_id`` name the
    object the mail concerns (a booking file, an invoice…), like ``AuditEntry``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("mail status", "Queued")
        SENT = "sent", pgettext_lazy("mail status", "Sent")
        FAILED = "failed", pgettext_lazy("mail status", "Failed")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="outgoing_mails")
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=50)
    language = models.CharField(_("language"), max_length=5, default="fr")
    from_email = models.CharField(_("sender"), max_length=254)
    reply_to = models.EmailField(_("reply to"), blank=True)
    to = ArrayField(models.EmailField(), verbose_name=_("to"))
    cc = ArrayField(models.EmailField(), verbose_name=_("copy"), default=list, blank=True)
    bcc = ArrayField(models.EmailField(), verbose_name=_("hidden copy"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: ``attempt_count`` when "Renvoyer" put a failed mail back in the queue: its retries count anew.
    attempts_before_resend = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: Set while an attempt holds the mail (its lease): no other worker tries it before then. A
    #: worker killed mid-conversation leaves it set; once past, the dispatcher tries again.
    in_flight_until = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(_("created on"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="outgoing_mail_sent_has_date", condition=~Q(status="sent") | Q(sent_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    def related_object(self) -> models.Model | None:
        """The object the mail concerns (inside the provider scope), or ``None``."""
        if not hasattr(self, "_related_object"):
            related = None
            if self.content_type_id and self.object_id:
                from django.contrib.contenttypes.models import ContentType

                model = ContentType.objects.get_for_id(self.content_type_id).model_class()
                if model is not None:
                    related = model._default_manager.filter(pk=self.object_id).first()
            self._related_object = related
        return self._related_object

    def set_related_object(self, obj: models.Model | None) -> None:
        self._related_object = obj


class OutgoingMailAttempt(models.Model):
    """One try to hand a mail to the SMTP server (shown on the file's history). Recorded before the
    SMTP conversation starts; ``finished_at`` is empty while it runs, and stays empty (with an error
    saying so) when the worker died during it."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    mail = models.ForeignKey(OutgoingMail, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("date"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(_("delivered"), default=False)
    error = models.TextField(_("error"), blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["attempted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mail", "number"], name="outgoing_mail_attempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {'ok' if self.succeeded else self.error[:40]}"


class OutgoingMailAttachment(models.Model):
    """A file attached to a mail (a contract PDF…), kept in the database with the mail: booking
    documents carry personal data and never go under the public ``MEDIA_ROOT``."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    mail = models.ForeignKey(OutgoingMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField()

    objects = ScopedManager(provider="provider")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class ExportJob(models.Model):
    """An Excel export prepared in the background (``comptes.exports``): what was asked, how far it
    is, and the file it produced in the private storage (``common.storage.private_storage``).

    The file holds guests' personal data: it is downloaded only through the provider's back office
    with a signed, expiring link, and purged with its job after ``EXPORT_RETENTION``."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("export status", "Waiting")
        RUNNING = "running", pgettext_lazy("export status", "In progress")
        DONE = "done", pgettext_lazy("export status", "Ready")
        FAILED = "failed", pgettext_lazy("export status", "Failed")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("rows to export"), default=0)
    done = models.PositiveIntegerField(_("rows exported"), default=0)
    filename = models.CharField(_("file name"), max_length=200)
    file = models.CharField(max_length=300, blank=True)  # its name in the private storage
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created on"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="export_job_done_has_file", condition=~Q(status="done") | ~Q(file=""))
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
