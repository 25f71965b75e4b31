"""``manage.py demo``: create the demo office, provider, lodgings and logins (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comptes.models import Membership, Office, Provider, ProviderSettings, User
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import provider_complete_setup, provider_create
from hebergements.models import Classification, Commune, Lodging, LodgingType, Supplement
from hebergements.services import lodging_create, supplement_create
from reservations import services as booking_services
from reservations.models import Booking, BookingOrigin, PaymentMode
from reservations.services import OwnerPrice
from tarifs.models import StayPrice, TouristTaxCategory, TouristTaxLaw, TouristTaxRate
from tarifs.services import stay_prices_generate
from tarifs.tourist_tax import tourist_tax_rate_save

DEMO_PASSWORD = "openpro-demo"  # noqa: S105 - printed on purpose: demo logins only
OWNER_EMAIL = "dupont.marie@test.com"
STAFF_EMAIL = "office@ariege-pyrenees.example"
ADMIN_EMAIL = "admin@openpro.example"

DEMO_LODGINGS = (
    {
        "name": "Petit coin de paradis",
        "lodging_type": LodgingType.MAISON,
        "classification": Classification.ETOILES_3,
        "address": "Boulevard du sud",
        "capacity_min": 1,
        "capacity_max": 4,
        "surface": 65,
        "security_deposit": Decimal("300.00"),
        "description_fr": "Maison de caractère au calme, à deux pas du château de Foix.",
        "description_en": "A quiet house of character, a short walk from Foix castle.",
    },
    {
        "name": "Gîte La Colline Verte",
        "lodging_type": LodgingType.GITE,
        "classification": Classification.ETOILES_2,
        "address": "Chemin de la colline",
        "capacity_min": 2,
        "capacity_max": 6,
        "surface": 90,
        "security_deposit": Decimal("400.00"),
        "description_fr": "Gîte spacieux entouré de prairies, vue sur les Pyrénées.",
        "description_en": "A roomy gîte among meadows, with a view of the Pyrenees.",
    },
)

# Foix's rates (euros per adult and night; a percentage for unclassified lodgings).
DEMO_TOURIST_TAX = (
    (TouristTaxCategory.STARS_3, "1.00"),
    (TouristTaxCategory.STARS_2, "0.80"),
    (TouristTaxCategory.UNCLASSIFIED, "4"),
)


def _user(email: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=DEMO_PASSWORD)
    return user


DEMO_TERMS_FR = (
    "Conditions générales de vente\n\nLa réservation devient définitive à réception de l'acompte. "
    "Le solde est à régler 30 jours avant l'arrivée."
)
DEMO_TERMS_EN = (
    "Terms of sale\n\nThe booking is final once the deposit is received. "
    "The balance is due 30 days before arrival."
)


class Command(BaseCommand):
    help = "Create the demo office, provider, lodgings and logins (safe to run again)."

    @transaction.atomic
    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where the server answers, for the guest pages' addresses printed at the end",
        )

    def handle(self, *args, **options):
        self.base_url = options["base_url"]
        with scopes_disabled():
            office, _ = Office.objects.get_or_create(
                slug="ariege-pyrenees", defaults={"name": "Ariège Pyrénées Tourisme", "email": STAFF_EMAIL}
            )
            owner = _user(OWNER_EMAIL)
            staff = _user(STAFF_EMAIL)
            _user(ADMIN_EMAIL, superuser=True)
            Membership.objects.get_or_create(
                user=staff, office=office, defaults={"role": Membership.Role.OFFICE_STAFF}
            )
            provider = Provider.objects.filter(number=92750).first()
            if provider is None:
                provider = provider_create(
                    number=92750,
                    last_name="Dupont",
                    first_name="Marie",
                    email=OWNER_EMAIL,
                    office=office,
                    owner=owner,
                    company="Hébergement - Place de marché",
                    civility="mme",
                    address="Boulevard du sud",
                    postcode="09000",
                    city="FOIX",
                    phone1="0500000000",
                )
        foix = Commune.objects.filter(insee_code="09122").first()
        if foix is not None:
            self._tourist_tax(office, foix)
        with provider_scope(provider):
            for data in DEMO_LODGINGS:
                if not Lodging.objects.filter(name=data["name"]).exists():
                    lodging_create(provider=provider, commune=foix, **data)
            if not Supplement.objects.filter(label="Frais de ménage").exists():
                supplement_create(
                    provider=provider,
                    lodgings=Lodging.objects.filter(name="Petit coin de paradis"),
                    label="Frais de ménage",
                    mandatory=True,
                    price=Decimal("50.00"),
                )
            if not StayPrice.objects.exists():
                self._prices(provider)
            provider_complete_setup(provider=provider)
            if not Booking.objects.exists():
                self._bookings(provider)
        self._sell_online(provider)
        self._print_logins()
        self._print_public_urls(office, provider)

    def _tourist_tax(self, office, commune):
        """Foix's taxe de séjour for this year and the next, where the legal scale of the year is
        recorded (the demo's files then show a tax line)."""
        today = timezone.localdate()
        for year in (today.year, today.year + 1):
            if not TouristTaxLaw.objects.filter(year=year).exists():
                continue
            for category, rate in DEMO_TOURIST_TAX:
                if not TouristTaxRate.objects.filter(commune=commune, year=year, category=category).exists():
                    tourist_tax_rate_save(
                        office=office, commune=commune, year=year, category=category, rate=Decimal(rate)
                    )

    def _prices(self, provider):
        """A year of prices: weeks from Saturday to Saturday, and 2-night stays every day."""
        start = timezone.localdate()
        period = [(start, start.replace(year=start.year + 1))]
        every_day, saturday = range(7), [5]
        grids = (
            ("Petit coin de paradis", 7, saturday, "350.00"),
            ("Petit coin de paradis", 2, every_day, "100.00"),
            ("Gîte La Colline Verte", 7, saturday, "560.00"),
            ("Gîte La Colline Verte", 2, every_day, "180.00"),
        )
        for name, nights, weekdays, amount in grids:
            stay_prices_generate(
                provider=provider,
                lodging=Lodging.objects.get(name=name),
                periods=period,
                nights=nights,
                weekdays=weekdays,
                initial_price=Decimal(amount),
                commit=True,
            )

    def _bookings(self, provider):
        """A few files around today in every state, and a sale prohibition."""
        today = timezone.localdate()
        paradis = Lodging.objects.get(name="Petit coin de paradis")
        colline = Lodging.objects.get(name="Gîte La Colline Verte")
        adults = {provider.age_brackets.get(label_fr="Adulte").pk: 2}
        files = (
            # lodging, from, nights, price, client, origin, paid, booked (days ago)
            (paradis, -3, 7, "350.00", ("Kiourtzidou", "Eleni"), BookingOrigin.PHONE, "all", 40),
            (paradis, 6, 7, "350.00", ("Ossipian", "Armen"), BookingOrigin.INTERNET, "deposit", 20),
            (colline, 2, 7, "560.00", ("Martin", "Paul"), BookingOrigin.LOCAL, None, 0),
            (colline, 20, 2, "180.00", ("Durand", "Sophie"), BookingOrigin.WIDGET, None, 15),
        )
        for lodging, offset, nights, price, (last_name, first_name), origin, paid, booked in files:
            arrival = today + timedelta(days=offset)
            booked_on = today - timedelta(days=booked)
            booking = booking_services.booking_create(
                provider=provider,
                lodging=lodging,
                arrival=arrival,
                departure=arrival + timedelta(days=nights),
                occupants=adults,
                owner_price=OwnerPrice(Decimal(price)),
                origin=origin,
                client_data={
                    "last_name": last_name,
                    "first_name": first_name,
                    "email": f"{last_name.lower()}@example.com",
                    "city": "Toulouse",
                },
                today=booked_on,
            )
            Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - timedelta(days=booked))
            if paid:
                amount = booking.total_amount if paid == "all" else booking.deposit_amount
                booking_services.payment_record(
                    booking=booking, date=booked_on, mode=PaymentMode.CHEQUE, amount=amount
                )
        start = today + timedelta(days=30)
        booking_services.sale_prohibition_create(
            provider=provider, lodging=colline, arrival=start, departure=start + timedelta(days=3)
        )

    def _sell_online(self, provider):
        """The demo provider is in production and sells online, so the marketplace and its own
        booking site show its lodgings."""
        with scopes_disabled():
            Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.PRODUCTION)
            ProviderSettings.objects.filter(provider=provider, terms_fr="").update(
                online_booking=True,
                terms_fr=DEMO_TERMS_FR,
                terms_en=DEMO_TERMS_EN,
            )

    def _print_public_urls(self, office, provider):
        base = self.base_url.rstrip("/")
        marketplace = reverse("public:office_search", kwargs={"lang": "fr", "slug": office.slug})
        site = reverse("public:site_search", kwargs={"lang": "fr", "number": provider.number})
        self.stdout.write("Guest pages (booking online):")
        self.stdout.write(f"  Marketplace of the office:   {base}{marketplace}")
        self.stdout.write(f"  Booking site of Meublé - 92750: {base}{site}")

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write(f"  Owner (Meublé - 92750):  {OWNER_EMAIL}  password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Tourism office staff:    {STAFF_EMAIL}  password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Administrator (/admin/): {ADMIN_EMAIL}  password: {DEMO_PASSWORD}")
